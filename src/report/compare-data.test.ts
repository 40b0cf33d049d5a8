import { describe, expect, it } from 'vitest';
import type { NemesisEvent, Operation } from '../history/types.js';
import { digestRun } from './compare-data.js';

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
    expect([run.linearizable, run.staleReads, run.lostWrites, run.coldCache]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
  it('reads a cold-cache result by its spike and recovery', () => {
    const results = { valid: true, checkers: { 'cold-cache': { valid: true, spike: 6.5, recoveryS: 12 } } };
    expect(digestRun({ test, results, history }).coldCache).toEqual({ spike: 6.5, recoveryS: 12 });
  });
  it('a run without results.json is unknown and says why', () => {
    const run = digestRun({ test, history });
    expect(run.valid).toBe('unknown');
    expect(run.notes[0]).toMatch(/no results\.json/);
    expect(run.answeredInside).toBeCloseTo(1 / 3, 3);
  });
});
