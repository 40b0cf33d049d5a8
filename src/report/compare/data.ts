import { type ColdCacheResult, coldCacheChecker } from '../../checker/cold-cache.js';
import { linearizableChecker } from '../../checker/linearizable.js';
import { type LockResult, lockChecker } from '../../checker/lock.js';
import {
  ANSWERED_FAILURES,
  type ClientTime,
  perf,
  perfChecker,
  quantiles,
  type SideAvailability,
} from '../../checker/perf.js';
import { type QueueResult, queueChecker } from '../../checker/queue.js';
import { staleReadsChecker } from '../../checker/stale-reads.js';
import { type TransactionsResult, transactionsChecker } from '../../checker/transactions/index.js';
import { type CheckerResult, mergeValidity, resultOf, type Validity } from '../../checker/types.js';
import { CHECKERS } from '../../checkers.js';
import type { History, Operation } from '../../history/types.js';
import { withoutIdleOptions } from '../../run/options.js';
import { type LockImplementation, lockUsed } from '../../workloads/lock.js';
import { historyEnd } from '../data.js';
import { faultSpans } from '../faults.js';
import { number, record, text } from '../json-fields.js';
import { runSettings } from '../settings.js';

/**
 * What a run's lesson is about, from the checkers it had: a cache that goes cold, transactions'
 * anomalies, a lease lock's holders, a queue's messages, or (the default) what a store does under
 * faults in CAP terms.
 */
export type Lesson = 'cap' | 'cache' | 'transactions' | 'lock' | 'queue';

/** A lease lock run's numbers: what the holders believed, and what the protected resource took. */
export interface LockFigures {
  grants: number;
  leaseMs?: number;
  /** How long a holder stopped between its grant and its write (one grant in ten); 0: never. */
  holderPauseMs?: number;
  fencing?: boolean;
  /** The lock implementation the run used (undefined in runs that do not say). */
  lock?: LockImplementation;
  /** Releases that found the lock no longer theirs: the lease ran out while its holder still believed in it. */
  lostLeases: number;
  overlaps: number;
  longestOverlapMs: number;
  /** Writes the resource accepted with an older token than one it had taken: fencing violations. */
  unsafe: number;
  /** Writes a fenced resource rejected for their old token. */
  fenced: number;
  mutex: Validity;
}

/** A queue run's numbers: what became of the acknowledged messages, against the delivery promised. */
export interface QueueFigures {
  promised: string;
  delivery: string;
  /** streams or list, as the workload ran it. */
  queue?: string;
  acknowledged: number;
  delivered: number;
  lost: number;
  duplicated: number;
  extraDeliveries: number;
  /** Undefined for results recorded before the checker counted reordering. */
  reordered?: number;
  recovered: number;
  unexpected: number;
  /** Acknowledged, never dequeued, and no drain ran to tell lost from still queued. */
  notDequeued: number;
}

/** A transactions run's numbers: its anomalies by class, the models they rule out, and its aborts. */
export interface TxnFigures {
  txns: number;
  ok: number;
  aborted: number;
  unknown: number;
  anomalies: Record<string, number>;
  /** Consistency models ruled out, weakest first (Elle's names). */
  ruledOut: string[];
  isolation?: string;
}

/** A cache run's numbers at its worst fault (the largest database spike), and over the run. */
export interface CacheFigures {
  faults: number;
  fault?: string;
  hitRatioBefore: number | null;
  lowestHitRatio: number | null;
  steadyDbQps: number | null;
  peakDbQps: number;
  spike: number | null;
  recoveryS: number | null;
  sharding?: string;
  movedPredicted?: number;
  movedObserved?: number | null;
  staleReads: number;
  errors: number;
  /** Peak over mean database load outside faults too: expiry waves show here. */
  peakOverMean: number | null;
  /** TTL jitter of the cache entries (0: all loaded together expire together). */
  ttlJitter?: number;
  /** Per second: hit ratio (%) and database queries. */
  series: { second: number[]; hitPct: (number | null)[]; dbQps: number[] };
}

