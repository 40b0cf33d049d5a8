import type { History, Json, Operation } from '../history/types.js';
import type { Quantiles } from './perf.js';
import { Samples } from './streaming/samples.js';
import { KeySpill } from './streaming/spill.js';
import type { Checker, CheckerResult, StreamCheck } from './types.js';
import { duration, percent } from './words.js';

/**
 * Stale reads and session guarantees on registers (read / write / cas).
 *
 * Values written to a key are unique, so a read's value names the write that wrote it. The
 * checker only uses orders between writes that are certain:
 * - real time: a write invoked after another completed (ok) comes after it;
 * - cas chains: a cas expecting value v comes after the write of v;
 * and chains of both. A pending (info) write may sit inside such a chain only when a cas that
 * expected its value proves it took effect; its own completion is unknown, so it never
 * supersedes anything by itself.
 *
 * A value is "definitely superseded" at the earliest completion of an ok write or cas that must
 * come after the value's write; the initial value (null) at the first ok write of the key. A read
 * is stale when it began after its value was definitely superseded. A process violates
 * read-your-writes when it reads a value certainly older than one it wrote (and saw acknowledged),
 * and monotonic reads when it reads a value certainly older than one it read before.
 */

/** An operation involved in a finding, as the report shows it. */
export interface OpRef {
  index: number;
  process: number;
  f: string;
  key: string | null;
  /** What it did, e.g. "read 7", "write 7", "cas 5→7". */
  description: string;
  /** Invocation and completion in seconds since the run started (completion null while pending). */
  call: number;
  ret: number | null;
  node?: string;
}

export interface StaleRead {
  key: string | null;
  read: OpRef;
  /** The write of the value read (null when it is the initial value). */
  write: OpRef | null;
  /** The completed write that certainly came after it, by whose completion the value was superseded. */
  supersededBy: OpRef;
  /** From that completion to the read's invocation. */
  stalenessMs: number;
}

export interface SessionViolation {
  kind: 'read-your-writes' | 'monotonic-reads';
  process: number;
  key: string | null;
  /** The process's own write (read-your-writes) or its earlier read (monotonic reads). */
  earlier: OpRef;
  /** The later read that went back in time. */
  read: OpRef;
  /** The write of the older value the read returned (null for the initial value). */
  olderWrite: OpRef | null;
  explanation: string;
}

export interface StaleReadsResult extends CheckerResult {
  valid: boolean;
  /** Ok reads judged. */
  reads: number;
  staleReads: number;
  /** staleReads / reads; null without reads. */
  share: number | null;
  stalenessMs: Quantiles | null;
  byNode: {
    node: string;
    reads: number;
    stale: number;
    share: number | null;
    maxStalenessMs: number | null;
  }[];
  /** Per second of the run (by the read's invocation). */
  timeline: { second: number; reads: number; stale: number; maxStalenessMs: number | null }[];
  /** The stalest reads, stalest first. */
  worst: StaleRead[];
  readYourWrites: { count: number; examples: SessionViolation[] };
  monotonicReads: { count: number; examples: SessionViolation[] };
  /** Reads of a value no write wrote, or that several writes wrote: not judged (linearizability judges them). */
  unexplained: number;
  ms: number;
}

export interface StaleReadsOptions {
  /** Examples kept per finding (default 20). */
  examples?: number;
}

const NS_PER_MS = 1e6;
const NS_PER_S = 1e9;
/** Seen values a process remembers per key to compare later reads against (the newest ones). */
const FRONTIER = 8;

/** A write (or the initial value) of one key: a node of the order graph. */
interface WriteNode {
  op: Operation | null;
  value: Json;
  call: number;
  /** Completion when ok; Infinity while pending; -Infinity for the initial value. */
  ret: number;
  ok: boolean;
  /** The cas that expected this value: the writes certainly after it by a cas edge. */
  casChildren: number[];
  /** The node whose value this cas expected, if known; -1 otherwise. */
  casParent: number;
  /**
   * Earliest ok completion among the writes certainly after this one (Infinity if none): when its
   * value was definitely superseded. And the node that completes then.
   */
  superseded: number;
  supersededBy: number;
  /** The same with this node's own completion included. */
  reach: number;
  reachBy: number;
  /** Latest invocation among this node and its cas ancestors. */
  chainCall: number;
  /** Euler-tour interval in the cas forest: ancestor tests in constant time. */
  tin: number;
  tout: number;
}

export function checkStaleReads(
  history: Pick<History, 'operations'>,
  options: StaleReadsOptions = {},
): StaleReadsResult {
  const tally = new StaleReadsTally(options);
  for (const [key, ops] of registerOpsByKey(history.operations)) tally.key(key, ops);
  return tally.finish();
}

