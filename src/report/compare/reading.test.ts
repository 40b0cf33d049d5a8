import { describe, expect, it } from 'vitest';
import type { LinearizableDigest } from '../../checker/linearizable.js';
import type { LostWritesDigest } from '../../checker/lost-writes.js';
import type { StaleReadsDigest } from '../../checker/stale-reads.js';
import type { CompareRun } from './data.js';
import { capReading, duration, pct, readRuns } from './reading.js';

type Measured = Parameters<typeof capReading>[0];
type Digests = {
  linearizable?: LinearizableDigest;
  staleReads?: StaleReadsDigest;
  lostWrites?: LostWritesDigest;
};

const run = (change: Partial<CompareRun> & Digests = {}): Measured => {
  const { linearizable = { valid: true, failingKeys: 0, keys: 8 }, staleReads, lostWrites, ...rest } = change;
  const checks = { linearizable, 'stale-reads': staleReads, 'lost-writes': lostWrites };
  return {
    label: 'run',
    faultKinds: ['partition'],
    answeredInside: 1,
    answeredOutside: 1,
    checks: Object.fromEntries(Object.entries(checks).filter(([, digest]) => digest !== undefined)),
    faultWrites: [],
    healthyLatencyMs: { p50: 0.5, p99: 2 },
    ...rest,
  };
};

describe('capReading', () => {
  it('kept answering and served stale reads: chose availability, with the numbers', () => {
    const r = capReading(
      run({ answeredInside: 0.98, staleReads: { reads: 1000, stale: 310, share: 0.31, maxMs: 2100 } }),
    );
    expect(r).toEqual({
      choice: 'availability',
      cap: 'chose availability: answered 98% during the partition, 31% of reads stale by up to 2.1 s',
    });
  });
  it('lost acknowledged writes and not linearizable count as anomalies too', () => {
    const r = capReading(
      run({
        answeredInside: 0.995,
        lostWrites: { acknowledged: 967, acked: 1899, valid: false },
        linearizable: { valid: false, failingKeys: 3, keys: 8 },
      }),
    );
    expect(r.choice).toBe('availability');
    expect(r.cap).toBe(
      'chose availability: answered 99.5% during the partition, lost 967 of 1,899 acknowledged writes; not linearizable on 3 of 8 keys',
    );
  });
  it('a minority refusing every write with no anomaly: chose consistency, naming the sides', () => {
    const r = capReading(
      run({
        answeredInside: 0.7,
        faultWrites: [
          { node: 'n1', ops: 50, ok: 50, fail: 0, info: 0 },
          { node: 'n2', ops: 40, ok: 39, fail: 1, info: 0 },
          { node: 'n3', ops: 45, ok: 0, fail: 30, info: 15 },
        ],
      }),
    );
    expect(r).toEqual({
      choice: 'consistency',
      cap: 'chose consistency: clients of n3 had 100% of writes refused or timed out during the partition while n1, n2 kept accepting them; no anomaly found',
    });
  });
  it('answering much less during faults with no anomaly: chose consistency', () => {
    expect(capReading(run({ answeredInside: 0.4, answeredOutside: 0.99 })).cap).toBe(
      'chose consistency: answered only 40% during the partition (99% outside), no anomaly found',
    );
  });
  it('answering less and still showing anomalies: gave up both', () => {
    const r = capReading(
      run({ answeredInside: 0.5, linearizable: { valid: false, failingKeys: 1, keys: 1 } }),
    );
    expect(r.choice).toBe('neither');
    expect(r.cap).toBe(
      'gave up both: answered only 50% during the partition and still not linearizable on 1 of 1 key',
    );
  });
  it('answering everything with no anomaly: the faults did not force a choice', () => {
    expect(capReading(run()).choice).toBe('not forced');
  });
  it('without faults CAP does not apply; without a consistency verdict the choice is not told', () => {
    expect(capReading(run({ faultKinds: [], answeredInside: null })).cap).toBe(
      'no fault was active: CAP does not apply',
    );
    expect(capReading(run({ linearizable: { valid: 'unknown', failingKeys: 0, keys: 8 } })).choice).toBe(
      'not judged',
    );
  });
  it('a few writes on a node are too few to call a refusal', () => {
    const r = capReading(run({ faultWrites: [{ node: 'n3', ops: 2, ok: 0, fail: 2, info: 0 }] }));
    expect(r.choice).toBe('not forced');
  });
});

describe('readRuns: the PACELC else side', () => {
  it('compares healthy p99 with the fastest run on the page', () => {
    const readings = readRuns([
      run({ label: 'ONE', healthyLatencyMs: { p50: 0.4, p99: 2 } }),
      run({ label: 'SERIAL', healthyLatencyMs: { p50: 3, p99: 9 } }),
      run({ label: 'QUORUM', healthyLatencyMs: { p50: 0.5, p99: 2.2 } }),
    ]);
    expect(readings.map((r) => r.pacelc)).toEqual([
      'else (healthy periods): p50 0.40 ms, p99 2.0 ms, the fastest here',
      'else (healthy periods): p50 3.0 ms, p99 9.0 ms, 4.5× the p99 of ONE',
      'else (healthy periods): p50 0.50 ms, p99 2.2 ms, about as fast as the fastest here',
    ]);
  });
  it('a single run is not compared', () => {
    expect(readRuns([run()])[0].pacelc).toBe('else (healthy periods): p50 0.50 ms, p99 2.0 ms');
  });
});

describe('numbers in words', () => {
  it('never rounds a share up to 100% or down to 0%', () => {
    expect([0, 1, 0.9996, 0.985, 0.31, 0.004, 0.0001].map(pct)).toEqual([
      '0%',
      '100%',
      '99.9%',
      '99%',
      '31%',
      '0.4%',
      '0.1%',
    ]);
  });
  it('durations in ms or s', () => {
    expect([0.45, 3, 12.4, 2100].map(duration)).toEqual(['0.45 ms', '3.0 ms', '12 ms', '2.1 s']);
  });
});