/** When the first linearizability failure happened: during a fault or in a healthy period. */
export interface AnomalyTiming {
  at: number;
  duringFault: boolean;
}

/**
 * One run as the comparison page shows it: what ran, the numbers, per-second series and its
 * fault windows. Built by `digestRun` from a run folder's test.json, results.json and history;
 * every field a run does not have is undefined and shows as "-".
 */
export interface CompareRun {
  /** Short name of the row: the matrix variant's label, or the run's name. */
  label: string;
  name: string;
  store?: string;
  topology?: string;
  consistency?: string;
  /** Store settings that change what clients see (read-from, lwt, WAIT ...), in a few words. */
  settings: string[];
  workload?: string;
  nemesis: string;
  seed?: number;
  durationS?: number;
  command: string;
  /** Link to the run's own report, relative to the comparison page. */
  href?: string;
  startedAt?: string;
  valid: Validity;
  /** Why the verdict is missing or partial (no results.json, interrupted ...). */
  notes: string[];
  interrupted: boolean;
  faultKinds: string[];
  /** Share of operations answered (ok, or a definite answer such as a cas mismatch). */
  answeredInside: number | null;
  answeredOutside: number | null;
  okInside: number | null;
  okOutside: number | null;
  latencyMs?: { p50: number; p99: number };
  /** p50/p99 of operations invoked outside every fault window: PACELC's "else" side. */
  healthyLatencyMs?: { p50: number; p99: number };
  lesson: Lesson;
  /** Share of client time served during faults, and by side of each fault (see perf.ts). */
  clientTime?: { insideFaults: ClientTime; outsideFaults: ClientTime };
  sides: SideAvailability[];
  /** The first linearizability failure's time, when the run had one. */
  firstFailure?: AnomalyTiming;
  cache?: CacheFigures;
  lock?: LockFigures;
  queue?: QueueFigures;
  txn?: TxnFigures;
  /** Each checker's digest (its `compare.digest`) by checker name, for the checkers the run had. */
  checks: Readonly<Record<string, unknown>>;
  /** Writes invoked during faults, by the node the client talked to. */
  faultWrites: { node: string; ops: number; ok: number; fail: number; info: number }[];
  /** Per second since the run's start: answered share (%) and completions of the operations invoked in it. */
  series: { second: number[]; answeredPct: (number | null)[]; opsPerS: number[] };
  /** Per second since the run's start: the share (%) of its reads that were stale, when the stale-reads checker ran. */
  staleSeries?: { second: number[]; stalePct: (number | null)[] };
  faults: { kind: string; label: string; start: number; end: number }[];
}

/** What a run folder holds, already parsed (the caller reads the files). */
export interface RunFolderData {
  test: Record<string, unknown>;
  results?: Record<string, unknown>;
  history?: Pick<History, 'operations' | 'nemesis'>;
  label?: string;
  href?: string;
}

const WRITE_FS = new Set(['write', 'cas', 'put', 'append', 'add', 'acquire', 'release']);
const NS_PER_S = 1e9;

