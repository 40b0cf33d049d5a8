import { describe, expect, it } from 'vitest';
import { keyNames } from './keys.js';
import { Random } from './random.js';
import { zipfCdf, zipfKeys } from './zipf.js';

describe('zipfKeys', () => {
  it('draws rank i in proportion to 1/(i+1)^s', () => {
    const keys = keyNames(100);
    const draw = zipfKeys(keys, 1);
    const random = Random.fromSeed(7);
    const counts = new Map<string, number>();
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const k = draw(random);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const cdf = zipfCdf(100, 1);
    const p0 = cdf[0];
    expect((counts.get('k0') ?? 0) / n).toBeCloseTo(p0, 2);
    // k1 is about half as popular as k0, k9 about a tenth.
    expect((counts.get('k1') ?? 0) / (counts.get('k0') ?? 1)).toBeCloseTo(0.5, 1);
    expect((counts.get('k9') ?? 0) / (counts.get('k0') ?? 1)).toBeCloseTo(0.1, 1);
  });

  it('is uniform at exponent 0 and replays with the seed', () => {
    const cdf = zipfCdf(4, 0);
    expect([...cdf]).toEqual([0.25, 0.5, 0.75, 1]);
    const keys = keyNames(50);
    const a = Array.from(
      { length: 20 },
      (
        (r) => () =>
          zipfKeys(keys, 1.1)(r)
      )(Random.fromSeed(3)),
    );
    const b = Array.from(
      { length: 20 },
      (
        (r) => () =>
          zipfKeys(keys, 1.1)(r)
      )(Random.fromSeed(3)),
    );
    expect(a).toEqual(b);
  });

  it('refuses a negative exponent and an empty keyspace', () => {
    expect(() => zipfKeys([], 1)).toThrow(RangeError);
    expect(() => zipfKeys(['k0'], -1)).toThrow(RangeError);
  });
});
