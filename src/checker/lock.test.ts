import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json, Operation, Outcome } from '../history/types.js';
import { checkLock } from './lock.js';

const MS = 1e6;

/** Builds operations; times in ms, `ret` null for a pending one. */
class Ops {
  readonly list: Operation[] = [];
  private op(
    process: number,
    f: string,
    key: string,
    input: Json,
    output: Json | undefined,
    call: number,
    ret: number | null,
    outcome: Outcome,
    error?: string,
  ): this {
    this.list.push({
      index: this.list.length,
      process,
      f,
      key,
      input,
      ...(output !== undefined ? { output } : {}),
      outcome,
      pending: outcome === 'info',
      call: call * MS,
      ret: ret === null || outcome === 'info' ? Number.POSITIVE_INFINITY : ret * MS,
      ...(error ? { error } : {}),
    });
    return this;
  }
  acquire(p: number, call: number, ret: number, token: number, leaseMs = 1000, outcome: Outcome = 'ok') {
    return this.op(
      p,
      'acquire',
      'lock',
      { leaseMs },
      outcome === 'ok' ? { token, leaseMs } : undefined,
      call,
      ret,
      outcome,
    );
  }
  release(p: number, call: number, ret: number, token: number, outcome: Outcome = 'ok') {
    return this.op(p, 'release', 'lock', token, outcome === 'ok' ? token : undefined, call, ret, outcome);
  }
  write(p: number, call: number, ret: number, token: number, outcome: Outcome = 'ok', error?: string) {
    const value = { token, value: p };
    return this.op(
      p,
      'write',
      'resource',
      value,
      outcome === 'ok' ? value : undefined,
      call,
      ret,
      outcome,
      error,
    );
  }
}

const sorted = (ops: Ops) => ({ operations: [...ops.list].sort((a, b) => a.call - b.call) });

