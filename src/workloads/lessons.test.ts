import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { Random } from '../generator/random.js';
import { loadWorkload } from './index.js';

describe('the lock workload', () => {
  it('loops acquire -> write with the token -> release; a refused acquire is asked again', () => {
    const workload = loadWorkload('lock');
    const source = workload.generator(1, 4, Random.fromSeed(7));
    const first = source.next();
    expect(first).toMatchObject({ f: 'acquire', key: 'lock', value: { leaseMs: 2000 } });
    expect(source.next().f).toBe('acquire');
    source.observe(first, { token: 5, leaseMs: 2000 });
    expect(source.next()).toMatchObject({ f: 'write', key: 'resource', value: { token: 5, value: 2 } });
    expect(source.next()).toEqual({ f: 'release', key: 'lock', value: 5 });
    expect(source.next().f).toBe('acquire');
  });

  it('a holder pause delays one write in ten, outside the history', () => {
    const workload = loadWorkload('lock', { options: { 'holder-pause-ms': '3000' } });
    const source = workload.generator(0, 1, Random.fromSeed(7));
    const delays: (number | undefined)[] = [];
    for (let i = 0; i < 200; i++) {
      const acquire = source.next();
      source.observe(acquire, { token: i, leaseMs: 2000 });
      delays.push(source.next().delayMs);
      source.next();
    }
    const paused = delays.filter((d) => d === 3000).length;
    expect(paused).toBeGreaterThan(5);
    expect(paused).toBeLessThan(50);
    expect(delays.every((d) => d === undefined || d === 3000)).toBe(true);
  });

  it('refuses a lease shorter than the timeout and a lock the store lacks', () => {
    const workload = loadWorkload('lock', { options: { 'lease-ms': '500' } });
    expect(() => workload.validate?.({ store: 'redis', topology: 'replicated', timeoutMs: 1000 })).toThrow(
      /--lease-ms 500 is shorter/,
    );
    expect(() =>
      workload.validate?.({ store: 'redis', topology: 'replicated', timeoutMs: 500 }),
    ).not.toThrow();
    const mysqlLock = loadWorkload('lock', { options: { lock: 'mysql-get-lock' } });
    expect(() => mysqlLock.validate?.({ store: 'redis', topology: 'replicated', timeoutMs: 1000 })).toThrow(
      /--lock mysql-get-lock needs --store mysql; redis offers redis, redlock/,
    );
    const redlock = loadWorkload('lock', { options: { lock: 'redlock' } });
    expect(() => redlock.validate?.({ store: 'redis', topology: 'replicated', timeoutMs: 1000 })).toThrow(
      /--lock redlock .* needs --topology independent, not replicated/,
    );
    expect(() =>
      redlock.validate?.({ store: 'redis', topology: 'independent', timeoutMs: 1000 }),
    ).not.toThrow();
    expect(() => loadWorkload('lock', { options: { lock: 'zookeeper' } })).toThrow(UsageError);
    expect(() => loadWorkload('lock', { options: { fencing: 'maybe' } })).toThrow(/--fencing/);
  });
});

describe('the queue workload', () => {
  it('holds the history to the delivery it promised, and drains after healing', () => {
    const workload = loadWorkload('queue', { options: { delivery: 'at-most-once' } });
    const queue = workload.checkers.find((c) => c.name === 'queue');
    expect(queue?.options).toEqual({ promised: 'at-most-once' });
    expect(workload.finalOps()).toEqual([{ f: 'drain', key: 'queue', value: null }]);
    expect(workload.needs).toEqual(['queues']);
  });

  it('enqueues unique values across workers', () => {
    const workload = loadWorkload('queue');
    const values = new Set<number>();
    for (const worker of [0, 1, 2]) {
      const source = workload.generator(worker, 3, Random.fromSeed(worker));
      for (let i = 0; i < 100; i++) {
        const op = source.next();
        if (op.f === 'enqueue') {
          expect(values.has(op.value as number)).toBe(false);
          values.add(op.value as number);
        }
      }
    }
    expect(values.size).toBeGreaterThan(100);
  });

  it('refuses its options on other workloads, and unknown choices', () => {
    expect(() => loadWorkload('set', { options: { delivery: 'at-most-once' } })).toThrow(
      /--delivery only apply to --workload queue, not to set/,
    );
    expect(() => loadWorkload('queue', { options: { delivery: 'exactly-once' } })).toThrow(/--delivery/);
  });
});