/** The comparison's view of one run. Pure. */
export function digestRun(data: RunFolderData): CompareRun {
  const { test, results, history } = data;
  const options = record(test.options) ?? {};
  const store = record(test.store) ?? {};
  const checkers = checkerResults(results?.checkers);
  // The history gives the newest measurements (client time, sides); results.json the stored ones.
  const perfResult = history ? perf(history) : resultOf(perfChecker, checkers);
  const cold = resultOf(coldCacheChecker, checkers);
  const lock = resultOf(lockChecker, checkers);
  const queue = resultOf(queueChecker, checkers);
  const txn = resultOf(transactionsChecker, checkers);
  const definition = record(record(test.workload)?.definition);
  const notes: string[] = [];
  if (!results) notes.push('no results.json: the run did not finish, nothing was checked');
  const interrupted = results?.interrupted === true;
  if (interrupted) notes.push('interrupted: the numbers cover only what was recorded before');
  const valid = results ? validity(results.valid) : 'unknown';
  const spans = history ? faultSpans(history.nemesis, historyEnd(history)) : [];
  const windows = spans.map((s) => ({ start: s.start, end: s.end }));
  const name = text(test.name) ?? 'run';
  const nemesisKinds = Array.isArray(options.nemesis) ? options.nemesis.map(String) : [];
  const partition = text(options.partition);
  const settings = runSettings(options, store);
  return {
    label: data.label ?? name,
    name,
    store: text(store.name) ?? text(options.store),
    topology: text(store.topology) ?? text(options.topology),
    consistency: text(store.consistency) ?? text(options.consistency),
    settings,
    workload: text(record(test.workload)?.name) ?? text(options.workload),
    nemesis:
      nemesisKinds.length === 0
        ? 'none'
        : nemesisKinds
            .map((k) => (k === 'partition' && partition ? `partition (${partition})` : k))
            .join(', '),
    seed: number(test.seed),
    durationS: number(options.timeLimitS),
    command: commandFor(text(test.command), nemesisKinds),
    href: data.href,
    startedAt: text(test.startedAt),
    valid,
    notes,
    interrupted,
    faultKinds: [...new Set((perfResult?.faultWindows ?? spans).map((w) => w.kind))],
    answeredInside: perfResult?.availability.insideFaults.answeredShare ?? null,
    answeredOutside: perfResult?.availability.outsideFaults.answeredShare ?? null,
    okInside: perfResult?.availability.insideFaults.share ?? null,
    okOutside: perfResult?.availability.outsideFaults.share ?? null,
    latencyMs: perfResult?.latencyMs
      ? { p50: perfResult.latencyMs.p50, p99: perfResult.latencyMs.p99 }
      : undefined,
    healthyLatencyMs: history ? healthyLatency(history.operations, windows) : undefined,
    lesson: cold ? 'cache' : txn ? 'transactions' : lock ? 'lock' : queue ? 'queue' : 'cap',
    clientTime: perfResult?.availability.clientTime,
    sides: perfResult?.availability.bySide ?? [],
    firstFailure: history ? firstFailure(checkers, history.operations, windows) : undefined,
    cache: cold ? cacheFigures(cold, record(definition?.['cache-aside'])) : undefined,
    lock: lock
      ? lockFigures(
          lock,
          record(definition?.lock),
          text(store.name) ?? text(options.store),
          text(store.topology) ?? text(options.topology),
        )
      : undefined,
    queue: queue ? queueFigures(queue, record(definition?.queue)) : undefined,
    txn: txn ? txnFigures(txn, text(definition?.isolation), text(options.isolation)) : undefined,
    checks: Object.fromEntries(
      CHECKERS.flatMap((c) => {
        const digest = c.compare?.digest(checkers);
        return digest === undefined ? [] : [[c.name, digest]];
      }),
    ),
    faultWrites: history ? faultWrites(history.operations, windows) : [],
    series: history ? perSecond(history.operations) : timelineSeries(perfResult?.timeline ?? []),
    staleSeries: staleSeries(checkers),
    faults: spans.map((s) => ({
      kind: s.kind,
      label: s.label,
      start: s.start / NS_PER_S,
      end: s.end / NS_PER_S,
    })),
  };
}

/** The cache checker's numbers at the fault that raised the database's load the most. */
function cacheFigures(r: ColdCacheResult, settings: Record<string, unknown> | undefined): CacheFigures {
  const worst = r.faults.reduce<ColdCacheResult['faults'][number] | undefined>(
    (best, f) => (best === undefined || f.peakDbQps > best.peakDbQps ? f : best),
    undefined,
  );
  const moved = r.faults.find((f) => f.movement !== undefined)?.movement;
  return {
    faults: r.faults.length,
    fault: worst?.f,
    hitRatioBefore: worst?.hitRatioBefore ?? r.hitRatio,
    lowestHitRatio: worst?.lowestHitRatio ?? null,
    steadyDbQps: worst?.steadyDbQps ?? r.load.meanDbQps,
    peakDbQps: worst?.peakDbQps ?? r.peakDbQps,
    spike: worst?.spike ?? null,
    recoveryS: worst?.recoveryS ?? null,
    sharding: moved?.sharding ?? text(settings?.sharding),
    ttlJitter: number(settings?.ttlJitter),
    movedPredicted: moved?.predicted,
    movedObserved: moved?.observed,
    staleReads: r.stale.count,
    errors: r.errors,
    peakOverMean: r.load.peakOverMean,
    series: {
      second: r.series.map((s) => s.second),
      hitPct: r.series.map((s) => (s.hitRatio === null ? null : Math.round(s.hitRatio * 1000) / 10)),
      dbQps: r.series.map((s) => s.dbQueries),
    },
  };
}

