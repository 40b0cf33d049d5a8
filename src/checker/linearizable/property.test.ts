import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json, Operation, Outcome } from '../../history/types.js';
import { checkLinearizable } from './index.js';

/**
 * On random small histories with pending operations, the checker agrees with a brute-force
 * reference that tries every order allowed by real time, with each pending operation either
 * placed somewhere or never taking effect.
 */

type Spec = { f: 'read' | 'write' | 'cas'; a: number; b: number; gap: number; dur: number; outcome: Outcome };

const opSpec = fc.record({
  f: fc.constantFrom('read' as const, 'write' as const, 'cas' as const),
  a: fc.integer({ min: 0, max: 2 }),
  b: fc.integer({ min: 0, max: 2 }),
  gap: fc.integer({ min: 0, max: 4 }),
  dur: fc.integer({ min: 0, max: 6 }),
  outcome: fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'ok', 'info', 'fail'),
});

const historySpec = fc.array(fc.array(opSpec, { minLength: 1, maxLength: 3 }), {
  minLength: 1,
  maxLength: 3,
});

/** Builds operations from specs; `value` maps a spec's small numbers to the values written and read. */
function build(processes: Spec[][], value: (n: number, salt: number) => Json = (n) => n): Operation[] {
  const ops: Omit<Operation, 'index'>[] = [];
  processes.forEach((specs, process) => {
    let t = 0;
    for (const s of specs) {
      const call = t + s.gap;
      const ret = call + s.dur;
      const salt = call + process;
      const input: Json =
        s.f === 'read' ? null : s.f === 'write' ? value(s.a, salt) : [value(s.a, salt), value(s.b, salt + 1)];
      const op: Omit<Operation, 'index'> = {
        process,
        f: s.f,
        key: null,
        input,
        outcome: s.outcome,
        pending: s.outcome === 'info',
        call,
        ret: s.outcome === 'info' ? Number.POSITIVE_INFINITY : ret,
      };
      if (s.outcome === 'ok') op.output = s.f === 'read' ? (s.b === 2 ? null : value(s.b, salt)) : input;
      ops.push(op);
      if (s.outcome === 'info') break; // the process is retired
      t = ret + 1;
    }
  });
  return ops.sort((x, y) => x.call - y.call).map((op, index) => ({ ...op, index }));
}

type Step = (state: Json, o: Operation) => Json | undefined;

const casRegister: Step = (state, o) => {
  if (o.f === 'read') return o.output === state ? state : undefined;
  if (o.f === 'write') return o.input;
  const [expected, next] = o.input as number[];
  return state === expected ? next : undefined;
};

function reference(ops: Operation[], step: Step = casRegister, initial: Json = null): boolean {
  const live = ops.filter((o) => o.outcome !== 'fail' && !(o.pending && o.f === 'read'));
  const completed = live.filter((o) => !o.pending).length;
  const placed = new Set<Operation>();
  const search = (state: Json, done: number): boolean => {
    if (done === completed) return true;
    for (const x of live) {
      if (placed.has(x)) continue;
      if (live.some((y) => !placed.has(y) && y !== x && !y.pending && y.ret < x.call)) continue;
      const next = step(state, x);
      if (next === undefined) continue;
      placed.add(x);
      const ok = search(next, done + (x.pending ? 0 : 1));
      placed.delete(x);
      if (ok) return true;
    }
    return false;
  };
  return search(initial, 0);
}