/**
 * The findings, one key at a time (keys in the order the history first names them, each key's
 * operations in invocation order): memory is bounded by the largest key, and the aggregates by
 * nodes and seconds.
 */
class StaleReadsTally {
  private readonly started = performance.now();
  private readonly keep: number;
  private readonly staleness = new Samples();
  private readonly worst: StaleRead[] = [];
  private worstFloor = Number.NEGATIVE_INFINITY;
  private readonly nodes = new Map<string, { reads: number; stale: number; max: number }>();
  private readonly seconds = new Map<number, { reads: number; stale: number; max: number }>();
  private readonly sessions: Sessions;
  private reads = 0;
  private unexplained = 0;

  constructor(options: StaleReadsOptions) {
    this.keep = options.examples ?? 20;
    this.sessions = { keep: this.keep, ryw: [], mono: [], rywCount: 0, monoCount: 0 };
  }

  /** All the judged operations of one key, in invocation order. */
  key(key: string | null, ops: readonly Operation[]): void {
    const { keep, worst } = this;
    const graph = buildGraph(ops);
    for (const read of ops) {
      if (read.f !== 'read' || read.outcome !== 'ok') continue;
      const w = graph.byValue.get(valueKey(read.output ?? null));
      this.reads++;
      const node = read.node ?? 'unknown';
      const perNode = this.nodes.get(node) ?? { reads: 0, stale: 0, max: 0 };
      this.nodes.set(node, perNode);
      perNode.reads++;
      const second = Math.floor(read.call / NS_PER_S);
      const perSecond = this.seconds.get(second) ?? { reads: 0, stale: 0, max: 0 };
      this.seconds.set(second, perSecond);
      perSecond.reads++;
      if (w === undefined) {
        this.unexplained++;
        continue;
      }
      const source = graph.nodes[w];
      if (source.superseded < read.call) {
        const ms = (read.call - source.superseded) / NS_PER_MS;
        this.staleness.add(ms);
        perNode.stale++;
        perNode.max = Math.max(perNode.max, ms);
        perSecond.stale++;
        perSecond.max = Math.max(perSecond.max, ms);
        if (worst.length < keep || ms > this.worstFloor) {
          worst.push({
            key,
            read: ref(read),
            write: source.op ? ref(source.op) : null,
            supersededBy: ref(graph.nodes[source.supersededBy].op as Operation),
            stalenessMs: round(ms),
          });
          worst.sort((a, b) => b.stalenessMs - a.stalenessMs);
          if (worst.length > keep) worst.length = keep;
          this.worstFloor =
            worst.length < keep ? Number.NEGATIVE_INFINITY : worst[worst.length - 1].stalenessMs;
        }
      }
    }
    checkSessions(key, ops, graph, this.sessions);
  }

  finish(): StaleReadsResult {
    const { sessions, reads } = this;
    const stale = this.staleness.size;
    const share = (part: number, whole: number) => (whole > 0 ? round(part / whole, 4) : null);
    return {
      valid: stale === 0 && sessions.rywCount === 0 && sessions.monoCount === 0,
      reads,
      staleReads: stale,
      share: share(stale, reads),
      stalenessMs: this.staleness.quantiles(),
      byNode: [...this.nodes.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([node, n]) => ({
          node,
          reads: n.reads,
          stale: n.stale,
          share: share(n.stale, n.reads),
          maxStalenessMs: n.stale > 0 ? round(n.max) : null,
        })),
      timeline: [...this.seconds.entries()]
        .sort(([a], [b]) => a - b)
        .map(([second, s]) => ({
          second,
          reads: s.reads,
          stale: s.stale,
          maxStalenessMs: s.stale > 0 ? round(s.max) : null,
        })),
      worst: this.worst,
      readYourWrites: { count: sessions.rywCount, examples: sessions.ryw },
      monotonicReads: { count: sessions.monoCount, examples: sessions.mono },
      unexplained: this.unexplained,
      ms: Math.round(performance.now() - this.started),
    };
  }
}

/**
 * Stale reads over a stream of operations: the judged ones are spilled to their key's file, then
 * judged one key at a time as `checkStaleReads` judges them, with the same result.
 */
class StaleReadsStream implements StreamCheck<StaleReadsResult> {
  private readonly spill = new KeySpill();

  constructor(private readonly options: StaleReadsOptions) {}

  add(op: Operation): void {
    if (judged(op)) this.spill.add(op);
  }