describe('lock checker', () => {
  it('finds nothing in clean handovers', async () => {
    const h = new Ops()
      .acquire(1, 0, 5, 1)
      .write(1, 10, 15, 1)
      .release(1, 20, 25, 1)
      .acquire(2, 1, 30, 2)
      .write(2, 35, 40, 2)
      .release(2, 45, 50, 2);
    const r = await checkLock(sorted(h));
    expect(r.valid).toBe(true);
    expect(r.holds).toBe(2);
    expect(r.overlaps.count).toBe(0);
    expect(r.unsafe.count).toBe(0);
    expect(r.writes).toEqual({ ok: 2, fenced: 0, fail: 0, info: 0 });
  });

  it('finds a paused holder: lease ran out, another took the lock, the old token wrote last', async () => {
    // Process 1 gets a 1 s lease at 0.005 s, then nothing for 3 s; process 2 takes the lock at
    // 1.1 s and writes; process 1 wakes and writes with token 1, which the resource accepts.
    const h = new Ops()
      .acquire(1, 0, 5, 1)
      .acquire(2, 1100, 1101, 2)
      .write(2, 1110, 1120, 2)
      .release(2, 1130, 1131, 2)
      .write(1, 3000, 3010, 1)
      .release(1, 3020, 3021, 1, 'fail');
    const r = await checkLock(sorted(h));
    expect(r.valid).toBe(false);
    expect(r.mutex.valid).toBe(false);
    expect(r.overlaps.count).toBe(0);
    expect(r.unsafe.count).toBe(1);
    const u = r.unsafe.examples[0];
    expect(u).toMatchObject({ process: 1, token: 1, newer: { process: 2, token: 2 } });
    expect(u.story).toContain('nothing was heard from it for 3.0 s');
    expect(u.story).toContain('its lease expired at 1.005 s');
    expect(u.story).toContain('process 2 took the lock at 1.101 s (token 2)');
    expect(u.story).toContain('wrote with its old token 1 at 3.000 s');
  });

  it('counts writes a fence rejected, and finds none unsafe', async () => {
    const h = new Ops()
      .acquire(1, 0, 5, 1)
      .acquire(2, 1100, 1101, 2)
      .write(2, 1110, 1120, 2)
      .write(1, 3000, 3010, 1, 'fail', 'fenced');
    const r = await checkLock(sorted(h));
    expect(r.unsafe.count).toBe(0);
    expect(r.writes.fenced).toBe(1);
  });

  it('measures overlapping holders: a grant that arrives late still counts its lease from the ok', async () => {
    // Process 1's grant reached it only at 2.0 s (its reply was delayed); the server had let the
    // lease run out and granted process 2 at 1.5 s for 1 s: both held from 2.0 s to 2.5 s.
    const h = new Ops().acquire(1, 0, 2000, 1).acquire(2, 1499, 1500, 2).release(2, 2500, 2501, 2);
    const r = await checkLock(sorted(h));
    expect(r.overlaps.count).toBe(1);
    expect(r.overlaps.maxMs).toBeCloseTo(500, 6);
    expect(r.overlaps.examples[0]).toMatchObject({ first: { process: 2 }, second: { process: 1 } });
    expect(r.overlaps.examples[0].story).toContain('both believed they held it for 500 ms');
    expect(r.overlaps.examples[0].story).toContain(
      'it had asked 2.0 s earlier, longer than its 1000 ms lease',
    );
    expect(r.valid).toBe(false);
  });

  it('a grant whose lease had run out on arrival is no second holder', async () => {
    // A careful client counts the lease from when it asked: the late reply leaves it 0 ms.
    const h = new Ops().acquire(1, 0, 2000, 1, 0).acquire(2, 1499, 1500, 2).release(2, 2500, 2501, 2);
    const r = await checkLock(sorted(h));
    expect(r.overlaps.count).toBe(0);
  });

  it('does not count an unknown write, nor writes whose order is uncertain', async () => {
    const h = new Ops()
      .acquire(1, 0, 5, 1)
      .write(1, 10, 100, 1)
      .write(2, 20, 30, 2)
      .write(1, 40, 0, 1, 'info');
    const r = await checkLock(sorted(h));
    expect(r.unsafe.count).toBe(0);
    expect(r.writes.info).toBe(1);
  });

  /** Random schedules: processes take turns, each hold strictly inside the previous one's end. */
  const schedule = fc.array(
    fc.record({
      process: fc.integer({ min: 0, max: 4 }),
      gap: fc.integer({ min: 1, max: 50 }),
      latency: fc.integer({ min: 0, max: 10 }),
      work: fc.integer({ min: 0, max: 40 }),
      leaseMs: fc.integer({ min: 50, max: 200 }),
    }),
    { minLength: 1, maxLength: 20 },
  );

  type Step = { process: number; gap: number; latency: number; work: number; leaseMs: number };
  function turns(steps: Step[]) {
    const h = new Ops();
    let t = 0;
    steps.forEach((step, i) => {
      const ok = t + step.gap + step.latency;
      h.acquire(step.process, t + step.gap, ok, i + 1, step.leaseMs);
      const writeAt = ok + Math.min(step.work, step.leaseMs - 1);
      h.write(step.process, writeAt, writeAt, i + 1);
      h.release(step.process, writeAt + 1, writeAt + 2, i + 1);
      t = writeAt + 2;
    });
    return h;
  }

  it('property: take-turn schedules show no overlap and no unsafe write', async () => {
    await fc.assert(
      fc.asyncProperty(schedule, async (steps) => {
        const r = await checkLock(sorted(turns(steps)));
        expect(r.overlaps.count).toBe(0);
        expect(r.unsafe.count).toBe(0);
        expect(r.valid).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('property: a grant injected inside a hold is found, with the right duration', async () => {
    await fc.assert(
      fc.asyncProperty(schedule, fc.nat(), fc.integer({ min: 1, max: 30 }), async (steps, pick, into) => {
        const h = turns(steps);
        const holds = h.list.filter((op) => op.f === 'acquire');
        const victim = holds[pick % holds.length];
        const release = h.list.find(
          (op) => op.f === 'release' && op.process === victim.process && op.call > victim.ret,
        );
        const holdEnd = (release as Operation).call / MS;
        const from = victim.ret / MS + Math.min(into, holdEnd - victim.ret / MS - 0.5);
        const intruder = 5;
        const lease = 1000;
        h.acquire(intruder, from - 0.25, from, 999, lease);
        const r = await checkLock(sorted(h));
        const found = r.overlaps.examples.filter(
          (o) => o.second.process === intruder || o.first.process === intruder,
        );
        const expected = (t: number) => Math.max(0, Math.min(t, from + lease) - from);
        const victimOverlap = found.find((o) => o.first.index === victim.index);
        expect(victimOverlap?.ms).toBeCloseTo(expected(holdEnd), 3);
      }),
      { numRuns: 100 },
    );
  });
});
