import type { History, Json, NemesisEvent, Operation } from '../history/types.js';
import { faultEdge } from '../nemesis/events.js';
import { Samples } from './streaming/samples.js';
import type { Checker, CheckerResult, StreamCheck } from './types.js';

export interface Quantiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface OutcomeCounts {
  ok: number;
  fail: number;
  /** `info`, and invocations never completed. */
  info: number;
}

export interface FaultWindow {
  kind: string;
  /** Seconds since the run started. */
  start: number;
  /** Null while the fault was still active at the end of the history. */
  end: number | null;
}

export interface Availability {
  ops: number;
  ok: number;
  /** ok / ops; null when there were no operations. */
  share: number | null;
  /** ok, or a definite refusal the operation itself asked for (a cas whose expected value did not match). */
  answered: number;
  answeredShare: number | null;
}

/**
 * `fail` reasons that are the store working as asked, not the store being unavailable: a cas that
 * finds another value, an acquire that finds the lock held, a write a fenced resource rejects for
 * its old token are correct, timely answers.
 */
export const ANSWERED_FAILURES: ReadonlySet<string> = new Set(['cas-mismatch', 'held', 'fenced']);

/**
 * Client time: each second in which a client (a process id) had an operation under way is one
 * client-second; it was served if an answer reached the client in it. A client stuck in timeouts
 * issues few operations, so a share of operations hides it; a share of client time does not.
 */
export interface ClientTime {
  seconds: number;
  served: number;
  /** served / seconds; null without client time. */
  share: number | null;
}

/**
 * Where a node stood in a fault: the smaller side of a partition (cut off from a majority) or the
 * larger one; for faults that name their nodes (kill, pause), those nodes or the others.
 */
export type FaultSide = 'minority' | 'majority' | 'faulted' | 'others';

/** Availability of the clients of one side of one kind of fault, over all its windows. */
export interface SideAvailability extends Availability {
  kind: string;
  side: FaultSide;
  /** The nodes that were on this side in some window, and had clients. */
  nodes: string[];
  clientTime: ClientTime;
}

export interface PerfResult extends CheckerResult {
  valid: true;
  ops: number;
  counts: OutcomeCounts;
  /** Latency in ms of every completed operation (a pending one has no end to measure). */
  latencyMs: Quantiles | null;
  byF: Record<string, OutcomeCounts & { latencyMs: Quantiles | null }>;
  /** From the first invocation to the last completion, final operations left out, in seconds. */
  durationS: number;
  throughput: { opsPerS: number; okPerS: number };
  /** Operations that were ok, by where their invocation fell. */
  availability: {
    overall: Availability;
    insideFaults: Availability;
    outsideFaults: Availability;
    /** The same by client time, inside and outside the fault windows. */
    clientTime?: { insideFaults: ClientTime; outsideFaults: ClientTime };
    /** Inside the fault windows, by the side of the fault the client's node was on. */
    bySide?: SideAvailability[];
  };
  faultWindows: FaultWindow[];
  /** Completions per second of the run (by completion time; pending ones by invocation). */
  timeline: (OutcomeCounts & { second: number })[];
}

const NS_PER_S = 1e9;
const NS_PER_MS = 1e6;

/**
 * Performance and availability of a history: counts, latency quantiles and throughput per `f`,
 * and the share of operations that succeeded inside and outside the nemesis's fault windows.
 * It judges nothing (always valid): it is the evidence beside the verdict. Times are the
 * history's nanoseconds.
 */
export function perf(history: Pick<History, 'operations' | 'nemesis'>): PerfResult {
  const tally = new PerfTally(history.nemesis);
  for (const op of history.operations) tally.add(op);
  return tally.finish();
}

/**
 * `perf` one operation at a time, in any order: counts and latencies in memory bounded by the
 * operation names and the seconds of the run (latencies: see Samples); availability by side and
 * by client time by clients, seconds and nodes (see SideTally). Never a copy of an operation.
 */