  finish(): StaleReadsResult {
    try {
      const tally = new StaleReadsTally(this.options);
      for (const { key } of this.spill.keys) tally.key(key, this.spill.load(key));
      return tally.finish();
    } finally {
      this.spill.close();
    }
  }
}

/** Session-guarantee findings across keys, with examples kept up to `keep` each. */
interface Sessions {
  keep: number;
  ryw: SessionViolation[];
  mono: SessionViolation[];
  rywCount: number;
  monoCount: number;
}

/** The operations stale reads are judged on, by key: register operations that did not fail. */
function registerOpsByKey(operations: readonly Operation[]): Map<string | null, Operation[]> {
  const byKey = new Map<string | null, Operation[]>();
  for (const op of operations) {
    if (!judged(op)) continue;
    let list = byKey.get(op.key);
    if (!list) {
      list = [];
      byKey.set(op.key, list);
    }
    list.push(op);
  }
  return byKey;
}

function judged(op: Operation): boolean {
  return REGISTER_FS.has(op.f) && op.outcome !== 'fail';
}

/** Session guarantees: each process's ok operations on one key in its own (sequential) order. */
function checkSessions(
  key: string | null,
  ops: readonly Operation[],
  graph: Graph,
  sessions: Sessions,
): void {
  // Per process, the newest values it wrote and read on this key.
  const written = new Map<number, number[]>();
  const seen = new Map<number, number[]>();
  const sessionOps = ops
    .filter((op) => op.outcome === 'ok')
    .sort((a, b) => a.process - b.process || a.call - b.call);
  for (const op of sessionOps) {
    if (op.f === 'read') {
      const u = graph.byValue.get(valueKey(op.output ?? null));
      if (u === undefined) continue;
      const mine = written.get(op.process) ?? [];
      const before = seen.get(op.process) ?? [];
      const newerWrite = mine.find((v) => graph.older(u, v));
      if (newerWrite !== undefined) {
        sessions.rywCount++;
        if (sessions.ryw.length < sessions.keep)
          sessions.ryw.push(violation('read-your-writes', graph, key, newerWrite, op, u));
      } else {
        const newerRead = before.find((v) => graph.older(u, v));
        if (newerRead !== undefined) {
          sessions.monoCount++;
          if (sessions.mono.length < sessions.keep)
            sessions.mono.push(violation('monotonic-reads', graph, key, newerRead, op, u));
        }
      }
      seen.set(op.process, remember(graph, before, u, op));
    } else {
      const w = graph.byValue.get(valueKey(writtenValue(op)));
      if (w !== undefined) written.set(op.process, remember(graph, written.get(op.process) ?? [], w, op));
    }
  }
}

/** The register operations whose reads can be stale. */
const REGISTER_FS: ReadonlySet<string> = new Set(['read', 'write', 'cas']);

export interface StaleReadsDigest {
  reads: number;
  stale: number;
  share: number | null;
  maxMs: number | null;
}

/**
 * Stale reads and session guarantees on registers. Never chosen by default: on a register
 * history linearizability says more, and this is what to ask for next (`--checker stale-reads`).
 */
export const staleReadsChecker: Checker<Record<string, never>, StaleReadsResult, StaleReadsDigest> = {
  name: 'stale-reads',
  optionNames: [],
  appliesTo: () => false,
  options: () => ({}),
  check: (history) => checkStaleReads(history),
  stream: () => new StaleReadsStream({}),
  summary: (r) => [summaryWords(r)],
  found: (r) => [
    r.staleReads > 0
      ? `${r.staleReads.toLocaleString('en')} of ${r.reads.toLocaleString('en')} reads were stale (returned a value already overwritten), up to ${r.stalenessMs?.max ?? 0} ms.`
      : `No stale read in ${r.reads.toLocaleString('en')} reads.`,
    `Per client: ${r.readYourWrites.count} read-your-writes and ${r.monotonicReads.count} monotonic-reads violations.`,
  ],
  compare: {
    column: 'stale reads (share, worst)',
    digest: (r) => ({
      reads: r.reads,
      stale: r.staleReads,
      share: r.share,
      maxMs: r.stalenessMs?.max ?? null,
    }),
    cell: (d) =>
      d.stale === 0
        ? `none of ${d.reads.toLocaleString('en')}`
        : `${percent(d.share ?? 0)}, ${d.maxMs === null ? '?' : duration(d.maxMs)}`,
  },
};

/** Whether every operation is a register's: what stale reads are defined on. */
export function registerHistory(history: Pick<History, 'operations'>): boolean {
  return history.operations.length > 0 && history.operations.every((op) => REGISTER_FS.has(op.f));
}

