import { describe, expect, it } from 'vitest';
import type { Json, NemesisEvent, Operation, Outcome } from '../history/types.js';
import { type ColdCacheOptions, checkColdCache } from './cold-cache.js';

const MS = 1e6;
const S = 1e9;
const OPTIONS: ColdCacheOptions = {
  dbCapacity: null,
  maxErrorRate: 0.05,
  maxTtlMs: 33_000,
  writePolicy: 'invalidate',
};

interface Spec {
  f?: 'read' | 'write';
  key?: string;
  /** The read's result, or the write's value. */
  value?: Json;
  atMs: number;
  ms?: number;
  hit?: boolean;
  dbMs?: number;
  shard?: string;
  outcome?: Outcome;
  error?: string;
  process?: number;
}

function op(s: Spec, index: number): Operation {
  const f = s.f ?? 'read';
  const outcome = s.outcome ?? 'ok';
  const call = s.atMs * MS;
  const end = call + (s.ms ?? 1) * MS;
  const db = f === 'write' || s.hit === false;
  return {
    index,
    process: s.process ?? index % 10,
    f,
    key: s.key ?? 'k0',
    input: f === 'read' ? null : (s.value ?? null),
    output: outcome === 'ok' ? (s.value ?? 0) : undefined,
    outcome,
    pending: outcome === 'info',
    call,
    ret: outcome === 'info' ? Number.POSITIVE_INFINITY : end,
    completedAt: end,
    ...(s.error ? { error: s.error } : {}),
    extra: {
      ...(f === 'read' ? { hit: s.hit ?? true } : {}),
      db,
      ...(db ? { dbAtMs: 0, dbWaitMs: 0, dbMs: s.dbMs ?? 1 } : {}),
      shard: s.shard ?? 'c1',
    },
  };
}

const nemesis = (f: string, atS: number, value: Json = null): NemesisEvent => ({
  f,
  value,
  time: atS * S,
  type: 'info',
});

/**
 * 10 reads a second for `seconds`; before `coldAt` s 90% hit (1 miss a second), then all miss for
 * `coldFor` s, then 90% again.
 */
function steadyWithColdSpell(seconds: number, coldAt: number, coldFor: number): Operation[] {
  const specs: Spec[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < 10; i++) {
      const cold = s >= coldAt && s < coldAt + coldFor;
      specs.push({ atMs: s * 1000 + i * 100 + 10, hit: !cold && i !== 0, key: `k${i}` });
    }
  }
  return specs.map(op);
}

