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

function build(processes: Spec[][]): Operation[] {
  const ops: Omit<Operation, 'index'>[] = [];
  processes.forEach((specs, process) => {
    let t = 0;
    for (const s of specs) {
      const call = t + s.gap;
      const ret = call + s.dur;
      const input: Json = s.f === 'read' ? null : s.f === 'write' ? s.a : [s.a, s.b];
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
      if (s.outcome === 'ok') op.output = s.f === 'read' ? (s.b === 2 ? null : s.b) : input;
      ops.push(op);
      if (s.outcome === 'info') break; // the process is retired
      t = ret + 1;
    }
  });
  return ops.sort((x, y) => x.call - y.call).map((op, index) => ({ ...op, index }));
}

function reference(ops: Operation[]): boolean {
  const live = ops.filter((o) => o.outcome !== 'fail' && !(o.pending && o.f === 'read'));
  const completed = live.filter((o) => !o.pending).length;
  const step = (state: Json, o: Operation): Json | undefined => {
    if (o.f === 'read') return o.output === state ? state : undefined;
    if (o.f === 'write') return o.input;
    const [expected, next] = o.input as number[];
    return state === expected ? next : undefined;
  };
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
  return search(null, 0);
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