function summaryWords(r: StaleReadsResult): string {
  const sessions = `read-your-writes violations: ${r.readYourWrites.count}, monotonic-reads violations: ${r.monotonicReads.count}`;
  if (r.staleReads === 0) return `stale reads: none in ${r.reads} reads; ${sessions}`;
  const pct = ((r.share ?? 0) * 100).toFixed(2);
  return (
    `STALE READS: ${r.staleReads} of ${r.reads} reads (${pct}%) returned an overwritten value, ` +
    `up to ${r.stalenessMs?.max} ms stale (p50 ${r.stalenessMs?.p50} ms); ${sessions}`
  );
}

/**
 * Adds a value a process saw to its remembered newest values: values certainly older than it are
 * forgotten (anything older than them is older than it too), and the list stays short.
 */
function remember(graph: Graph, values: number[], value: number, op: Operation): number[] {
  graph.witness.set(`${op.process}:${value}`, op);
  if (values.includes(value) || values.some((v) => graph.older(value, v))) return values;
  const kept = values.filter((v) => !graph.older(v, value));
  kept.push(value);
  return kept.length > FRONTIER ? kept.slice(kept.length - FRONTIER) : kept;
}

function violation(
  kind: SessionViolation['kind'],
  graph: Graph,
  key: string | null,
  newer: number,
  read: Operation,
  older: number,
): SessionViolation {
  const earlier = graph.witness.get(`${read.process}:${newer}`) as Operation;
  const olderNode = graph.nodes[older];
  const newerNode = graph.nodes[newer];
  const olderText = olderNode.op
    ? `${describe(olderNode.op)} (operation ${olderNode.op.index})`
    : 'the initial value';
  const how =
    olderNode.op === null
      ? 'every written value replaces the initial one'
      : olderNode.ret < newerNode.call
        ? 'it completed before that write began'
        : graph.isCasAncestor(older, newer)
          ? 'a chain of compare-and-sets leads from one to the other'
          : 'a chain of writes, each certainly after the one before, leads from one to the other';
  const what =
    kind === 'read-your-writes'
      ? `process ${read.process} wrote ${show(newerNode.value)} (operation ${earlier.index}, acknowledged)`
      : `process ${read.process} read ${show(newerNode.value)} (operation ${earlier.index})`;
  return {
    kind,
    process: read.process,
    key,
    earlier: ref(earlier),
    read: ref(read),
    olderWrite: olderNode.op ? ref(olderNode.op) : null,
    explanation:
      `${what}, then read ${show(olderNode.value)} (operation ${read.index}), an older value: ` +
      `${olderText} certainly came before the write of ${show(newerNode.value)}: ${how}`,
  };
}

interface Graph {
  nodes: WriteNode[];
  /** Value -> its write's node; values written more than once are left out (ambiguous). */
  byValue: Map<string | number, number>;
  /** True when the write of node a certainly came before the write of node b. */
  older(a: number, b: number): boolean;
  isCasAncestor(a: number, b: number): boolean;
  /** The operation by which a process saw a value: "process:node" -> operation. */
  witness: Map<string, Operation>;
}

