import { describe, expect, it } from 'vitest';
import type { Operation } from '../history/types.js';
import { operationText, rateBucket, timeAxisOf, timelineData } from './data.js';

const op = (o: Partial<Operation> & Pick<Operation, 'index' | 'process' | 'call'>): Operation => ({
  f: 'write',
  key: null,
  input: 1,
  outcome: 'ok',
  pending: false,
  ret: o.call + 10,
  completedAt: o.call + 10,
  ...o,
});

describe('timeAxisOf', () => {
  it('tells event indices from nanoseconds', () => {
    const indexed = [op({ index: 0, process: 0, call: 0, completedAt: 1, ret: 1 })];
    expect(timeAxisOf({ operations: indexed, nemesis: [], events: 2 }).unit).toBe('event');
    const timed = [op({ index: 0, process: 0, call: 1_000_000, completedAt: 3_000_000, ret: 3_000_000 })];
    expect(timeAxisOf({ operations: timed, nemesis: [], events: 2 }).unit).toBe('s');
  });
});

describe('rateBucket', () => {
  it('is a second for ordinary runs and a round fraction for short ones', () => {
    expect(rateBucket({ unit: 's', scale: 1e9 }, 60)).toBe(1);
    expect(rateBucket({ unit: 's', scale: 1e9 }, 3.5)).toBe(0.1);
    expect(rateBucket({ unit: 's', scale: 1e9 }, 36_000)).toBe(30);
  });
});

describe('timelineData', () => {
  it('packs a process retired after info into a free lane and marks never-completed operations', () => {
    const ops = [
      op({ index: 0, process: 0, call: 0, outcome: 'info', pending: true, ret: Infinity, completedAt: 5 }),
      op({ index: 1, process: 1, call: 1 }),
      op({
        index: 2,
        process: 2,
        call: 8,
        pending: true,
        outcome: 'info',
        ret: Infinity,
        completedAt: undefined,
      }),
    ];
    const t = timelineData(ops, { unit: 'event', scale: 1 }, 30);
    expect(t.lane).toEqual([0, 1, 0]);
    expect(t.lanes).toEqual(['p0 p2', 'p1']);
    expect(t.open).toEqual([0, 0, 1]);
    expect(t.end).toEqual([5, 11, 30]);
  });
});

describe('operationText', () => {
  it('shows what a read returned and what a write wrote', () => {
    expect(operationText({ input: null, output: 3, outcome: 'ok' })).toBe('→ 3');
    expect(operationText({ input: 4, output: 4, outcome: 'ok' })).toBe('4');
    expect(operationText({ input: [1, 2], outcome: 'fail' })).toBe('[1,2]');
  });
});
