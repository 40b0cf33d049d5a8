import type { Random } from './random.js';

/** The names of a workload's keys: k0 .. k<count-1>. */
export function keyNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `k${i}`);
}

/** Which key the next operation touches. */
export type KeyDistribution = (random: Random) => string;

/** Every key equally likely: contention spreads evenly, so each key's history stays checkable. */
export function uniformKeys(keys: readonly string[]): KeyDistribution {
  if (keys.length === 0) throw new RangeError('a workload needs at least one key');
  return (random) => random.pick(keys);
}
