import { describe, expect, it } from 'vitest';
import { alignSeries, countBuckets, minMaxBuckets } from './downsample.js';

describe('minMaxBuckets', () => {
  it('keeps the smallest and largest value per bucket and skips empty buckets', () => {
    const xs = [0.1, 0.2, 0.3, 2.5, 2.6];
    const ys = [5, 1, 9, 4, 4];
    expect(minMaxBuckets(xs, ys, 0, 4, 4)).toEqual({ x: [0.5, 2.5], min: [1, 4], max: [9, 4] });
  });

  it('bounds the number of points whatever the input size, keeping every outlier', () => {
    const n = 100_000;
    const xs = Array.from({ length: n }, (_, i) => i / n);
    const ys = xs.map((_, i) => (i === 77_777 ? 1_000 : 1));
    const out = minMaxBuckets(xs, ys, 0, 1, 1_000);
    expect(out.x.length).toBe(1_000);
    expect(Math.max(...out.max)).toBe(1_000);
  });

  it('puts values outside the range into the edge buckets', () => {
    expect(minMaxBuckets([-1, 5], [1, 2], 0, 1, 2)).toEqual({ x: [0.25, 0.75], min: [1, 2], max: [1, 2] });
  });
});

describe('countBuckets', () => {
  it('counts per bucket, the last one partial', () => {
    expect(countBuckets([0, 0.5, 1, 2.2], 0, 2.5, 1)).toEqual([2, 1, 1]);
  });
});

describe('alignSeries', () => {
  it('merges series on one sorted x axis with nulls where a series has no point', () => {
    expect(
      alignSeries([
        { x: [1, 3], y: [10, 30] },
        { x: [2, 3], y: [20, 31] },
      ]),
    ).toEqual({
      x: [1, 2, 3],
      ys: [
        [10, null, 30],
        [null, 20, 31],
      ],
    });
  });
});
