import { describe, expect, it } from 'vitest';
import { Random } from '../generator/random.js';
import { parseNemesisKinds, planSchedule } from './schedule.js';

describe('planSchedule', () => {
  it('alternates healthy and faulty periods, healthy first, within the time limit', () => {
    const steps = planSchedule({
      kinds: ['partition'],
      intervalMs: 10_000,
      timeLimitMs: 60_000,
      random: Random.fromSeed(1),
    });
    expect(steps).toEqual([
      { atMs: 10_000, action: 'start', kind: 'partition', period: 0 },
      { atMs: 20_000, action: 'stop', kind: 'partition', period: 0 },
      { atMs: 30_000, action: 'start', kind: 'partition', period: 1 },
      { atMs: 40_000, action: 'stop', kind: 'partition', period: 1 },
      { atMs: 50_000, action: 'start', kind: 'partition', period: 2 },
    ]);
  });
  it('gives every selected kind its turn, in a seeded order', () => {
    const plan = (seed: number) =>
      planSchedule({
        kinds: ['partition', 'kill', 'pause', 'loss'],
        intervalMs: 1_000,
        timeLimitMs: 17_000,
        random: Random.fromSeed(seed),
      });
    const starts = plan(9).filter((s) => s.action === 'start');
    expect(starts).toHaveLength(8);
    expect(new Set(starts.slice(0, 4).map((s) => s.kind)).size).toBe(4);
    expect(starts.slice(4).map((s) => s.kind)).toEqual(starts.slice(0, 4).map((s) => s.kind));
    expect(plan(9)).toEqual(plan(9));
    const orders = new Set(
      [1, 2, 3, 4, 5, 6].map((s) =>
        plan(s)
          .map((x) => x.kind)
          .join(),
      ),
    );
    expect(orders.size).toBeGreaterThan(1);
  });
  it('plans nothing without kinds', () => {
    expect(
      planSchedule({ kinds: [], intervalMs: 1_000, timeLimitMs: 60_000, random: Random.fromSeed(1) }),
    ).toEqual([]);
  });
});

describe('parseNemesisKinds', () => {
  it('reads lists, none, and names what it does not know', () => {
    expect(parseNemesisKinds('partition,kill')).toEqual({ kinds: ['partition', 'kill'], unknown: [] });
    expect(parseNemesisKinds('none')).toEqual({ kinds: [], unknown: [] });
    expect(parseNemesisKinds('partition,flood')).toEqual({ kinds: ['partition'], unknown: ['flood'] });
    expect(parseNemesisKinds('').unknown).toEqual(['']);
  });
});

describe('planSchedule with a warm-up', () => {
  it('starts no fault before the warm-up and its first healthy period are over', () => {
    const steps = planSchedule({
      kinds: ['restart-cache'],
      intervalMs: 10_000,
      timeLimitMs: 60_000,
      random: Random.fromSeed(1),
      warmUpMs: 15_000,
    });
    expect(steps.map((s) => [s.action, s.atMs])).toEqual([
      ['start', 25_000],
      ['stop', 35_000],
      ['start', 45_000],
      ['stop', 55_000],
    ]);
  });
});