function buildGraph(ops: readonly Operation[]): Graph {
  const nodes: WriteNode[] = [newNode(null, null, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, true)];
  const byValue = new Map<string | number, number>([[valueKey(null), 0]]);
  const duplicated = new Set<string | number>();
  for (const op of ops) {
    if (op.f === 'read') continue;
    const value = writtenValue(op);
    const n = nodes.length;
    nodes.push(newNode(op, value, op.call, op.ret, op.outcome === 'ok'));
    const k = valueKey(value);
    if (byValue.has(k)) duplicated.add(k);
    else byValue.set(k, n);
  }
  for (const k of duplicated) byValue.delete(k);

  for (let n = 1; n < nodes.length; n++) {
    const op = nodes[n].op as Operation;
    if (op.f !== 'cas' || !Array.isArray(op.input)) continue;
    const parent = byValue.get(valueKey(op.input[0] ?? null));
    if (parent === undefined || parent === n) continue;
    nodes[n].casParent = parent;
    nodes[parent].casChildren.push(n);
  }

  // Earliest ok completion reachable from each node (its own included), relaxed to a fixpoint:
  // children by real time have later invocations, so a pass in descending invocation order sees
  // them done; cas children may be invoked earlier and need another pass (rarely more than two).
  const order = nodes.map((_, n) => n).sort((a, b) => nodes[a].call - nodes[b].call);
  const calls = Float64Array.from(order, (n) => nodes[n].call);
  const suffix = new Float64Array(order.length + 1).fill(Number.POSITIVE_INFINITY);
  const suffixBy = new Int32Array(order.length + 1).fill(-1);
  for (let pass = 0, changed = true; changed && pass < nodes.length + 1; pass++) {
    changed = false;
    for (let i = order.length - 1; i >= 0; i--) {
      const n = order[i];
      const node = nodes[n];
      const after = firstAbove(calls, node.ret);
      let best = suffix[after];
      let by = suffixBy[after];
      for (const c of node.casChildren) {
        if (nodes[c].reach < best) {
          best = nodes[c].reach;
          by = nodes[c].reachBy;
        }
      }
      if (best < node.superseded) {
        node.superseded = best;
        node.supersededBy = by;
        changed = true;
      }
      if (node.ok && node.op !== null && node.ret < best) {
        best = node.ret;
        by = n;
      }
      if (best < node.reach) {
        node.reach = best;
        node.reachBy = by;
        changed = true;
      }
      if (node.reach < suffix[i + 1]) {
        suffix[i] = node.reach;
        suffixBy[i] = node.reachBy;
      } else {
        suffix[i] = suffix[i + 1];
        suffixBy[i] = suffixBy[i + 1];
      }
    }
  }

  // The cas forest: latest invocation along each chain, and Euler intervals for ancestry.
  let clock = 0;
  for (let root = 0; root < nodes.length; root++) {
    if (nodes[root].casParent !== -1) continue;
    const stack: [number, number][] = [[root, 0]];
    nodes[root].tin = clock++;
    nodes[root].chainCall = nodes[root].call;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [n, next] = top;
      if (next < nodes[n].casChildren.length) {
        top[1]++;
        const c = nodes[n].casChildren[next];
        nodes[c].tin = clock++;
        nodes[c].chainCall = Math.max(nodes[c].call, nodes[n].chainCall);
        stack.push([c, 0]);
      } else {
        nodes[n].tout = clock++;
        stack.pop();
      }
    }
  }

  const isCasAncestor = (a: number, b: number): boolean =>
    a !== b &&
    nodes[a].tin >= 0 &&
    nodes[b].tin >= 0 &&
    nodes[a].tin < nodes[b].tin &&
    nodes[b].tout < nodes[a].tout;
  return {
    nodes,
    byValue,
    witness: new Map(),
    isCasAncestor,
    // a is before b iff some path leads from a to b. Take the path's last real-time edge, if any:
    // it leaves a node reachable from a (so completing no earlier than a's reach) and enters a cas
    // ancestor of b (invoked no later than b's chainCall). Without one, a is b's cas ancestor.
    older(a, b) {
      if (a === b) return false;
      if (a === 0) return true;
      if (b === 0) return false;
      return nodes[a].reach < nodes[b].chainCall || isCasAncestor(a, b);
    },
  };
}

function newNode(op: Operation | null, value: Json, call: number, ret: number, ok: boolean): WriteNode {
  return {
    op,
    value,
    call,
    ret,
    ok,
    casChildren: [],
    casParent: -1,
    superseded: Number.POSITIVE_INFINITY,
    supersededBy: -1,
    reach: Number.POSITIVE_INFINITY,
    reachBy: -1,
    chainCall: call,
    tin: -1,
    tout: -1,
  };
}

/** Index of the first sorted value strictly above x. */
export function firstAbove(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function writtenValue(op: Operation): Json {
  if (op.f === 'cas') return Array.isArray(op.input) ? (op.input[1] ?? null) : null;
  return op.input;
}

function valueKey(value: Json): string | number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return `s:${value}`;
  return `j:${JSON.stringify(value)}`;
}

function show(value: Json): string {
  return value === null ? 'nothing (null)' : JSON.stringify(value);
}

function describe(op: Operation): string {
  if (op.f === 'read') return `read ${op.outcome === 'ok' ? JSON.stringify(op.output ?? null) : '?'}`;
  if (op.f === 'cas' && Array.isArray(op.input)) {
    return `cas ${JSON.stringify(op.input[0])}→${JSON.stringify(op.input[1])}`;
  }
  return `${op.f} ${JSON.stringify(op.input)}`;
}

export function ref(op: Operation): OpRef {
  const r: OpRef = {
    index: op.index,
    process: op.process,
    f: op.f,
    key: op.key,
    description: describe(op) + (op.pending ? ' (pending)' : ''),
    call: round(op.call / NS_PER_S, 6),
    ret: Number.isFinite(op.ret) ? round(op.ret / NS_PER_S, 6) : null,
  };
  if (op.node !== undefined) r.node = op.node;
  return r;
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
