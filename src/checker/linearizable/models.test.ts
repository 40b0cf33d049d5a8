import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import type { Json, Operation } from '../../history/types.js';
import { checkLinearizable } from './index.js';
import { ILLEGAL, InvalidOperation, inferModel, MODELS } from './models.js';

const op = (f: string, input: unknown = null, output?: unknown): Operation =>
  ({
    index: 0,
    process: 0,
    f,
    key: null,
    input,
    output,
    outcome: 'ok',
    pending: false,
    call: 0,
    ret: 1,
  }) as Operation;

describe('models', () => {
  it('are inferred from the operation names', () => {
    expect(inferModel([op('read'), op('write')])).toBe('register');
    expect(inferModel([op('read'), op('cas')])).toBe('cas-register');
    expect(inferModel([op('get'), op('append')])).toBe('kv');
    expect(inferModel([op('acquire'), op('release')])).toBe('mutex');
    expect(() => inferModel([op('read'), op('add')])).toThrow(/add, read.*register \(read\/write\)/);
  });

  it('refuse operations they do not know', async () => {
    await expect(checkLinearizable([op('cas', [1, 2])], { model: 'register' })).rejects.toThrow(UsageError);
  });

  it('step as their sequential specifications say', () => {
    const m = MODELS['cas-register'];
    const step = (state: unknown, f: string, input: unknown, output?: unknown) =>
      m.step(state as null, {
        f,
        input: input as null,
        output: output as null,
        pending: output === undefined,
      });
    expect(step(1, 'read', null, 1)).toBe(1);
    expect(step(1, 'read', null, 2)).toBe(ILLEGAL);
    expect(step(1, 'cas', [1, 2], [1, 2])).toBe(2);
    expect(step(3, 'cas', [1, 2])).toBe(ILLEGAL);
    const ab = MODELS.kv.step(MODELS.kv.init('ab'), { f: 'append', input: 'c', output: 'c', pending: false });
    expect(MODELS.kv.describeState(ab as Json)).toBe('"abc"');
    // Built by an append or a put, equal strings are equal states with equal hashes.
    const put = MODELS.kv.step(ab as Json, { f: 'put', input: 'abc', output: 'abc', pending: false });
    expect(MODELS.kv.equal(ab as Json, put as Json)).toBe(true);
    expect(MODELS.kv.hash(ab as Json)).toBe(MODELS.kv.hash(put as Json));
    expect(MODELS.mutex.step(true, { f: 'acquire', input: null, output: null, pending: false })).toBe(
      ILLEGAL,
    );
    expect(MODELS.mutex.describeState(true)).toBe('held');
    expect(MODELS.register.init(0)).toBe(0);
    expect(MODELS.kv.describeState(MODELS.kv.init(undefined))).toBe('""');
  });
});

describe('operations that do not fit their model are refused, not coerced', () => {
  it.each([
    ['cas-register', op('cas', 3, 3), /a cas needs a pair \[expected, new\], got 3/],
    ['cas-register', op('cas', [1, 2, 3], [1, 2, 3]), /a cas needs a pair/],
    ['kv', op('put', 5, 5), /a kv put takes a string, got 5/],
    ['kv', op('get', null, 5), /a kv get returns a string, got 5/],
    ['multi-register', op('txn', [['read', 'x']]), /micro-operation is \[read\|write register value\]/],
  ] as const)('%s: %j', async (model, operation, message) => {
    const err = await checkLinearizable([{ ...operation, line: 7 }], { model }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidOperation);
    expect((err as InvalidOperation).message).toMatch(/^line 7: /);
    expect((err as InvalidOperation).problem).toMatch(message);
  });

  it('a failed operation is not judged', async () => {
    const failed = { ...op('cas', 3), outcome: 'fail' as const };
    await expect(checkLinearizable([failed], { model: 'cas-register' })).resolves.toMatchObject({
      valid: true,
    });
  });
});

describe('the search over keys', () => {
  // Key "bad", the shortest, is searched first and fails; the others are linearizable.
  const keyed = (key: string, process: number, f: string, input: unknown, output: unknown, call: number) =>
    ({ ...op(f, input, output), key, process, call, ret: call + 1 }) as Operation;
  const history = (): Operation[] => {
    const ops = [keyed('bad', 0, 'write', 1, 1, 0), keyed('bad', 0, 'read', null, 2, 2)];
    for (const k of ['a', 'b', 'c']) for (const t of [0, 2, 4]) ops.push(keyed(k, 1, 'write', t, t, t));
    return ops.map((o, index) => ({ ...o, index }));
  };

  it('stops at the first failing key unless every key is wanted', async () => {
    const first = await checkLinearizable(history(), { model: 'register' });
    expect(first.valid).toBe(false);
    expect(first.failures.map((f) => f.key)).toEqual(['bad']);
    expect(first.skippedKeys).toBe(3);
    const all = await checkLinearizable(history(), { model: 'register', allKeys: true });
    expect(all.valid).toBe(false);
    expect(all.skippedKeys).toBe(0);
  });
});
