import { describe, expect, it } from 'vitest';
import { Random } from '../generator/random.js';
import {
  bridge,
  complete,
  type Grudge,
  halves,
  majoritiesRing,
  majority,
  one,
  primary,
  randomHalves,
  visibleFrom,
} from './grudge.js';

const three = ['n1', 'n2', 'n3'];
const five = ['n1', 'n2', 'n3', 'n4', 'n5'];

function isSymmetric(grudge: Grudge): boolean {
  return Object.entries(grudge).every(([node, dropped]) =>
    dropped.every((other) => grudge[other]?.includes(node)),
  );
}

describe('complete', () => {
  it('cuts every component off from the others', () => {
    expect(complete([['a'], ['b', 'c'], ['d']])).toEqual({
      a: ['b', 'c', 'd'],
      b: ['a', 'd'],
      c: ['a', 'd'],
      d: ['a', 'b', 'c'],
    });
  });
});

describe('halves', () => {
  it('3 nodes: the first node alone against the other two', () => {
    expect(halves(three)).toEqual({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
  });
  it('5 nodes: a minority of 2 against a majority of 3, symmetric', () => {
    const grudge = halves(five);
    expect(grudge).toEqual({
      n1: ['n3', 'n4', 'n5'],
      n2: ['n3', 'n4', 'n5'],
      n3: ['n1', 'n2'],
      n4: ['n1', 'n2'],
      n5: ['n1', 'n2'],
    });
    expect(isSymmetric(grudge)).toBe(true);
  });
});

describe('randomHalves', () => {
  it('is a seeded bisection: a minority and a majority, symmetric, reproducible', () => {
    for (const seed of [1, 2, 3, 42, 1234]) {
      const grudge = randomHalves(five, Random.fromSeed(seed));
      expect(randomHalves(five, Random.fromSeed(seed))).toEqual(grudge);
      expect(isSymmetric(grudge)).toBe(true);
      const sizes = five.map((n) => visibleFrom(grudge, n, five).length).sort();
      expect(sizes).toEqual([2, 2, 3, 3, 3]);
    }
  });
  it('different seeds give different sides', () => {
    const shapes = new Set(
      [1, 2, 3, 4, 5, 6, 7, 8].map((s) => JSON.stringify(randomHalves(five, Random.fromSeed(s)))),
    );
    expect(shapes.size).toBeGreaterThan(1);
  });
});

describe('one and primary', () => {
  it('one isolates a seeded node from everyone', () => {
    const grudge = one(five, Random.fromSeed(7));
    const isolated = five.filter((n) => grudge[n].length === 4);
    expect(isolated).toHaveLength(1);
    for (const n of five) if (n !== isolated[0]) expect(grudge[n]).toEqual([isolated[0]]);
    expect(one(five, Random.fromSeed(7))).toEqual(grudge);
  });
  it('primary isolates the primary', () => {
    expect(primary(three, 'n2')).toEqual({ n2: ['n1', 'n3'], n1: ['n2'], n3: ['n2'] });
    expect(() => primary(three, 'n9')).toThrow(/n9/);
  });
});

describe('majoritiesRing', () => {
  it('3 nodes: each sees itself and one neighbour, a different pair each', () => {
    const grudge = majoritiesRing(three);
    expect(grudge).toEqual({ n1: ['n2'], n2: ['n3'], n3: ['n1'] });
  });
  it('5 nodes: each sees its two ring neighbours, symmetric', () => {
    const grudge = majoritiesRing(five);
    expect(grudge).toEqual({
      n1: ['n3', 'n4'],
      n2: ['n4', 'n5'],
      n3: ['n1', 'n5'],
      n4: ['n1', 'n2'],
      n5: ['n2', 'n3'],
    });
    expect(isSymmetric(grudge)).toBe(true);
  });
  it('every node sees a majority and no two see the same one, for 3 to 9 nodes, shuffled', () => {
    for (let n = 3; n <= 9; n++) {
      const nodes = Array.from({ length: n }, (_, i) => `n${i + 1}`);
      const grudge = majoritiesRing(nodes, Random.fromSeed(n));
      const seen = nodes.map((node) => visibleFrom(grudge, node, nodes));
      for (const view of seen) expect(view).toHaveLength(majority(n));
      expect(new Set(seen.map((v) => v.join(','))).size).toBe(n);
    }
  });
});

describe('bridge', () => {
  it('3 nodes: n2 bridges n1 and n3', () => {
    expect(bridge(three)).toEqual({ n1: ['n3'], n3: ['n1'], n2: [] });
  });
  it('5 nodes: n3 sees everyone, each side sees a majority only through it', () => {
    const grudge = bridge(five);
    expect(grudge).toEqual({
      n1: ['n4', 'n5'],
      n2: ['n4', 'n5'],
      n4: ['n1', 'n2'],
      n5: ['n1', 'n2'],
      n3: [],
    });
    expect(visibleFrom(grudge, 'n3', five)).toEqual(five);
    expect(isSymmetric(grudge)).toBe(true);
    for (const n of five) expect(visibleFrom(grudge, n, five).length).toBeGreaterThanOrEqual(majority(5));
  });
});
