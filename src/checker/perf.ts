import type { History, NemesisEvent, Operation } from '../history/types.js';
import { faultEdge } from '../nemesis/events.js';
import type { Checker, CheckerResult } from './types.js';

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
}

export interface PerfResult extends CheckerResult {
  valid: true;
  ops: number;
  counts: OutcomeCounts;
  /** Latency in ms of every completed operation (a pending one has no end to measure). */
  latencyMs: Quantiles | null;
  byF: Record<string, OutcomeCounts & { latencyMs: Quantiles | null }>;
  /** From the first invocation to the last event, in seconds. */
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
  const ops = history.operations;
  const windowsNs = faultWindows(history.nemesis);
  const counts = emptyCounts();
  const byF = new Map<string, { counts: OutcomeCounts; latencies: number[] }>();
  const latencies: number[] = [];
  const inside = { ops: 0, ok: 0 };
  const outside = { ops: 0, ok: 0 };
  const timeline = new Map<number, OutcomeCounts>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;

  for (const op of ops) {
    const outcome = op.pending ? 'info' : op.outcome;
    counts[outcome]++;
    const entry = byF.get(op.f) ?? { counts: emptyCounts(), latencies: [] };
    byF.set(op.f, entry);
    entry.counts[outcome]++;
    const end = endOf(op);
    if (end !== undefined) {
      const ms = (end - op.call) / NS_PER_MS;
      latencies.push(ms);
      entry.latencies.push(ms);
    }
    const side = windowsNs.some((w) => op.call >= w.start && op.call < w.end) ? inside : outside;
    side.ops++;
    if (outcome === 'ok') side.ok++;
    const second = Math.floor((end ?? op.call) / NS_PER_S);
    const bucket = timeline.get(second) ?? emptyCounts();
    timeline.set(second, bucket);
    bucket[outcome]++;
    first = Math.min(first, op.call);
    last = Math.max(last, end ?? op.call);
  }
  for (const event of history.nemesis) last = Math.max(last, event.time);

  const durationS = ops.length > 0 ? Math.max(0, last - first) / NS_PER_S : 0;
  const per = (n: number) => (durationS > 0 ? round(n / durationS) : 0);
  return {
    valid: true,
    ops: ops.length,
    counts,
    latencyMs: quantiles(latencies),
    byF: Object.fromEntries(
      [...byF.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([f, e]) => [f, { ...e.counts, latencyMs: quantiles(e.latencies) }]),
    ),
    durationS: round(durationS),
    throughput: { opsPerS: per(ops.length), okPerS: per(counts.ok) },
    availability: {
      overall: availability(inside.ops + outside.ops, inside.ok + outside.ok),
      insideFaults: availability(inside.ops, inside.ok),
      outsideFaults: availability(outside.ops, outside.ok),
    },
    faultWindows: windowsNs.map((w) => ({
      kind: w.kind,
      start: round(w.start / NS_PER_S),
      end: Number.isFinite(w.end) ? round(w.end / NS_PER_S) : null,
    })),
    timeline: [...timeline.entries()].sort(([a], [b]) => a - b).map(([second, c]) => ({ second, ...c })),
  };
}

export const perfChecker: Checker = {
  name: 'perf',
  check: async (history) => perf(history),
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

function availability(ops: number, ok: number): Availability {
  return { ops, ok, share: ops > 0 ? round(ok / ops, 4) : null };
}

function emptyCounts(): OutcomeCounts {
  return { ok: 0, fail: 0, info: 0 };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