describe('checkColdCache', () => {
  it('measures the spike and the recovery after a cache restart', () => {
    const operations = steadyWithColdSpell(40, 20, 3);
    const r = checkColdCache(
      {
        operations,
        nemesis: [nemesis('warm-up', 0, { untilMs: 5000 }), nemesis('restart-cache', 20, { mode: 'all' })],
      },
      OPTIONS,
    );
    expect(r.valid).toBe(true);
    expect(r.series).toHaveLength(40);
    expect(r.series[5].hitRatio).toBeCloseTo(0.9);
    expect(r.series[21].hitRatio).toBe(0);
    expect(r.warmUpS).toBe(5);
    const [fault] = r.faults;
    expect(fault.steadyDbQps).toBe(1);
    expect(fault.peakDbQps).toBe(10);
    expect(fault.spike).toBe(10);
    expect(fault.hitRatioBefore).toBeCloseTo(0.9);
    expect(fault.lowestHitRatio).toBe(0);
    // Cold in seconds 20, 21, 22; back at 23.
    expect(fault.recoveryS).toBe(3);
    expect(r.peakDbQps).toBe(10);
    // Seconds 5..38: 31 at 1 query/s, 3 at 10.
    expect(r.load).toEqual({
      seconds: 34,
      meanDbQps: round3((31 + 30) / 34),
      peakDbQps: 10,
      peakOverMean: round2(10 / round3(61 / 34)),
    });
    expect(r.hitRatio).toBeCloseTo((40 * 9 - 3 * 9) / 400, 3);
  });

  it("leaves the history's last, cut-short second out of a fault's hit ratios", () => {
    // The run ends 10 ms into second 30, where its one read missed: no 0% hit ratio from that.
    const operations = [...steadyWithColdSpell(30, 99, 0), op({ atMs: 30_010, hit: false, key: 'k9' }, 300)];
    const r = checkColdCache(
      { operations, nemesis: [nemesis('warm-up', 0, { untilMs: 5000 }), nemesis('restart-cache', 25)] },
      OPTIONS,
    );
    expect(r.series).toHaveLength(31);
    expect(r.faults[0].lowestHitRatio).toBeCloseTo(0.9);
    expect(r.faults[0].recoveryS).toBe(0);
  });

  it('counts database in-flight from the query intervals', () => {
    const operations = [
      op({ atMs: 100, hit: false, dbMs: 500, ms: 500 }, 0),
      op({ atMs: 200, hit: false, dbMs: 500, ms: 500 }, 1),
    ];
    const r = checkColdCache({ operations, nemesis: [] }, OPTIONS);
    expect(r.series[0].dbInFlight).toBeCloseTo(1.0, 2);
    expect(r.series[0].dbQueries).toBe(2);
  });

  it('is invalid when the database capacity or the error budget is exceeded, and says why', () => {
    const operations = steadyWithColdSpell(30, 15, 2);
    const overloaded = checkColdCache(
      { operations, nemesis: [nemesis('flush-cache', 15)] },
      { ...OPTIONS, dbCapacity: 5 },
    );
    expect(overloaded.valid).toBe(false);
    expect(overloaded.problems[0]).toMatch(/10 queries\/s, above its capacity of 5 \(in 2 seconds\)/);

    const failing = [
      ...operations,
      ...Array.from({ length: 30 }, (_, i) =>
        op({ atMs: 15_000 + i * 10, hit: false, outcome: 'fail', error: 'pool-timeout' }, 300 + i),
      ),
    ];
    const r = checkColdCache({ operations: failing, nemesis: [nemesis('flush-cache', 15)] }, OPTIONS);
    expect(r.valid).toBe(false);
    expect(r.errors).toBe(30);
    expect(r.timeouts).toBe(30);
    expect(r.errorsByReason).toEqual({ 'pool-timeout': 30 });
    expect(r.faults[0].errors).toBe(30);
    expect(r.problems.join()).toMatch(/failed or timed out/);
  });

  it('computes the key movement of a reshard from the shard maps and from the operations', () => {
    const before = ['c1', 'c2', 'c3'];
    const after = ['c1', 'c2', 'c3', 'c4'];
    const operations = [
      op({ atMs: 100, key: 'k1', shard: 'c1' }, 0),
      op({ atMs: 200, key: 'k2', shard: 'c2' }, 1),
      op({ atMs: 1100, key: 'k1', shard: 'c4', hit: false }, 2),
      op({ atMs: 1200, key: 'k2', shard: 'c2' }, 3),
      op({ atMs: 1300, key: 'k3', shard: 'c2' }, 4),
    ];
    const modulo = checkColdCache(
      {
        operations,
        nemesis: [nemesis('reshard', 1, { sharding: 'modulo', before, after, keyspace: 10_000 })],
      },
      OPTIONS,
    );
    const consistent = checkColdCache(
      {
        operations,
        nemesis: [nemesis('reshard', 1, { sharding: 'consistent', before, after, keyspace: 10_000 })],
      },
      OPTIONS,
    );
    expect(modulo.faults[0].movement?.predicted).toBeCloseTo(0.75, 1);
    expect(consistent.faults[0].movement?.predicted).toBeCloseTo(0.25, 1);
    expect(modulo.faults[0].movement?.observed).toBe(0.5);
    expect(modulo.faults[0].movement?.observedKeys).toBe(2);
  });

  it('flags cache hits of values the database had replaced, beyond the TTL apart', () => {
    const operations = [
      op({ f: 'write', key: 'k1', value: 11, atMs: 0, ms: 10 }, 0),
      op({ f: 'write', key: 'k1', value: 21, atMs: 100, ms: 10 }, 1),
      // Fresh: the newest value.
      op({ key: 'k1', value: 21, atMs: 200 }, 2),
      // Stale by 890 ms: within the TTL (an invalidation race could leave it).
      op({ key: 'k1', value: 11, atMs: 1000 }, 3),
      // Stale by 40 s: beyond the TTL.
      op({ key: 'k1', value: 11, atMs: 40_110 }, 4),
      // The initial value, after a write completed: stale too.
      op({ key: 'k1', value: 0, atMs: 500 }, 5),
      // A miss reads the database: not a cache read.
      op({ key: 'k1', value: 11, atMs: 600, hit: false }, 6),
      // Concurrent with the write of 21: not certainly stale.
      op({ f: 'write', key: 'k2', value: 12, atMs: 0, ms: 10 }, 7),
      op({ f: 'write', key: 'k2', value: 22, atMs: 100, ms: 1000 }, 8),
      op({ key: 'k2', value: 12, atMs: 500 }, 9),
    ];
    const r = checkColdCache({ operations, nemesis: [] }, OPTIONS);
    expect(r.stale.count).toBe(3);
    expect(r.stale.beyondTtl).toBe(1);
    expect(r.stale.examples[0]).toMatchObject({
      key: 'k1',
      value: 11,
      committed: 21,
      staleMs: 40_000,
      beyondTtl: true,
    });
    expect(r.stale.examples.map((e) => e.staleMs)).toEqual([40_000, 890, 490]);
  });
});

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round2 = (x: number) => Math.round(x * 100) / 100;