describe('the checker agrees with a brute-force reference', () => {
  it('on random small cas-register histories with pending operations', async () => {
    let seenInvalid = 0;
    let seenValid = 0;
    await fc.assert(
      fc.asyncProperty(historySpec, async (spec) => {
        const ops = build(spec);
        const expected = reference(ops);
        const result = await checkLinearizable(ops, { model: 'cas-register' });
        if (expected) seenValid++;
        else seenInvalid++;
        expect(result.valid).toBe(expected);
      }),
      { numRuns: 3000, seed: 42 },
    );
    // The generator must produce both verdicts, or the property says little.
    expect(seenValid).toBeGreaterThan(300);
    expect(seenInvalid).toBeGreaterThan(300);
  });

  it('with several keys, a history is linearizable iff every key is', async () => {
    await fc.assert(
      fc.asyncProperty(historySpec, historySpec, async (a, b) => {
        const left = build(a).map((op) => ({ ...op, key: 'a' }));
        const right = build(b).map((op) => ({ ...op, key: 'b', process: op.process + 10 }));
        const both = [...left, ...right]
          .sort((x, y) => x.call - y.call)
          .map((op, index) => ({ ...op, index }));
        const result = await checkLinearizable(both, { model: 'cas-register' });
        expect(result.valid).toBe(reference(left) && reference(right));
        expect(result.keys).toBe(2);
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});

/**
 * Values of several kinds, each with the representations that must count as equal: objects with
 * their keys in another order, vectors, integers at the edge of what a double holds exactly.
 * The reference compares the small numbers the values stand for, so it shares no code with the
 * checker's comparison.
 */
const POOL: Json[][] = [
  [2 ** 53 - 1],
  [
    { a: 1, b: [1, 2], c: { d: null, e: 'x' } },
    { c: { e: 'x', d: null }, b: [1, 2], a: 1 },
  ],
  [
    [1, [2, { z: 0, y: 1 }]],
    [1, [2, { y: 1, z: 0 }]],
  ],
];
const pooled = (n: number, salt: number): Json => POOL[n][salt % POOL[n].length];

describe('values are compared as values', () => {
  it('objects with shuffled keys, vectors and large integers agree with the reference', async () => {
    let seenInvalid = 0;
    await fc.assert(
      fc.asyncProperty(historySpec, async (spec) => {
        const expected = reference(build(spec));
        const result = await checkLinearizable(build(spec, pooled), { model: 'cas-register' });
        if (!expected) seenInvalid++;
        expect(result.valid).toBe(expected);
      }),
      { numRuns: 1500, seed: 11 },
    );
    expect(seenInvalid).toBeGreaterThan(150);
  });

  it('distinguishes integers a double holds exactly and objects that differ in one place', async () => {
    const ops = (written: Json, read: Json): Operation[] => [
      {
        index: 0,
        process: 0,
        f: 'write',
        key: null,
        input: written,
        output: written,
        outcome: 'ok',
        pending: false,
        call: 0,
        ret: 1,
      },
      {
        index: 1,
        process: 1,
        f: 'read',
        key: null,
        input: null,
        output: read,
        outcome: 'ok',
        pending: false,
        call: 2,
        ret: 3,
      },
    ];
    const check = async (w: Json, r: Json) =>
      (await checkLinearizable(ops(w, r), { model: 'register' })).valid;
    expect(await check(2 ** 53 - 1, 2 ** 53 - 2)).toBe(false);
    expect(await check({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(await check({ a: 1, b: 2 }, { a: 1, b: 2, c: null })).toBe(false);
    expect(await check([1, 2], [2, 1])).toBe(false);
  });
});

describe('the multi-register model agrees with a brute-force reference', () => {
  const micro = fc.tuple(
    fc.constantFrom('read', 'write'),
    fc.constantFrom('x', 'y'),
    fc.integer({ min: 0, max: 2 }),
  );
  const txnSpec = fc.record({
    micros: fc.array(micro, { minLength: 1, maxLength: 2 }),
    unknownRead: fc.boolean(),
    gap: fc.integer({ min: 0, max: 4 }),
    dur: fc.integer({ min: 0, max: 6 }),
    outcome: fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'info', 'fail'),
  });
  type TxnSpec = {
    micros: [string, string, number][];
    unknownRead: boolean;
    gap: number;
    dur: number;
    outcome: Outcome;
  };

  function txns(processes: TxnSpec[][]): Operation[] {
    const ops: Omit<Operation, 'index'>[] = [];
    processes.forEach((specs, process) => {
      let t = 0;
      for (const s of specs) {
        const call = t + s.gap;
        const input: Json = s.micros.map(([f, k, v]) => [f, k, f === 'read' ? null : v]);
        // A read that returned nil is "not known" (as Knossos), so it constrains nothing.
        const output: Json = s.micros.map(([f, k, v]) => [f, k, f === 'read' && s.unknownRead ? null : v]);
        const pending = s.outcome === 'info';
        const op: Omit<Operation, 'index'> = {
          process,
          f: 'txn',
          key: null,
          input,
          outcome: s.outcome,
          pending,
          call,
          ret: pending ? Number.POSITIVE_INFINITY : call + s.dur,
        };
        if (s.outcome === 'ok') op.output = output;
        ops.push(op);
        if (pending) break;
        t = call + s.dur + 1;
      }
    });
    return ops.sort((x, y) => x.call - y.call).map((op, index) => ({ ...op, index }));
  }

  const registers: Step = (state, o) => {
    const next = { ...(state as Record<string, number>) };
    for (const [f, k, v] of (o.pending ? o.input : o.output) as [string, string, number | null][]) {
      if (f === 'write') next[k] = v as number;
      else if (v !== null && next[k] !== v) return undefined;
    }
    return next;
  };

  it('on random transactions over two registers', async () => {
    let seenInvalid = 0;
    let seenValid = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(txnSpec, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        async (spec) => {
          const ops = txns(spec as TxnSpec[][]);
          const expected = reference(ops, registers, { x: 0, y: 0 });
          const result = await checkLinearizable(ops, {
            model: 'multi-register',
            initialValue: { y: 0, x: 0 },
          });
          if (expected) seenValid++;
          else seenInvalid++;
          expect(result.valid).toBe(expected);
        },
      ),
      { numRuns: 1500, seed: 5 },
    );
    expect(seenValid).toBeGreaterThan(150);
    expect(seenInvalid).toBeGreaterThan(150);
  });
});
