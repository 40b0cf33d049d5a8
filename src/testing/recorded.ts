import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkerNamed, type PlannedCheck } from '../checkers.js';

/**
 * A history recorded by a real run (`dscheck run --store redis --nemesis partition --read-from
 * replicas --time-limit 16 --nemesis-interval 4 --rate 250 --seed 11`): every key fails
 * linearizability, 41% of the reads are stale, 420 read-your-writes violations. Judged read whole
 * and judged as a stream (forced by DSCHECK_STREAM_FROM_BYTES=0), it must give the same results.
 */
export const RECORDED = join(
  import.meta.dirname,
  '..',
  'checker',
  'streaming',
  'fixtures',
  'redis-replicas-partition',
);

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