function lockFigures(
  r: LockResult,
  settings: Record<string, unknown> | undefined,
  store: string | undefined,
  topology: string | undefined,
): LockFigures {
  return {
    grants: r.holds,
    leaseMs: number(settings?.leaseMs),
    holderPauseMs: number(settings?.holderPauseMs),
    fencing: typeof settings?.fencing === 'boolean' ? settings.fencing : undefined,
    lock: lockUsed(text(settings?.lock), store, topology),
    lostLeases: r.releases.fail,
    overlaps: r.overlaps.count,
    longestOverlapMs: r.overlaps.maxMs,
    unsafe: r.unsafe.count,
    fenced: r.writes.fenced,
    mutex: r.mutex.valid,
  };
}

function queueFigures(r: QueueResult, settings: Record<string, unknown> | undefined): QueueFigures {
  return {
    promised: r.promised,
    delivery: r.delivery,
    queue: text(settings?.queue),
    acknowledged: r.enqueues.ok,
    delivered: r.delivered,
    lost: r.lost.count,
    duplicated: r.duplicated.count,
    extraDeliveries: r.duplicated.extra,
    // Results recorded before the checker counted reordering have no such field.
    reordered: (r.reordered as QueueResult['reordered'] | undefined)?.count,
    recovered: r.recovered.count,
    unexpected: r.unexpected.count,
    notDequeued: r.notDequeued.count,
  };
}

/** The isolation level asked for: the run's option when given, else the workload's (default: the server's). */
function txnFigures(
  r: TransactionsResult,
  workload: string | undefined,
  option: string | undefined,
): TxnFigures {
  return {
    txns: r.stats.txns,
    ok: r.stats.ok,
    aborted: r.stats.fail,
    unknown: r.stats.info,
    anomalies: Object.fromEntries(Object.entries(r.anomalies).filter(([, n]) => (n ?? 0) > 0)) as Record<
      string,
      number
    >,
    ruledOut: r.notOk,
    isolation: option ?? workload,
  };
}

/** The first failing operation of the linearizability check, placed against the fault windows. */
function firstFailure(
  checkers: Record<string, CheckerResult>,
  operations: readonly Operation[],
  windows: readonly { start: number; end: number }[],
): AnomalyTiming | undefined {
  const calls = (resultOf(linearizableChecker, checkers)?.failures ?? [])
    .map((f) => operations[f.op.index]?.call)
    .filter((t): t is number => t !== undefined);
  if (calls.length === 0) return undefined;
  const at = Math.min(...calls);
  return { at: Math.round(at / 1e8) / 10, duringFault: inWindow(at, windows) };
}

/** The stored reproduce command without the options of nemeses the run did not have. */
function commandFor(command: string | undefined, nemesis: readonly string[]): string {
  if (command === undefined) return 'dscheck run';
  // Stored commands quote only words with spaces or quotes; options and their values never have them.
  return withoutIdleOptions(command.split(' '), nemesis).join(' ');
}

const inWindow = (t: number, windows: readonly { start: number; end: number }[]): boolean =>
  windows.some((w) => t >= w.start && t < w.end);

function answered(op: Operation): boolean {
  return (
    op.outcome === 'ok' || (op.outcome === 'fail' && !op.pending && ANSWERED_FAILURES.has(op.error ?? ''))
  );
}

