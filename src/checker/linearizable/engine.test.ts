import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json } from '../../history/types.js';
import { order, orderEntries, StateTable } from './engine.js';
import { MODELS } from './models.js';

describe('the search state table', () => {
  it('gives equal states one id, however many primitive states came before them', () => {
    const table = new StateTable(MODELS.register);
    // Primitive states take ids without hashes; object states after them need their hashes kept.
    for (let i = 0; i < 300; i++) expect(table.intern(i)).toBe(i);
    const objects: Json[] = [];
    for (let i = 0; i < 200; i++) objects.push({ a: i, b: [i, 'x'] });
    const ids = objects.map((o) => table.intern(o));
    expect(new Set(ids).size).toBe(200);
    // The same values, built again with their keys in another order: the same ids.
    for (let i = 0; i < 200; i++) expect(table.intern({ b: [i, 'x'], a: i })).toBe(ids[i]);
    for (let i = 0; i < 300; i++) expect(table.intern(i)).toBe(i);
    expect(table.states.length).toBe(500);
  });

  it('finds kv states by their hash and text', () => {
    const kv = MODELS.kv;
    const table = new StateTable(kv);
    const ids = ['', 'a', 'ab', 'b'].map((text) => table.intern(kv.init(text) as Json));
    expect(new Set(ids).size).toBe(4);
    expect(table.intern(kv.init('ab') as Json)).toBe(ids[2]);
  });
});

describe('ordering operations and entries by time', () => {
  /** Positions ordered by (key, tie) with the library sort: the reference. */
  const reference = (key: Float64Array, tie: Float64Array, positions: number[]): number[] =>
    [...positions].sort((x, y) => key[x] - key[y] || tie[x] - tie[y]);

  it('orders nearly sorted, reversed and random times, with ties, as a plain sort does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.constantFrom('nearly', 'reversed', 'random'),
        fc.integer({ min: 1, max: 50 }),
        fc.integer(),
        (n, shape, spread, seed) => {
          let s = seed | 0;
          const next = (): number => {
            s = (Math.imul(s, 1103515245) + 12345) | 0;
            return (s >>> 8) % spread;
          };
          const key = new Float64Array(n);
          const tie = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            key[i] = shape === 'nearly' ? i + next() : shape === 'reversed' ? n - i + next() : next() * 97;
            tie[i] = (i * 7919) % (n + 1);
          }
          const positions = Array.from({ length: n }, (_, i) => i);
          const sorted = order(key, tie, Int32Array.from(positions));
          expect([...sorted]).toEqual(reference(key, tie, positions));
        },
      ),
      { numRuns: 200, seed: 13 },
    );
  });

  it('puts every call before returns at the same time, and otherwise orders entries by time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ call: fc.integer({ min: 0, max: 40 }), dur: fc.integer({ min: 0, max: 10 }) }), {
          maxLength: 60,
        }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 10 }),
        (completed, pending) => {
          // As byCall gives them: completed by call time, then pending by call time.
          const done = [...completed].sort((a, b) => a.call - b.call);
          const open = [...pending].sort((a, b) => a - b);
          const C = done.length;
          const n = C + open.length;
          const call = Float64Array.from([...done.map((o) => o.call), ...open]);
          const ret = Float64Array.from([...done.map((o) => o.call + o.dur), ...open.map(() => Infinity)]);
          const { entryOp, entryIsCall } = orderEntries(call, ret, C);
          // Entry x < n is a call, n + i the return of completed operation i; by (time, x).
          const time = (x: number): number => (x < n ? call[x] : ret[x - n]);
          const xs = Array.from({ length: n + C }, (_, x) => x).sort((a, b) => time(a) - time(b) || a - b);
          expect([...entryOp]).toEqual(xs.map((x) => (x < n ? x : x - n)));
          expect([...entryIsCall]).toEqual(xs.map((x) => (x < n ? 1 : 0)));
        },
      ),
      { numRuns: 500, seed: 21 },
    );
  });
});
