import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkerNamed, type PlannedCheck } from '../../checkers.js';
import { analyzeRun } from '../analyze.js';

/**
 * A history recorded by a real run (`dscheck run --store redis --nemesis partition --read-from
 * replicas --time-limit 16 --nemesis-interval 4 --rate 250 --seed 11`): every key fails
 * linearizability, 41% of the reads are stale, 420 read-your-writes violations. Judged read whole
 * and judged as a stream (forced by DSCHECK_STREAM_FROM_BYTES=0), it must give the same results.
 */
export const RECORDED = join(import.meta.dirname, 'fixtures', 'redis-replicas-partition');

/** The workload's checkers as test.json names them, planned as a run plans them. */
export function recordedChecks(): PlannedCheck[] {
  const test = JSON.parse(readFileSync(join(RECORDED, 'test.json'), 'utf8'));
  return Object.entries(test.workload.definition.checkers as Record<string, Record<string, unknown>>).map(
    ([name, options]) => {
      const entry = checkerNamed(name);
      if (!entry) throw new Error(name);
      return entry.plan(options, (what) => new Error(what));
    },
  );
}

/** The results without the time each check took, which no two runs share. */
export function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([name]) => name !== 'ms')
      .map(([name, v]) => [name, withoutTimes(v)]),
  );
}

const options = { checkTimeoutMs: 60_000, interrupted: false, nemesisErrors: [], faultDelays: {} };

afterEach(() => {
  delete process.env.DSCHECK_STREAM_FROM_BYTES;
});

describe('a recorded run judged read whole and as a stream', () => {
  it('gives the same verdicts and figures', async () => {
    const file = join(RECORDED, 'history.ndjson');
    const whole = await analyzeRun(file, recordedChecks(), options);
    process.env.DSCHECK_STREAM_FROM_BYTES = '0';
    const streamed = await analyzeRun(file, recordedChecks(), options);
    expect(whole.valid).toBe(false);
    expect(Object.keys(whole.checkers).sort()).toEqual(['linearizable', 'perf', 'stale-reads']);
    const stale = whole.checkers['stale-reads'] as { staleReads: number; readYourWrites: { count: number } };
    expect(stale.staleReads).toBeGreaterThan(100);
    expect(stale.readYourWrites.count).toBeGreaterThan(100);
    expect(withoutTimes(streamed)).toEqual(withoutTimes(whole));
  });
});
