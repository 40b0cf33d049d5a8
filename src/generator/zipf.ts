import type { KeyDistribution } from './keys.js';
import type { Random } from './random.js';

/**
 * Keys by popularity, as real caches see them: the key of rank i (0-based) is drawn with
 * probability proportional to 1 / (i + 1)^exponent. Exponent 0 is uniform; around 1 a few hot
 * keys take most reads, so a cache of any size hits often, and losing it hurts at once.
 */
export function zipfKeys(keys: readonly string[], exponent: number): KeyDistribution {
  if (keys.length === 0) throw new RangeError('a workload needs at least one key');
  if (!(exponent >= 0) || !Number.isFinite(exponent)) throw new RangeError('the Zipf exponent must be >= 0');
  const cdf = zipfCdf(keys.length, exponent);
  return (random: Random) => keys[rankAt(cdf, random.float())];
}

/** Cumulative probabilities of ranks 0..n-1; the last is exactly 1. */
export function zipfCdf(n: number, exponent: number): Float64Array {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / (i + 1) ** exponent;
    cdf[i] = total;
  }
  for (let i = 0; i < n; i++) cdf[i] /= total;
  cdf[n - 1] = 1;
  return cdf;
}

/** The first rank whose cumulative probability exceeds u (binary search). */
function rankAt(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
