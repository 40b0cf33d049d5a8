import { describe, expect, it } from 'vitest';
import { checkColdCache } from '../../checker/cold-cache.js';
import { CHECKERS } from '../../checkers.js';
import type { NemesisEvent, Operation } from '../../history/types.js';
import { type CompareRun, digestRun } from './data.js';

/** The comparison page's cold-cache cell of a run, as the table's entry writes it. */
function renderCell(run: CompareRun): string | undefined {
  const entry = CHECKERS.find((c) => c.name === 'cold-cache');
  return entry?.compare?.cell(run.checks['cold-cache']);
}

const S = 1e9;
const op = (
  i: number,
  f: string,
  call: number,
  outcome: Operation['outcome'],
  node: string,
  error?: string,
): Operation => ({
  index: i,
  process: i,
  f,
  key: 'k',
  input: null,
  outcome,
  pending: outcome === 'info',
  call,
  ret: outcome === 'info' ? Number.POSITIVE_INFINITY : call + 0.001 * S,
  completedAt: call + 0.001 * S,
  node,
  error,
});
const nemesis: NemesisEvent[] = [
  { f: 'start-partition', value: { n1: ['n3'], n3: ['n1'] }, time: 1 * S, type: 'info' },
  { f: 'stop-partition', value: null, time: 2 * S, type: 'info' },
];
const history = {
  operations: [
    op(0, 'write', 0.5 * S, 'ok', 'n1'),
    op(1, 'write', 1.2 * S, 'fail', 'n3', 'unavailable'),
    op(2, 'cas', 1.3 * S, 'fail', 'n1', 'cas-mismatch'),
    op(3, 'write', 1.4 * S, 'info', 'n3', 'timeout'),
    op(4, 'read', 2.5 * S, 'ok', 'n1'),
  ],
  nemesis,
};
const test = {
  name: 'r',
  seed: 3,
  command: 'dscheck run --seed 3',
  options: { nemesis: ['partition'], partition: 'one', waitReplicas: 1 },
  store: { name: 'redis', topology: 'replicated', readFrom: 'replicas' },
};

describe('digestRun', () => {
  it('counts writes per node during faults, a cas mismatch as answered, and per-second availability', () => {
    const run = digestRun({ test, results: { valid: true, checkers: {} }, history });
    expect(run.faultWrites).toEqual([
      { node: 'n1', ops: 1, ok: 1, fail: 0, info: 0 },
      { node: 'n3', ops: 2, ok: 0, fail: 1, info: 1 },
    ]);
    expect(run.series).toEqual({ second: [0, 1, 2], answeredPct: [100, 33.3, 100], opsPerS: [1, 3, 1] });
    expect(run.faults).toEqual([{ kind: 'partition', label: 'partition: n1 | n3', start: 1, end: 2 }]);
    expect(run.answeredInside).toBeCloseTo(1 / 3, 3);
    expect(run.settings).toEqual(['reads from replicas', 'WAIT 1']);
    expect(run.nemesis).toBe('partition (one)');
    expect(run.healthyLatencyMs).toEqual({ p50: 1, p99: 1 });
  });
  it('leaves out what a run does not have: checkers absent are undefined', () => {
    const run = digestRun({ test, results: { valid: true, checkers: {} }, history });
    expect(run.checks).toEqual({});
  });
  it("shows a real cold-cache result's largest spike and its recovery, as results.json stores it", () => {
    // 40 s of 10 cache reads a second, 90% hits; a second cache restart at 25 s is the larger
    // spike (all miss for 5 s) than the first at 12 s (all miss for 2 s, half the reads).
    const operations: Operation[] = [];
    for (let second = 0; second < 40; second++) {
      for (let i = 0; i < 10; i++) {
        const cold = (second >= 12 && second < 14 && i < 5) || (second >= 25 && second < 30);
        const hit = !cold && i !== 0;
        const call = second * S + i * 0.1 * S;
        operations.push({
          ...op(operations.length, 'read', call, 'ok', 'c1'),
          key: `k${i}`,
          output: 0,
          extra: { hit, db: !hit, ...(hit ? {} : { dbMs: 1, dbAtMs: 0 }), shard: 'c1' },
        });
      }
    }
    const nemesis: NemesisEvent[] = [
      { f: 'warm-up', value: { untilMs: 5000 }, time: 0, type: 'info' },
      { f: 'restart-cache', value: { mode: 'all' }, time: 12 * S, type: 'info' },
      { f: 'restart-cache', value: { mode: 'all' }, time: 25 * S, type: 'info' },
    ];
    const cold = checkColdCache(
      { operations, nemesis },
      { dbCapacity: null, maxErrorRate: 0.05, maxTtlMs: 33_000, writePolicy: 'invalidate' },
    );
    const [first, second] = cold.faults;
    expect(second.spike).toBeGreaterThan(first.spike ?? 0);
    expect(second.recoveryS).toBe(5);
    const results = JSON.parse(JSON.stringify({ valid: cold.valid, checkers: { 'cold-cache': cold } }));
    const run = digestRun({ test, results, history: { operations, nemesis } });
    expect(run.checks['cold-cache']).toEqual({ faults: 2, spike: second.spike, recoveryS: 5 });
    expect(renderCell(run)).toBe(`${second.spike?.toFixed(1)}×, 5 s`);
  });
  it('a run without results.json is unknown and says why', () => {
    const run = digestRun({ test, history });
    expect(run.valid).toBe('unknown');
    expect(run.notes[0]).toMatch(/no results\.json/);
    expect(run.answeredInside).toBeCloseTo(1 / 3, 3);
  });
});
