import { type Findings, listText, view } from './findings.js';
import { TxnInputError } from './parse.js';
import { type Atom, EDGE, type Txn } from './types.js';

/** Who appended an element: the transaction, and whether it was that transaction's last append to the key. */
interface Writer {
  txn: number;
  last: boolean;
}

/** A key's version order as the reads reveal it: the longest read, and each element's position. */
export interface KeyOrder {
  values: Atom[];
  position: Map<Atom, number>;
  /** The transaction that appended each position, or -1 when no append wrote it. */
  writers: Int32Array;
}

/** A read of one key by a committed transaction, kept for the edges it implies. */
interface Read {
  txn: number;
  key: Atom;
  values: Atom[];
}

export type AddEdge = (from: number, to: number, kind: number) => void;

/** Everything list-append reveals per key: version orders, the anomalies outside cycles, the data edges. */
export interface KeyAnalysis {
  orders: Map<Atom, KeyOrder>;
  writers: Map<Atom, Map<Atom, Writer>>;
  recovered: number;
}

/**
 * Per key: who appended each element (unique per key, else bad input), the version order from the
 * longest committed read (every other read must be a prefix of it), and from those the ww, wr and
 * rw edges; on the way the anomalies that need no cycle: G1a, G1b, lost update, duplicates,
 * internal inconsistency, incompatible orders, garbage and lost appends.
 */
export function analyseKeys(txns: readonly Txn[], findings: Findings, addEdge: AddEdge): KeyAnalysis {
  const writers = indexWriters(txns);
  const reads = committedReads(txns, findings);
  const orders = new Map<Atom, KeyOrder>();
  for (const [key, keyReads] of reads)
    orders.set(key, versionOrder(key, keyReads, writers.get(key), txns, findings));
  const landed = landedTxns(txns, orders);
  for (const [key, keyReads] of reads) {
    const order = orders.get(key) as KeyOrder;
    readEdges(key, keyReads, order, writers.get(key), txns, findings, addEdge);
    writeEdges(order, txns, addEdge);
    unreadEdges(keyReads, order, writers.get(key), landed, addEdge);
  }
  lostUpdates(txns, findings);
  const recovered = lostAppends(txns, orders, findings);
  return { orders, writers, recovered };
}

/** The map's value for `key`, created by `make` when absent. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function indexWriters(txns: readonly Txn[]): Map<Atom, Map<Atom, Writer>> {
  const writers = new Map<Atom, Map<Atom, Writer>>();
  for (const txn of txns) {
    const lastOfKey = new Map<Atom, Writer>();
    for (const m of txn.ops) {
      if (m.f !== 'append') continue;
      const byValue = entry(writers, m.key, () => new Map<Atom, Writer>());
      const earlier = byValue.get(m.value);
      if (earlier) {
        throw new TxnInputError(
          txn.index,
          `value ${JSON.stringify(m.value)} is appended to key ${JSON.stringify(m.key)} more than once (also by operation ${txns[earlier.txn].index}); list-append needs unique values per key`,
        );
      }
      const writer = { txn: txn.id, last: true };
      const previous = lastOfKey.get(m.key);
      if (previous) previous.last = false;
      lastOfKey.set(m.key, writer);
      byValue.set(m.value, writer);
    }
  }
  return writers;
}

/** Reads of committed transactions by key; checks each transaction against itself on the way. */
function committedReads(txns: readonly Txn[], findings: Findings): Map<Atom, Read[]> {
  const reads = new Map<Atom, Read[]>();
  for (const txn of txns) {
    if (txn.outcome !== 'ok') continue;
    internalConsistency(txn, findings);
    for (const m of txn.ops) {
      if (m.f !== 'r' || m.value === null) continue;
      entry(reads, m.key, () => []).push({ txn: txn.id, key: m.key, values: m.value });
    }
  }
  return reads;
}

/**
 * A transaction must read what it read before plus its own appends since (or, with no earlier
 * read of the key, a list ending with its own appends). Scans back from each read: transactions
 * are short, and this allocates nothing on the common path.
 */
function internalConsistency(txn: Txn, findings: Findings): void {
  const ops = txn.ops;
  for (let i = 0; i < ops.length; i++) {
    const m = ops[i];
    if (m.f !== 'r' || m.value === null) continue;
    let base: Atom[] | null = null;
    let appends = 0;
    let j = i - 1;
    for (; j >= 0; j--) {
      const p = ops[j];
      if (p.key !== m.key) continue;
      if (p.f === 'append') appends++;
      else if (p.value !== null) {
        base = p.value;
        break;
      }
    }
    if (appends === 0 && base === null) continue;
    const read = m.value;
    const own = ops.slice(j + 1, i).flatMap((p) => (p.f === 'append' && p.key === m.key ? [p.value] : []));
    const expected = base ? [...base, ...own] : own;
    if (base ? sameList(read, expected) : endsWith(read, own)) continue;
    findings.add('internal', () => ({
      txns: [view(txn)],
      key: m.key,
      explanation: base
        ? `read ${listText(read)} of key ${m.key}, but this transaction had seen ${listText(expected)} (its earlier read plus its own appends)`
        : `read ${listText(read)} of key ${m.key}, which does not end with this transaction's own appends ${listText(expected)}`,
    }));
  }
  futureReads(txn, findings);
}

