import { hasOperation } from '../../history/summary.js';
import { type History, HistoryError, type Operation } from '../../history/types.js';
import type { Checker } from '../types.js';
import { findCycles } from './cycles.js';
import { Findings } from './findings.js';
import { EdgeList } from './graph.js';
import { ruledOut } from './models.js';
import { TxnInputError, toTransactions } from './parse.js';
import { type AnomalyClass, EDGE, type TransactionsResult, type Txn } from './types.js';
import { analyseKeys } from './versions.js';

export { TxnInputError } from './parse.js';
export type * from './types.js';

/**
 * Elle's list-append checker (Kingsbury & Alvaro, VLDB 2020). Appends of unique values make each
 * key's version order visible in the reads; from it come write-write, write-read and read-write
 * dependencies, plus process and real-time order; a cycle in that graph is an anomaly that no
 * order of the transactions explains, named after Adya. Pure: no I/O.
 */
export function checkTransactions(operations: readonly Operation[]): TransactionsResult {
  const started = performance.now();
  const txns = toTransactions(operations);
  const findings = new Findings();
  const edges = new EdgeList();
  const add = (from: number, to: number, kind: number) => edges.add(from, to, kind);
  const keys = analyseKeys(txns, findings, add);
  processEdges(txns, add);
  realtimeEdges(txns, edges);
  const graph = edges.toGraph(txns.length);
  const cyclicComponents = findCycles(graph, txns, keys, findings);
  const anomalies = Object.keys(findings.counts) as AnomalyClass[];
  const count = (outcome: Txn['outcome']) => txns.filter((t) => t.outcome === outcome).length;
  return {
    valid: anomalies.length === 0,
    anomalies: findings.counts,
    examples: findings.examples,
    notOk: ruledOut(anomalies),
    stats: {
      txns: txns.length,
      ok: count('ok'),
      fail: count('fail'),
      info: count('info'),
      keys: keys.writers.size,
      edges: graph.target.length,
      cyclicComponents,
      recovered: keys.recovered,
      ms: Math.round(performance.now() - started),
    },
  };
}

/** What the comparison page shows of a run's transactions. */
export interface TransactionsDigest {
  anomalies: number;
  classes: string[];
}

/** Elle's list-append checker as a table entry: transactions of appends and reads. */
export const transactionsChecker: Checker<Record<string, never>, TransactionsResult, TransactionsDigest> = {
  name: 'transactions',
  optionNames: [],
  appliesTo: (history) => hasOperation(history.operations, 'txn'),
  options: () => ({}),
  check(history: History) {
    try {
      return checkTransactions(history.operations);
    } catch (err) {
      // Name the line of the file, as every other input error does.
      if (!(err instanceof TxnInputError)) throw err;
      const op = history.operations[err.operation];
      throw new HistoryError(history.file, op?.line ?? 0, err.problem);
    }
  },
  summary: (r) => [summaryWords(r)],
  found: (r) => [foundWords(r)],
  compare: {
    column: 'transactions',
    digest: (r) => ({
      anomalies: Object.values(r.anomalies).reduce((a, b) => a + (b ?? 0), 0),
      classes: Object.keys(r.anomalies),
    }),
    cell: (d) => (d.anomalies === 0 ? 'no anomaly' : `${d.anomalies} (${d.classes.join(', ')})`),
  },
};

function anomalyList(r: TransactionsResult): string {
  return Object.entries(r.anomalies)
    .map(([name, count]) => `${name} ×${count}`)
    .join(', ');
}

function summaryWords(r: TransactionsResult): string {
  const s = r.stats;
  const head = `${s.txns} transactions (${s.ok} committed, ${s.fail} aborted, ${s.info} indeterminate) on ${s.keys} keys`;
  if (r.valid === true)
    return `transactions: no anomaly in ${head}; serializable as far as the history shows`;
  return `TRANSACTION ANOMALIES: ${anomalyList(r)} in ${head}; rules out ${r.notOk.join(', ')}`;
}

function foundWords(r: TransactionsResult): string {
  if (r.valid === true) {
    return `No transactional anomaly: every one of ${r.stats.txns.toLocaleString('en')} transactions fits one serial order.`;
  }
  return `Transactional anomalies: ${anomalyList(r)}. They rule out ${r.notOk.join(', ')}.`;
}

/** Each process runs one transaction at a time: its transactions in order (failed ones had no effect). */
function processEdges(txns: readonly Txn[], add: (from: number, to: number, kind: number) => void): void {
  const last = new Map<number, number>();
  for (const txn of txns) {
    if (txn.outcome === 'fail') continue;
    const previous = last.get(txn.process);
    if (previous !== undefined) add(previous, txn.id, EDGE.process);
    last.set(txn.process, txn.id);
  }
}

/**
 * A committed transaction precedes every transaction invoked after it completed. Only the
 * frontier is linked (the completed transactions no later completion has followed), so the edges
 * stay about (transactions x concurrency) rather than quadratic; the rest follow by transitivity.
 */
function realtimeEdges(txns: readonly Txn[], edges: EdgeList): void {
  const live = txns.filter((t) => t.outcome !== 'fail');
  // Events: invocations as 2*i, completions as 2*i+1; at equal times invocations come first,
  // since real-time order needs a completion strictly before the invocation.
  const events: number[] = [];
  live.forEach((t, i) => {
    events.push(2 * i);
    if (t.outcome === 'ok') events.push(2 * i + 1);
  });
  const time = (e: number) => (e & 1 ? live[e >> 1].ret : live[e >> 1].call);
  events.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1));
  const frontier = new Set<number>();
  // The edges added at a transaction's invocation are contiguous: where they start and end names
  // the frontier it followed, without copying it.
  const firstEdge = new Int32Array(txns.length);
  const lastEdge = new Int32Array(txns.length);
  for (const e of events) {
    const txn = live[e >> 1];
    if ((e & 1) === 0) {
      firstEdge[txn.id] = edges.length;
      for (const f of frontier) edges.add(f, txn.id, EDGE.realtime);
      lastEdge[txn.id] = edges.length;
      continue;
    }
    for (let i = firstEdge[txn.id]; i < lastEdge[txn.id]; i++) frontier.delete(edges.fromAt(i));
    frontier.add(txn.id);
  }
}
