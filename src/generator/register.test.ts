import { describe, expect, it } from 'vitest';
import { keyNames, uniformKeys } from './keys.js';
import { Random } from './random.js';
import { RegisterGenerator, type RegisterOp } from './register.js';

const mix = { read: 1, write: 1, cas: 1 };

function generators(seed: number, workers: number): RegisterGenerator[] {
  const root = Random.fromSeed(seed);
  const keys = uniformKeys(keyNames(8));
  return Array.from(
    { length: workers },
    (_, worker) =>
      new RegisterGenerator({ random: root.derive(`worker-${worker}`), keys, mix, worker, workers }),
  );
}

function take(generator: RegisterGenerator, n: number): RegisterOp[] {
  return Array.from({ length: n }, () => generator.next());
}

describe('Random', () => {
  it('the same seed and label give the same stream; labels give different streams', () => {
    const a = Random.fromSeed(99).derive('x');
    const b = Random.fromSeed(99).derive('x');
    const c = Random.fromSeed(99).derive('y');
    const draw = (r: Random) => Array.from({ length: 20 }, () => r.int(0, 1000));
    const da = draw(a);
    expect(draw(b)).toEqual(da);
    expect(draw(c)).not.toEqual(da);
  });
  it('seeds next to each other give unrelated first draws', () => {
    const firsts = new Set(Array.from({ length: 50 }, (_, s) => Random.fromSeed(s).int(0, 999)));
    expect(firsts.size).toBeGreaterThan(35);
  });
  it('weighted draws follow the weights and never pick a zero weight', () => {
    const r = Random.fromSeed(5);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) counts[r.weighted({ a: 3, b: 1, c: 0 })]++;
    expect(counts.c).toBe(0);
    expect(counts.a / counts.b).toBeGreaterThan(2.6);
    expect(counts.a / counts.b).toBeLessThan(3.4);
  });
});

describe('RegisterGenerator', () => {
  it('the same seed gives each worker the same sequence, whatever the other workers do', () => {
    const first = generators(42, 4);
    const second = generators(42, 4);
    // Interleave differently: worker 3 of the second run draws before anyone else.
    const late = take(second[3], 500);
    for (let w = 0; w < 3; w++) expect(take(second[w], 500)).toEqual(take(first[w], 500));
    expect(late).toEqual(take(first[3], 500));
  });
  it('another seed gives another sequence', () => {
    expect(take(generators(1, 1)[0], 50)).not.toEqual(take(generators(2, 1)[0], 50));
  });
  it('uses every operation and every key', () => {
    const ops = take(generators(3, 1)[0], 1000);
    expect(new Set(ops.map((o) => o.f))).toEqual(new Set(['read', 'write', 'cas']));
    expect(new Set(ops.map((o) => o.key)).size).toBe(8);
  });
  it('every value written to a key is unique across all workers', () => {
    const written = new Map<string, Set<number>>();
    let writes = 0;
    for (const g of generators(11, 10)) {
      for (const op of take(g, 2000)) {
        const value = op.f === 'write' ? op.value : op.f === 'cas' ? op.value[1] : undefined;
        if (value === undefined) continue;
        writes++;
        const set = written.get(op.key) ?? new Set<number>();
        expect(set.has(value)).toBe(false);
        set.add(value);
        written.set(op.key, set);
      }
    }
    expect(writes).toBeGreaterThan(10_000);
  });
  it("a cas expects the key's last observed value; observations do not shift the sequence", () => {
    const plain = generators(8, 2)[1];
    const fed = generators(8, 2)[1];
    const lastFed = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const a = plain.next();
      const b = fed.next();
      expect(b.f).toBe(a.f);
      expect(b.key).toBe(a.key);
      if (b.f === 'cas' && a.f === 'cas') {
        expect(b.value[1]).toBe(a.value[1]);
        const last = lastFed.get(b.key);
        if (last !== undefined) expect(b.value[0]).toBe(last);
      }
      fed.observe(b.key, 1000 + i);
      lastFed.set(b.key, 1000 + i);
    }
  });
  it('a cas with nothing observed expects a value some worker writes', () => {
    const g = generators(21, 5)[2];
    for (const op of take(g, 200)) {
      if (op.f !== 'cas') continue;
      const [expected] = op.value;
      expect(expected).toBeGreaterThanOrEqual(1);
      // Values of worker w are w+1 modulo 5.
      expect(Number.isInteger(expected)).toBe(true);
    }
  });
});
