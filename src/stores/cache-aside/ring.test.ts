import { describe, expect, it } from 'vitest';
import { keyNames } from '../../generator/keys.js';
import { consistentShards, hash32, moduloShards, movedShare } from './ring.js';

const keys = keyNames(20_000);
const nodes = (n: number) => Array.from({ length: n }, (_, i) => `c${i + 1}`);

describe('sharding', () => {
  it('hashes deterministically', () => {
    expect(hash32('k1')).toBe(hash32('k1'));
    expect(hash32('k1')).not.toBe(hash32('k2'));
  });

  it('spreads keys evenly over the nodes with either scheme', () => {
    for (const map of [moduloShards(nodes(4)), consistentShards(nodes(4))]) {
      const counts = new Map<string, number>();
      for (const key of keys) counts.set(map(key), (counts.get(map(key)) ?? 0) + 1);
      expect(counts.size).toBe(4);
      for (const count of counts.values()) expect(count / keys.length).toBeGreaterThan(0.25 - 0.06);
    }
  });

  it('does not depend on the order of the nodes on the ring', () => {
    const a = consistentShards(['c1', 'c2', 'c3']);
    const b = consistentShards(['c3', 'c1', 'c2']);
    expect(keys.slice(0, 500).every((k) => a(k) === b(k))).toBe(true);
  });

  it('moves about 1 - 1/N of the keys with modulo and about 1/N with consistent hashing when a node joins', () => {
    for (const n of [3, 4, 5]) {
      const before = nodes(n);
      const after = nodes(n + 1);
      expect(movedShare('modulo', before, after, keys)).toBeCloseTo(1 - 1 / (n + 1), 1);
      expect(movedShare('consistent', before, after, keys)).toBeCloseTo(1 / (n + 1), 1);
    }
  });

  it('moves only the leaving node’s keys with consistent hashing when a node leaves', () => {
    const before = nodes(4);
    const after = ['c1', 'c2', 'c4'];
    const a = consistentShards(before);
    const b = consistentShards(after);
    for (const key of keys.slice(0, 2000)) if (a(key) !== 'c3') expect(b(key)).toBe(a(key));
    expect(movedShare('consistent', before, after, keys)).toBeCloseTo(0.25, 1);
    expect(movedShare('modulo', before, after, keys)).toBeGreaterThan(0.6);
  });
});