export class PerfTally implements StreamCheck<PerfResult> {
  private readonly windowsNs;
  private readonly counts = emptyCounts();
  private readonly byF = new Map<string, { counts: OutcomeCounts; latencies: Samples }>();
  private readonly latencies = new Samples();
  private readonly inside = { ops: 0, ok: 0, answered: 0 };
  private readonly outside = { ops: 0, ok: 0, answered: 0 };
  private readonly timeline = new Map<number, OutcomeCounts>();
  private ops = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  private timed = 0;
  private timedOk = 0;

  /** Availability by side and by client time, in bounded aggregates (see SideTally). */
  private readonly sides: SideTally;

  constructor(nemesis: readonly NemesisEvent[]) {
    this.windowsNs = faultWindows(nemesis);
    this.sides = new SideTally(nemesis);
  }

  add(op: Operation): void {
    this.ops++;
    this.sides.add(op);
    const outcome = op.pending ? 'info' : op.outcome;
    this.counts[outcome]++;
    const entry = this.byF.get(op.f) ?? { counts: emptyCounts(), latencies: new Samples() };
    this.byF.set(op.f, entry);
    entry.counts[outcome]++;
    const end = endOf(op);
    if (end !== undefined) {
      const ms = (end - op.call) / NS_PER_MS;
      this.latencies.add(ms);
      entry.latencies.add(ms);
    }
    const side = this.windowsNs.some((w) => op.call >= w.start && op.call < w.end)
      ? this.inside
      : this.outside;
    side.ops++;
    if (outcome === 'ok') side.ok++;
    if (outcome === 'ok' || (outcome === 'fail' && ANSWERED_FAILURES.has(op.error ?? ''))) side.answered++;
    const second = Math.floor((end ?? op.call) / NS_PER_S);
    const bucket = this.timeline.get(second) ?? emptyCounts();
    this.timeline.set(second, bucket);
    bucket[outcome]++;
    // The final reads come after a recovery pause: counting that pause would understate throughput.
    if (op.extra?.final !== true) {
      this.timed++;
      if (outcome === 'ok') this.timedOk++;
      this.first = Math.min(this.first, op.call);
      this.last = Math.max(this.last, end ?? op.call);
    }
  }

  finish(): PerfResult {
    const { inside, outside } = this;
    const durationS = this.timed > 0 ? Math.max(0, this.last - this.first) / NS_PER_S : 0;
    const per = (n: number) => (durationS > 0 ? round(n / durationS) : 0);
    return {
      valid: true,
      ops: this.ops,
      counts: this.counts,
      latencyMs: this.latencies.quantiles(),
      byF: Object.fromEntries(
        [...this.byF.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([f, e]) => [f, { ...e.counts, latencyMs: e.latencies.quantiles() }]),
      ),
      durationS: round(durationS),
      throughput: { opsPerS: per(this.timed), okPerS: per(this.timedOk) },
      availability: {
        overall: availability({
          ops: inside.ops + outside.ops,
          ok: inside.ok + outside.ok,
          answered: inside.answered + outside.answered,
        }),
        insideFaults: availability(inside),
        outsideFaults: availability(outside),
        ...this.sides.finish(),
      },
      faultWindows: this.windowsNs.map((w) => ({
        kind: w.kind,
        start: round(w.start / NS_PER_S),
        end: Number.isFinite(w.end) ? round(w.end / NS_PER_S) : null,
      })),
      timeline: [...this.timeline.entries()]
        .sort(([a], [b]) => a - b)
        .map(([second, c]) => ({ second, ...c })),
    };
  }
}

/**
 * Performance and availability: it judges nothing, so `dscheck check` runs it only when asked;
 * the report computes it for every page.
 */
export const perfChecker: Checker<Record<string, never>, PerfResult> = {
  name: 'perf',
  optionNames: [],
  appliesTo: () => false,
  options: () => ({}),
  check: (history) => perf(history),
  stream: (shape) => new PerfTally(shape.nemesis),
  summary(r) {
    if (r.faultWindows.length === 0) return [];
    const pct = (share: number | null) => (share === null ? 'n/a' : `${(share * 100).toFixed(1)}%`);
    const { outsideFaults: outside, insideFaults: inside } = r.availability;
    return [
      `availability: ${pct(outside.answeredShare)} of operations got an answer outside faults, ` +
        `${pct(inside.answeredShare)} during them (ok: ${pct(outside.share)} and ${pct(inside.share)})`,
    ];
  },
  // The report's verdict states operations and availability for every page, perf or not.
  found: () => [],
};