function healthyLatency(
  operations: readonly Operation[],
  windows: readonly { start: number; end: number }[],
): { p50: number; p99: number } | undefined {
  const ms = operations
    .filter((op) => !op.pending && op.extra?.final !== true && !inWindow(op.call, windows))
    .map((op) => (op.ret - op.call) / 1e6);
  const q = quantiles(ms);
  return q ? { p50: q.p50, p99: q.p99 } : undefined;
}

function faultWrites(
  operations: readonly Operation[],
  windows: readonly { start: number; end: number }[],
): CompareRun['faultWrites'] {
  if (windows.length === 0) return [];
  const byNode = new Map<string, { ops: number; ok: number; fail: number; info: number }>();
  for (const op of operations) {
    if (!WRITE_FS.has(op.f) || op.node === undefined || !inWindow(op.call, windows)) continue;
    // A cas that found another value was served (as the perf checker counts it): count it with the writes that went through.
    const outcome = answered(op) ? 'ok' : op.pending ? 'info' : op.outcome;
    const n = byNode.get(op.node) ?? { ops: 0, ok: 0, fail: 0, info: 0 };
    n.ops++;
    n[outcome]++;
    byNode.set(op.node, n);
  }
  return [...byNode].map(([node, n]) => ({ node, ...n })).sort((a, b) => a.node.localeCompare(b.node));
}

/** Per second of invocation, as the run report's availability plot counts. */
function perSecond(operations: readonly Operation[]): CompareRun['series'] {
  const buckets = new Map<number, { ops: number; answered: number }>();
  let last = -1;
  for (const op of operations) {
    if (op.extra?.final === true) continue;
    const second = Math.floor(op.call / NS_PER_S);
    const b = buckets.get(second) ?? { ops: 0, answered: 0 };
    b.ops++;
    if (answered(op)) b.answered++;
    buckets.set(second, b);
    last = Math.max(last, second);
  }
  const series: CompareRun['series'] = { second: [], answeredPct: [], opsPerS: [] };
  for (let s = 0; s <= last; s++) {
    const b = buckets.get(s);
    series.second.push(s);
    series.answeredPct.push(b && b.ops > 0 ? Math.round((b.answered / b.ops) * 1000) / 10 : null);
    series.opsPerS.push(b?.ops ?? 0);
  }
  return series;
}

/** The stale-reads checker's timeline as a share of each second's reads. */
function staleSeries(checkers: Record<string, CheckerResult>): CompareRun['staleSeries'] {
  const timeline = resultOf(staleReadsChecker, checkers)?.timeline;
  if (!timeline) return undefined;
  return {
    second: timeline.map((t) => t.second),
    stalePct: timeline.map((t) => (t.reads > 0 ? Math.round((t.stale / t.reads) * 1000) / 10 : null)),
  };
}

/**
 * Per second from the stored perf timeline, for a run folder without its history: ok over all
 * operations invoked in the second (a cas that found another value counts as not answered here).
 */
function timelineSeries(timeline: readonly { second: number; ok: number; fail: number; info: number }[]) {
  const series: CompareRun['series'] = { second: [], answeredPct: [], opsPerS: [] };
  for (const t of timeline) {
    const ops = t.ok + t.fail + t.info;
    series.second.push(t.second);
    series.answeredPct.push(ops > 0 ? Math.round((t.ok / ops) * 1000) / 10 : null);
    series.opsPerS.push(ops);
  }
  return series;
}

/** The worst verdict of the runs, as the matrix's exit code reports it. */
export function worstVerdict(runs: readonly { valid: Validity }[]): Validity {
  return mergeValidity(runs.map((r) => r.valid));
}

/** The results.json's checker results: entries that are objects with a verdict. */
function checkerResults(value: unknown): Record<string, CheckerResult> {
  const results: Record<string, CheckerResult> = {};
  for (const [name, result] of Object.entries(record(value) ?? {})) {
    const fields = record(result);
    if (fields) results[name] = { ...fields, valid: validity(fields.valid) };
  }
  return results;
}

function validity(value: unknown): Validity {
  return value === true || value === false ? value : 'unknown';
}
