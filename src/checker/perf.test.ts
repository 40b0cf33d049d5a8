import { describe, expect, it } from 'vitest';
import type { NemesisEvent, Operation, Outcome } from '../history/types.js';
import { faultWindows, perf, quantiles } from './perf.js';

const MS = 1e6;
const S = 1e9;

function op(index: number, f: string, outcome: Outcome, callMs: number, retMs: number): Operation {
  const pending = outcome === 'info';
  return {
    index,
    process: index,
    f,
    key: 'k0',
    input: null,
    outcome,
    pending,
    call: callMs * MS,
    ret: pending ? Number.POSITIVE_INFINITY : retMs * MS,
    completedAt: retMs * MS,
  };
}

function nemesis(f: string, timeS: number): NemesisEvent {
  return { f, value: null, time: timeS * S, type: 'info' };
}

describe('quantiles', () => {
  it('uses nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantiles(samples)).toEqual({ p50: 50, p90: 90, p99: 99, max: 100 });
    expect(quantiles([7])).toEqual({ p50: 7, p90: 7, p99: 7, max: 7 });
    expect(quantiles([])).toBeNull();
  });
});

describe('faultWindows', () => {
  it('pairs starts and stops per kind; an unstopped fault lasts to the end', () => {
    const windows = faultWindows([
      nemesis('start-partition', 1),
      nemesis('kill', 1.5),
      nemesis('stop-partition', 2),
      nemesis('restart', 3),
      nemesis('pause', 4),
    ]);
    expect(windows).toEqual([
      { kind: 'partition', start: 1 * S, end: 2 * S },
      { kind: 'kill', start: 1.5 * S, end: 3 * S },
      { kind: 'pause', start: 4 * S, end: Number.POSITIVE_INFINITY },
    ]);
  });
  it("reads Jepsen's plain start/stop", () => {
    expect(faultWindows([nemesis('start', 1), nemesis('stop', 2)])).toEqual([
      { kind: '', start: S, end: 2 * S },
    ]);
  });
});

describe('perf', () => {
  const operations = [
    op(0, 'read', 'ok', 0, 10), // before the fault
    op(1, 'write', 'ok', 100, 120),
    op(2, 'write', 'info', 1100, 2100), // inside: timed out
    op(3, 'read', 'fail', 1200, 1205), // inside
    { ...op(6, 'cas', 'fail', 1250, 1260), error: 'cas-mismatch' }, // inside, answered
    op(4, 'cas', 'ok', 1300, 1400), // inside
    op(5, 'read', 'ok', 2500, 2502), // after
  ];
  const result = perf({ operations, nemesis: [nemesis('start-partition', 1), nemesis('stop-partition', 2)] });

  it('counts outcomes overall and per f', () => {
    expect(result.valid).toBe(true);
    expect(result.ops).toBe(7);
    expect(result.counts).toEqual({ ok: 4, fail: 2, info: 1 });
    expect(result.byF.read).toMatchObject({ ok: 2, fail: 1, info: 0 });
    expect(result.byF.write).toMatchObject({ ok: 1, fail: 0, info: 1 });
    expect(result.byF.cas).toMatchObject({ ok: 1, fail: 1, info: 0 });
  });
  it('measures latency of every completed operation, a timed-out one up to its info line', () => {
    expect(result.byF.read.latencyMs).toEqual({ p50: 5, p90: 10, p99: 10, max: 10 });
    expect(result.byF.write.latencyMs).toEqual({ p50: 20, p90: 1000, p99: 1000, max: 1000 });
    expect(result.latencyMs?.max).toBe(1000);
  });
  it("counts a lock held by another and a fence's rejection as answers, a refused connection not", () => {
    const lockOps = [
      { ...op(0, 'acquire', 'fail', 0, 10), error: 'held' },
      { ...op(1, 'write', 'fail', 20, 30), error: 'fenced' },
      { ...op(2, 'acquire', 'fail', 40, 50), error: 'not-connected' },
      op(3, 'acquire', 'ok', 60, 70),
    ];
    expect(perf({ operations: lockOps, nemesis: [] }).availability.overall).toMatchObject({
      ops: 4,
      ok: 1,
      answered: 3,
    });
  });
  it('splits availability by fault windows', () => {
    // A cas that found another value was answered: the store was available for it.
    expect(result.availability.insideFaults).toEqual({
      ops: 4,
      ok: 1,
      share: 0.25,
      answered: 2,
      answeredShare: 0.5,
    });
    expect(result.availability.outsideFaults).toEqual({
      ops: 3,
      ok: 3,
      share: 1,
      answered: 3,
      answeredShare: 1,
    });
    expect(result.availability.overall).toEqual({
      ops: 7,
      ok: 4,
      share: 0.5714,
      answered: 5,
      answeredShare: 0.7143,
    });
    expect(result.faultWindows).toEqual([{ kind: 'partition', start: 1, end: 2 }]);
  });
  it('reports throughput over the span of the history', () => {
    expect(result.durationS).toBe(2.502);
    expect(result.throughput.opsPerS).toBeCloseTo(7 / 2.502, 2);
    expect(result.throughput.okPerS).toBeCloseTo(4 / 2.502, 2);
  });
  it('leaves the final reads, after the recovery pause, out of the throughput', () => {
    const final = { ...op(7, 'read', 'ok', 9000, 9001), extra: { final: true } };
    const withFinal = perf({ operations: [...operations, final], nemesis: [] });
    expect(withFinal.durationS).toBe(2.502);
    expect(withFinal.throughput.opsPerS).toBeCloseTo(7 / 2.502, 2);
    expect(withFinal.counts.ok).toBe(5);
  });
  it('buckets completions per second', () => {
    expect(result.timeline).toEqual([
      { second: 0, ok: 2, fail: 0, info: 0 },
      { second: 1, ok: 1, fail: 2, info: 0 },
      { second: 2, ok: 1, fail: 0, info: 1 },
    ]);
  });
  it('handles an empty history', () => {
    const empty = perf({ operations: [], nemesis: [] });
    expect(empty).toMatchObject({
      ops: 0,
      durationS: 0,
      latencyMs: null,
      throughput: { opsPerS: 0, okPerS: 0 },
    });
    expect(empty.availability.overall.share).toBeNull();
  });
});