/** Time intervals (ns) during which a fault was active; a fault never stopped lasts to the end. */
export function faultWindows(
  events: readonly NemesisEvent[],
): { kind: string; start: number; end: number }[] {
  return windowsWithValues(events).map(({ kind, start, end }) => ({ kind, start, end }));
}

/** The fault windows with the value of the event that opened each (a partition's grudge, a node). */
function windowsWithValues(
  events: readonly NemesisEvent[],
): { kind: string; start: number; end: number; value: Json }[] {
  const open = new Map<string, NemesisEvent>();
  const windows: { kind: string; start: number; end: number; value: Json }[] = [];
  for (const event of [...events].sort((a, b) => a.time - b.time)) {
    const edge = faultEdge(event.f);
    if (!edge) continue;
    if (edge.edge === 'start') {
      if (!open.has(edge.kind)) open.set(edge.kind, event);
    } else {
      const start = open.get(edge.kind);
      if (start !== undefined) {
        windows.push({ kind: edge.kind, start: start.time, end: event.time, value: start.value });
        open.delete(edge.kind);
      }
    }
  }
  for (const [kind, start] of open) {
    windows.push({ kind, start: start.time, end: Number.POSITIVE_INFINITY, value: start.value });
  }
  return windows.sort((a, b) => a.start - b.start);
}

/**
 * Availability by client time and by side of each fault, one operation at a time in any order,
 * in memory bounded by the clients, the seconds of the run and the nodes of each fault window
 * (never by the operations). A client-second belongs to the window its middle falls in, and to the
 * side of the node the client talked to in it (the node of its earliest operation in that second).
 */
class SideTally {
  private readonly windows;
  private readonly nodes = new Set<string>();
  /** Operations invoked in window w (the first that holds their invocation) by node: "w/node". */
  private readonly inWindow = new Map<
    string,
    { w: number; node: string; ops: number; ok: number; answered: number }
  >();
  /** Every (process, second) in which the process had an operation under way (final reads left out). */
  private readonly cells = new Map<
    string,
    { second: number; served: boolean; node?: string; index: number }
  >();

  constructor(events: readonly NemesisEvent[]) {
    this.windows = windowsWithValues(events);
  }

  add(op: Operation): void {
    if (op.node !== undefined) this.nodes.add(op.node);
    if (op.extra?.final === true) return;
    const answered = isAnswered(op);
    if (op.node !== undefined) {
      const w = this.windows.findIndex((x) => op.call >= x.start && op.call < x.end);
      if (w !== -1) {
        const id = `${w}/${op.node}`;
        const counts = this.inWindow.get(id) ?? { w, node: op.node, ops: 0, ok: 0, answered: 0 };
        this.inWindow.set(id, counts);
        counts.ops++;
        if (!op.pending && op.outcome === 'ok') counts.ok++;
        if (answered) counts.answered++;
      }
    }
    const end = endOf(op) ?? op.call;
    const first = Math.floor(op.call / NS_PER_S);
    const last = Math.floor(end / NS_PER_S);
    for (let second = first; second <= last; second++) {
      const id = `${op.process}/${second}`;
      let cell = this.cells.get(id);
      if (!cell) {
        cell = { second, served: false, node: op.node, index: op.index };
        this.cells.set(id, cell);
      } else if (op.index < cell.index) {
        cell.node = op.node;
        cell.index = op.index;
      }
      if (second === last && answered) cell.served = true;
    }
  }

