import type { Quantiles } from '../perf.js';

/** Samples kept exactly up to this many; beyond, a histogram of fixed size takes over. */
export const EXACT_SAMPLES = 1 << 21;
/** Relative width of a histogram bucket: quantiles beyond EXACT_SAMPLES are within 0.1%. */
const GROWTH = 1.001;
const LOG_GROWTH = Math.log(GROWTH);
/** Smallest value told apart from 0 (ms): one nanosecond. */
const FLOOR = 1e-6;

/**
 * Latency samples in bounded memory: exact (a typed array, nearest-rank quantiles as `quantiles`
 * computes them) for up to EXACT_SAMPLES, then a log-scale histogram whose quantiles are within
 * 0.1% of the exact ones, so a history of any length fits.
 */
export class Samples {
  private exact: Float64Array | null = new Float64Array(1024);
  private histogram = new Map<number, number>();
  private count = 0;
  private maximum = Number.NEGATIVE_INFINITY;

  get size(): number {
    return this.count;
  }

  /** Whether the quantiles are estimates (more samples than EXACT_SAMPLES). */
  get approximate(): boolean {
    return this.exact === null;
  }

  add(x: number): void {
    this.maximum = Math.max(this.maximum, x);
    if (this.exact && this.count < EXACT_SAMPLES) {
      if (this.count === this.exact.length) {
        const grown = new Float64Array(Math.min(EXACT_SAMPLES, this.exact.length * 2));
        grown.set(this.exact);
        this.exact = grown;
      }
      this.exact[this.count++] = x;
      return;
    }
    if (this.exact) {
      for (const kept of this.exact.subarray(0, this.count)) this.bucket(kept);
      this.exact = null;
    }
    this.bucket(x);
    this.count++;
  }

  quantiles(): Quantiles | null {
    if (this.count === 0) return null;
    if (this.exact) {
      const sorted = this.exact.slice(0, this.count).sort();
      return {
        p50: round(nearestRank(sorted, 0.5)),
        p90: round(nearestRank(sorted, 0.9)),
        p99: round(nearestRank(sorted, 0.99)),
        max: round(sorted[sorted.length - 1]),
      };
    }
    const buckets = [...this.histogram.entries()].sort(([a], [b]) => a - b);
    const at = (q: number): number => {
      const rank = Math.min(this.count, Math.max(1, Math.ceil(q * this.count)));
      let seen = 0;
      for (const [b, n] of buckets) {
        seen += n;
        if (seen >= rank) return Math.min(this.maximum, bucketValue(b));
      }
      return this.maximum;
    };
    return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(this.maximum) };
  }

  private bucket(x: number): void {
    const b = x <= FLOOR ? -1 : Math.floor(Math.log(x / FLOOR) / LOG_GROWTH);
    this.histogram.set(b, (this.histogram.get(b) ?? 0) + 1);
  }
}

/** The bucket's middle, in value terms. */
function bucketValue(bucket: number): number {
  return bucket < 0 ? 0 : FLOOR * GROWTH ** (bucket + 0.5);
}

function nearestRank(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
