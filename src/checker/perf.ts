import type { History, NemesisEvent, Operation } from '../history/types.js';
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
 * finds another value is a correct, timely answer.
 */
const ANSWERED_FAILURES: ReadonlySet<string> = new Set(['cas-mismatch']);

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
  availability: { overall: Availability; insideFaults: Availability; outsideFaults: Availability };
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
 * `perf` one operation at a time, in any order, in memory bounded by the operation names and the
 * seconds of the run (latencies: see Samples).
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

  constructor(nemesis: readonly NemesisEvent[]) {
    this.windowsNs = faultWindows(nemesis);
  }

  add(op: Operation): void {
    this.ops++;
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
  const open = new Map<string, number>();
  const windows: { kind: string; start: number; end: number }[] = [];
  for (const event of [...events].sort((a, b) => a.time - b.time)) {
    const edge = faultEdge(event.f);
    if (!edge) continue;
    if (edge.edge === 'start') {
      if (!open.has(edge.kind)) open.set(edge.kind, event.time);
    } else {
      const start = open.get(edge.kind);
      if (start !== undefined) {
        windows.push({ kind: edge.kind, start, end: event.time });
        open.delete(edge.kind);
      }
    }
  }
  for (const [kind, start] of open) windows.push({ kind, start, end: Number.POSITIVE_INFINITY });
  return windows.sort((a, b) => a.start - b.start);
}

/** Nearest-rank quantiles; null for no samples. */
export function quantiles(samples: readonly number[]): Quantiles | null {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[sorted.length - 1]) };
}

function endOf(op: Operation): number | undefined {
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
