import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import type { Operation } from '../../history/types.js';
import { checkLinearizable } from './index.js';
import { ILLEGAL, inferModel, MODELS } from './models.js';

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
    expect(MODELS.kv.step('ab', { f: 'append', input: 'c', output: 'c', pending: false })).toBe('abc');
    expect(MODELS.mutex.step(true, { f: 'acquire', input: null, output: null, pending: false })).toBe(
      ILLEGAL,
    );
    expect(MODELS.mutex.describeState(true)).toBe('held');
    expect(MODELS.register.init(0)).toBe(0);
    expect(MODELS.kv.init(undefined)).toBe('');
  });
});
