import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { UsageError } from '../errors.js';
import { Random } from '../generator/random.js';
import { faketimeEnvironment, faketimeOffset } from '../stores/faketime.js';
import type { Db } from '../stores/types.js';
import { CLOCK_KINDS, clockFault, planClock } from './clock.js';
import type { FaultOptions } from './fault.js';

const nodes = ['n1', 'n2', 'n3'];
const base = { nodes, skewMs: 5000, fromMs: 10_000, toMs: 20_000 };

describe('clock fault planner', () => {
  it('writes offsets as libfaketime reads them', () => {
    expect(faketimeOffset(1500)).toBe('+1.500');
    expect(faketimeOffset(-5000)).toBe('-5.000');
    expect(faketimeOffset(0)).toBe('+0.000');
    expect(faketimeEnvironment(true)).toMatchObject({
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    });
    expect(faketimeEnvironment(false)).not.toHaveProperty('FAKETIME_DONT_FAKE_MONOTONIC');
  });

  it('behind and ahead: one node off by the skew with the sign chosen, then back to 0', () => {
    for (const [kind, sign] of [
      ['behind', -1],
      ['ahead', 1],
    ] as const) {
      for (const seed of [1, 2, 3]) {
        const steps = planClock({ ...base, kind, random: Random.fromSeed(seed) });
        expect(steps).toHaveLength(2);
        expect(steps[0]).toMatchObject({ atMs: base.fromMs, offsetMs: sign * base.skewMs });
        expect(steps[1]).toEqual({ atMs: base.toMs, node: steps[0].node, offsetMs: 0 });
      }
    }
  });

  it('bump: one node off by exactly the skew for the window, then back to 0', () => {
    const steps = planClock({ ...base, kind: 'bump', random: Random.fromSeed(7) });
    expect(steps).toHaveLength(2);
    expect(Math.abs(steps[0].offsetMs)).toBe(5000);
    expect(steps[1]).toEqual({ atMs: 20_000, node: steps[0].node, offsetMs: 0 });
  });

  it('strobe: one node flips sign every period inside the window', () => {
    const steps = planClock({ ...base, kind: 'strobe', strobeMs: 2500, random: Random.fromSeed(3) });
    expect(steps.map((s) => s.atMs)).toEqual([10_000, 12_500, 15_000, 17_500, 20_000]);
    expect(new Set(steps.map((s) => s.node)).size).toBe(1);
    const offsets = steps.map((s) => s.offsetMs);
    expect(offsets.slice(0, 4).map(Math.abs)).toEqual([5000, 5000, 5000, 5000]);
    expect(offsets[0]).toBe(-offsets[1]);
    expect(offsets[4]).toBe(0);
  });

  it('the same seed gives the same plan', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CLOCK_KINDS),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 60_000 }),
        (kind, seed, skewMs) => {
          const plan = () => planClock({ ...base, kind, skewMs, random: Random.fromSeed(seed) });
          const steps = plan();
          expect(plan()).toEqual(steps);
          for (const s of steps) expect(Math.abs(s.offsetMs)).toBeLessThanOrEqual(skewMs);
          for (const s of steps) expect(s.atMs >= base.fromMs && s.atMs <= base.toMs).toBe(true);
          // Every node the plan touches ends at 0 when the window closes.
          const last = new Map(steps.map((s) => [s.node, s.offsetMs]));
          expect([...last.values()].every((o) => o === 0)).toBe(true);
        },
      ),
    );
  });

  it('refuses bad options with the valid choices', () => {
    const random = Random.fromSeed(1);
    expect(() => planClock({ ...base, kind: 'warp' as 'bump', random })).toThrow(
      /valid: bump, behind, ahead, scatter, strobe/,
    );
    expect(() => planClock({ ...base, kind: 'bump', skewMs: 0, random })).toThrow(UsageError);
  });
});

describe('clock fault', () => {
  /** A store that only records the offsets it was told to set. */
  function clockDb(clockLives: 'server' | 'clients' = 'server') {
    const calls: [string, number][] = [];
    const db = {
      store: 'fake',
      topology: 'single',
      nodes: nodes.map((name, i) => ({ name, ip: `10.0.0.${i + 1}`, containerId: name })),
      clockLives,
      setClock: async (node: string, offsetMs: number) => {
        calls.push([node, offsetMs]);
      },
      // Processes bound to node i: i, i + 3.
      clockProcesses: (node: string) => [nodes.indexOf(node), nodes.indexOf(node) + nodes.length],
    } as unknown as Db;
    return { db, calls };
  }
  const options = (db: Db, kind: 'bump' | 'strobe'): FaultOptions => ({
    db,
    random: Random.fromSeed(5),
    partition: 'one',
    loss: 0,
    clock: { kind, skewMs: 3000, windowMs: 2500 },
    log: () => {},
  });

  it('bump: records the offset it set, and the stop sets that node back to 0', async () => {
    const { db, calls } = clockDb();
    const fault = clockFault(options(db, 'bump'));
    const started = (await fault.start()) as { kind: string; offsets: Record<string, number> };
    expect(fault.startF).toBe('start-clock');
    const [[node, offset]] = Object.entries(started.offsets);
    expect(Math.abs(offset)).toBe(3000);
    expect(started).toMatchObject({ clock: 'server' });
    expect(await fault.stop()).toEqual({ clock: 'server', offsets: { [node]: 0 } });
    expect(calls).toEqual([
      [node, offset],
      [node, 0],
    ]);
  });

  it("clients' clocks: the history names the processes bound to the skewed node", async () => {
    const { db, calls } = clockDb('clients');
    const fault = clockFault(options(db, 'bump'));
    const started = (await fault.start()) as { offsets: Record<string, number> };
    const [[node, offset]] = Object.entries(started.offsets);
    const bound = [nodes.indexOf(node), nodes.indexOf(node) + nodes.length];
    expect(started).toEqual({
      kind: 'bump',
      clock: 'clients',
      processes: { [node]: bound },
      offsets: { [node]: offset },
    });
    expect(await fault.stop()).toEqual({
      clock: 'clients',
      processes: { [node]: bound },
      offsets: { [node]: 0 },
    });
    expect(calls).toEqual([
      [node, offset],
      [node, 0],
    ]);
  });

  it('strobe: flips by timer inside the window, recorded in advance; the stop cancels the rest', async () => {
    vi.useFakeTimers();
    try {
      const { db, calls } = clockDb();
      const fault = clockFault(options(db, 'strobe'));
      const started = (await fault.start()) as { flips: { atMs: number; offsetMs: number }[] };
      expect(started.flips.map((f) => f.atMs)).toEqual([1000, 2000]);
      await vi.advanceTimersByTimeAsync(1500);
      expect(calls.map(([, o]) => o)).toEqual([calls[0][1], -calls[0][1]]);
      await fault.stop();
      await vi.advanceTimersByTimeAsync(5000);
      expect(calls.map(([, o]) => o)).toEqual([calls[0][1], -calls[0][1], 0]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a store without a clock to skew', () => {
    const db = { store: 'redis', topology: 'single', nodes: [] } as unknown as Db;
    expect(() => clockFault(options(db, 'bump'))).toThrow(/redis has no clock/);
  });
});