/** A read that already holds what its own transaction appends later (Elle's future read). */
function futureReads(txn: Txn, findings: Findings): void {
  const ops = txn.ops;
  for (let i = 0; i < ops.length; i++) {
    const m = ops[i];
    if (m.f !== 'r' || m.value === null) continue;
    for (let j = i + 1; j < ops.length; j++) {
      const later = ops[j];
      if (later.f !== 'append' || later.key !== m.key || !m.value.includes(later.value)) continue;
      const read = m.value;
      findings.add('future-read', () => ({
        txns: [view(txn)],
        key: m.key,
        explanation: `read ${listText(read)} of key ${m.key} already holds ${later.value}, which this same transaction appends only later`,
      }));
      break;
    }
  }
}

function sameList(a: readonly Atom[], b: readonly Atom[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function endsWith(list: readonly Atom[], tail: readonly Atom[]): boolean {
  const offset = list.length - tail.length;
  return offset >= 0 && tail.every((v, i) => list[offset + i] === v);
}

function isPrefix(read: readonly Atom[], longest: readonly Atom[]): boolean {
  if (read.length > longest.length) return false;
  for (let i = 0; i < read.length; i++) if (read[i] !== longest[i]) return false;
  return true;
}

/** The longest read is the order; reads that are not a prefix of it are incompatible and left out. */
function versionOrder(
  key: Atom,
  reads: Read[],
  writers: Map<Atom, Writer> | undefined,
  txns: readonly Txn[],
  findings: Findings,
): KeyOrder {
  let longest = reads[0];
  for (const r of reads) if (r.values.length > longest.values.length) longest = r;
  const values = longest.values;
  const position = new Map<Atom, number>();
  const order: KeyOrder = { values, position, writers: new Int32Array(values.length) };
  values.forEach((v, i) => {
    if (!position.has(v)) position.set(v, i);
    order.writers[i] = writers?.get(v)?.txn ?? -1;
  });
  let kept = 0;
  for (const r of reads) {
    if (isPrefix(r.values, values)) {
      reads[kept++] = r;
      continue;
    }
    findings.add('incompatible-order', () => ({
      txns: [view(txns[longest.txn]), view(txns[r.txn])],
      key,
      explanation: `one read of key ${key} returned ${listText(values)} and another ${listText(r.values)}: neither is a prefix of the other, so they cannot both come from one history of the key`,
    }));
    seenElements(key, r, writers, txns, findings);
  }
  reads.length = kept;
  seenElements(key, longest, writers, txns, findings);
  return order;
}

/** Elements no append wrote (garbage) or that a failed transaction appended (G1a, aborted read). */
function seenElements(
  key: Atom,
  read: Read,
  writers: Map<Atom, Writer> | undefined,
  txns: readonly Txn[],
  findings: Findings,
): void {
  // Reads that are a prefix of this one hold no duplicate unless it does.
  if (new Set(read.values).size !== read.values.length) {
    findings.add('duplicate-elements', () => ({
      txns: [view(txns[read.txn])],
      key,
      explanation: `read ${listText(read.values)} of key ${key} holds an element more than once, though every append was unique`,
    }));
  }
  for (const v of read.values) {
    const writer = writers?.get(v);
    if (!writer) {
      findings.add('garbage', () => ({
        txns: [view(txns[read.txn])],
        key,
        explanation: `read of key ${key} returned element ${v}, which no transaction appended`,
      }));
    } else if (txns[writer.txn].outcome === 'fail') {
      const appender = txns[writer.txn];
      findings.add('G1a', () => ({
        txns: [view(appender), view(txns[read.txn])],
        key,
        explanation: `operation ${appender.index} appended ${v} to key ${key} and failed (aborted), yet operation ${txns[read.txn].index} read it`,
      }));
    }
  }
}

/** wr: the appender of the last element read -> the reader. rw: the reader -> the appender of the next version. */
function readEdges(
  key: Atom,
  reads: readonly Read[],
  order: KeyOrder,
  writers: Map<Atom, Writer> | undefined,
  txns: readonly Txn[],
  findings: Findings,
  addEdge: AddEdge,
): void {
  for (const r of reads) {
    const n = r.values.length;
    if (n > 0) {
      const last = r.values[n - 1];
      const writer = writers?.get(last);
      if (writer && writer.txn !== r.txn && txns[writer.txn].outcome !== 'fail') {
        addEdge(writer.txn, r.txn, EDGE.wr);
        if (!writer.last) {
          const appender = txns[writer.txn];
          findings.add('G1b', () => ({
            txns: [view(appender), view(txns[r.txn])],
            key,
            explanation: `operation ${txns[r.txn].index} read key ${key} up to ${last}, an intermediate state: operation ${appender.index} appended more to the key after ${last} in the same transaction`,
          }));
        }
      }
    }
    if (n < order.values.length) {
      const next = order.writers[n];
      if (next >= 0 && next !== r.txn && txns[next].outcome !== 'fail') addEdge(r.txn, next, EDGE.rw);
    }
  }
}

/** ww: each element's appender -> the appender of the element right after it. */
function writeEdges(order: KeyOrder, txns: readonly Txn[], addEdge: AddEdge): void {
  const w = order.writers;
  for (let i = 0; i + 1 < w.length; i++) {
    const a = w[i];
    const b = w[i + 1];
    if (a < 0 || b < 0 || a === b || txns[a].outcome === 'fail' || txns[b].outcome === 'fail') continue;
    addEdge(a, b, EDGE.ww);
  }
}

/**
 * Transactions known to have taken effect: the committed ones, and the pending ones some read
 * shows an append of (a transaction is atomic: then all its appends happened).
 */
function landedTxns(txns: readonly Txn[], orders: Map<Atom, KeyOrder>): Uint8Array {
  const landed = new Uint8Array(txns.length);
  for (const txn of txns) if (txn.outcome === 'ok') landed[txn.id] = 1;
  for (const order of orders.values()) {
    for (const w of order.writers) if (w >= 0 && txns[w].outcome === 'info') landed[w] = 1;
  }
  return landed;
}

/**
 * A committed append that no read shows must come after every version the reads show: the
 * appender of the last version read precedes it (ww), and so does every read of that last
 * version (rw). Without this, a read that misses a committed append would go unexplained.
 */
function unreadEdges(
  reads: readonly Read[],
  order: KeyOrder,
  writers: Map<Atom, Writer> | undefined,
  landed: Uint8Array,
  addEdge: AddEdge,
): void {
  const last = order.values.length > 0 ? order.writers[order.values.length - 1] : -1;
  for (const [value, writer] of writers ?? []) {
    if (order.position.has(value) || !landed[writer.txn]) continue;
    if (last >= 0 && last !== writer.txn && landed[last]) addEdge(last, writer.txn, EDGE.ww);
    for (const r of reads) {
      if (r.values.length === order.values.length && r.txn !== writer.txn)
        addEdge(r.txn, writer.txn, EDGE.rw);
    }
  }
}

/** P4: two committed transactions read the same version of a key (before appending to it) and both appended. */
function lostUpdates(txns: readonly Txn[], findings: Findings): void {
  const byVersion = new Map<Atom, Map<Atom | null, Txn[]>>();
  for (const txn of txns) {
    if (txn.outcome !== 'ok') continue;
    const ops = txn.ops;
    for (let i = 0; i < ops.length; i++) {
      const m = ops[i];
      if (m.f !== 'append') continue;
      let read: Atom[] | null = null;
      let appendedBefore = false;
      for (let j = 0; j < i && !appendedBefore; j++) {
        const p = ops[j];
        if (p.key !== m.key) continue;
        if (p.f === 'append') appendedBefore = true;
        else if (read === null) read = p.value;
      }
      if (appendedBefore || read === null) continue;
      entry(
        entry(byVersion, m.key, () => new Map<Atom | null, Txn[]>()),
        read.at(-1) ?? null,
        () => [],
      ).push(txn);
    }
  }
  for (const [key, versions] of byVersion) {
    for (const [version, group] of versions) {
      if (group.length < 2) continue;
      findings.add('lost-update', () => ({
        txns: group.slice(0, 4).map(view),
        key,
        explanation: `${group.length} committed transactions read key ${key} at the same version (${version === null ? 'empty' : `ending in ${version}`}) and each appended to it: each wrote as if the others had not`,
      }));
    }
  }
}

/** Acknowledged appends the final read of their key lacks; returns how many pending appends did land. */
function lostAppends(txns: readonly Txn[], orders: Map<Atom, KeyOrder>, findings: Findings): number {
  const finalReads = new Map<Atom, { txn: Txn; values: Set<Atom> }>();
  for (const txn of txns) {
    if (!txn.final || txn.outcome !== 'ok') continue;
    for (const m of txn.ops) {
      if (m.f !== 'r' || m.value === null) continue;
      const seen = finalReads.get(m.key);
      if (!seen || seen.values.size < m.value.length)
        finalReads.set(m.key, { txn, values: new Set(m.value) });
    }
  }
  let recovered = 0;
  for (const txn of txns) {
    if (txn.outcome === 'fail') continue;
    for (const m of txn.ops) {
      if (m.f !== 'append') continue;
      if (txn.outcome === 'info') {
        if (orders.get(m.key)?.position.has(m.value)) recovered++;
        continue;
      }
      const final = finalReads.get(m.key);
      if (!final || final.values.has(m.value)) continue;
      findings.add('lost', () => ({
        txns: [view(txn), view(final.txn)],
        key: m.key,
        explanation: `operation ${txn.index} appended ${m.value} to key ${m.key} and committed, but the final read of the key (operation ${final.txn.index}) does not contain it`,
      }));
    }
  }
  return recovered;
}