  finish(): Pick<PerfResult['availability'], 'clientTime' | 'bySide'> {
    const { windows } = this;
    const nodes = [...this.nodes].sort();
    const roles = windows.map((w) => sidesOf(w.kind, w.value, nodes));
    const time = { inside: emptyTime(), outside: emptyTime() };
    const sides = new Map<string, { kind: string; side: FaultSide; nodes: Set<string>; time: ClientTime }>();
    for (const { second, served, node } of this.cells.values()) {
      const middle = (second + 0.5) * NS_PER_S;
      const w = windows.findIndex((x) => middle >= x.start && middle < x.end);
      const t = w === -1 ? time.outside : time.inside;
      t.seconds++;
      if (served) t.served++;
      const side = w === -1 || node === undefined ? undefined : roles[w].get(node);
      if (side === undefined) continue;
      const id = `${windows[w].kind}/${side}`;
      const entry = sides.get(id) ?? { kind: windows[w].kind, side, nodes: new Set(), time: emptyTime() };
      sides.set(id, entry);
      entry.nodes.add(node as string);
      entry.time.seconds++;
      if (served) entry.time.served++;
    }
    const bySide = [...sides.values()].map(({ kind, side, nodes: on, time: t }): SideAvailability => {
      const counts = { ops: 0, ok: 0, answered: 0 };
      for (const c of this.inWindow.values()) {
        if (windows[c.w].kind !== kind || roles[c.w].get(c.node) !== side) continue;
        counts.ops += c.ops;
        counts.ok += c.ok;
        counts.answered += c.answered;
      }
      return { kind, side, nodes: [...on].sort(), ...availability(counts), clientTime: withShare(t) };
    });
    bySide.sort(
      (a, b) => a.kind.localeCompare(b.kind) || SIDE_ORDER.indexOf(a.side) - SIDE_ORDER.indexOf(b.side),
    );
    return {
      clientTime: { insideFaults: withShare(time.inside), outsideFaults: withShare(time.outside) },
      bySide,
    };
  }
}

const SIDE_ORDER: readonly FaultSide[] = ['minority', 'faulted', 'majority', 'others'];

function isAnswered(op: Pick<Operation, 'pending' | 'outcome' | 'error'>): boolean {
  if (op.pending) return false;
  return op.outcome === 'ok' || (op.outcome === 'fail' && ANSWERED_FAILURES.has(op.error ?? ''));
}

/**
 * Each node's side in one fault window. A partition's value maps a node to the nodes it cannot
 * reach: nodes that reach each other form a side, and a side with more than half the nodes is the
 * majority. A fault whose value names nodes (a string or a list) splits them from the others.
 */
function sidesOf(kind: string, value: Json, nodes: readonly string[]): Map<string, FaultSide> {
  const roles = new Map<string, FaultSide>();
  if (kind === 'partition' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const cut = (a: string, b: string) =>
      [value[a], value[b]].some((list, i) => Array.isArray(list) && list.includes(i === 0 ? b : a));
    const all = [...new Set([...nodes, ...Object.keys(value)])];
    const seen = new Set<string>();
    for (const start of all) {
      if (seen.has(start)) continue;
      const side = [start];
      seen.add(start);
      for (let i = 0; i < side.length; i++) {
        for (const other of all) {
          if (!seen.has(other) && !cut(side[i], other)) {
            seen.add(other);
            side.push(other);
          }
        }
      }
      for (const n of side) roles.set(n, side.length * 2 > all.length ? 'majority' : 'minority');
    }
    return roles;
  }
  const named = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  const faulted = new Set(named.filter((n): n is string => typeof n === 'string'));
  if (faulted.size === 0) return roles;
  for (const n of nodes) roles.set(n, faulted.has(n) ? 'faulted' : 'others');
  return roles;
}

function emptyTime(): ClientTime {
  return { seconds: 0, served: 0, share: null };
}

function withShare(t: ClientTime): ClientTime {
  return { ...t, share: t.seconds > 0 ? round(t.served / t.seconds, 4) : null };
}

/** Nearest-rank quantiles; null for no samples. */
export function quantiles(samples: readonly number[]): Quantiles | null {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[sorted.length - 1]) };
}

function endOf(op: Pick<Operation, 'ret' | 'completedAt'>): number | undefined {
  if (Number.isFinite(op.ret)) return op.ret;
  return op.completedAt;
}

function availability({ ops, ok, answered }: { ops: number; ok: number; answered: number }): Availability {
  const share = (n: number) => (ops > 0 ? round(n / ops, 4) : null);
  return { ops, ok, share: share(ok), answered, answeredShare: share(answered) };
}

function emptyCounts(): OutcomeCounts {
  return { ok: 0, fail: 0, info: 0 };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
