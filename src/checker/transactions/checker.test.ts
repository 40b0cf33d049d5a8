import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { type TxnSpec, txnOperations } from './fixtures.js';
import { checkTransactions, type TxnInputError } from './index.js';

/** Transactions that all overlap in time (no real-time order), each on its own process. */
const concurrent = (...ops: TxnSpec['ops'][]): TxnSpec[] =>
  ops.map((o, p) => ({ process: p, ops: o, call: 0, ret: 10 }));
const check = (specs: TxnSpec[]) => checkTransactions(txnOperations(specs));

describe('transactions checker: classic anomalies', () => {
  it('finds nothing in a serial history', () => {
    const r = check([
      {
        process: 0,
        ops: [
          ['append', 'x', 1],
          ['r', 'y', []],
        ],
      },
      {
        process: 1,
        ops: [
          ['r', 'x', [1]],
          ['append', 'y', 1],
        ],
      },
      {
        process: 0,
        ops: [
          ['r', 'x', [1]],
          ['r', 'y', [1]],
        ],
        final: true,
      },
    ]);
    expect(r.valid).toBe(true);
    expect(r.anomalies).toEqual({});
    expect(r.notOk).toEqual([]);
    expect(r.stats).toMatchObject({ txns: 3, ok: 3, keys: 2 });
  });

  it('G0: write cycle, with the steps that justify it', () => {
    const r = check(
      concurrent(
        [
          ['append', 'x', 1],
          ['append', 'y', 2],
        ],
        [
          ['append', 'x', 2],
          ['append', 'y', 1],
        ],
        [
          ['r', 'x', [1, 2]],
          ['r', 'y', [1, 2]],
        ],
      ),
    );
    expect(r.anomalies).toEqual({ G0: 1 });
    expect(r.notOk[0]).toBe('read-uncommitted');
    expect(r.notOk).toContain('strict-serializable');
    const steps = r.examples.G0?.steps ?? [];
    expect(steps).toHaveLength(2);
    expect(new Set(steps.map((s) => `${s.from}->${s.to} ${s.kind} ${s.key} ${s.value}<${s.next}`))).toEqual(
      new Set(['0->1 ww x 1<2', '1->0 ww y 1<2']),
    );
  });

  it('G1c: circular information flow', () => {
    const r = check(
      concurrent(
        [
          ['append', 'x', 1],
          ['r', 'y', [1]],
        ],
        [
          ['append', 'y', 1],
          ['r', 'x', [1]],
        ],
      ),
    );
    expect(r.anomalies).toEqual({ G1c: 1 });
    expect(r.notOk).toEqual([
      'read-committed',
      'repeatable-read',
      'snapshot-isolation',
      'serializable',
      'strong-session-serializable',
      'strict-serializable',
    ]);
  });

  it('G-single: read skew', () => {
    const r = check(
      concurrent(
        [
          ['append', 'x', 1],
          ['append', 'y', 1],
        ],
        [
          ['r', 'x', []],
          ['r', 'y', [1]],
        ],
        [['r', 'x', [1]]],
      ),
    );
    expect(r.anomalies).toEqual({ 'G-single': 1 });
    expect(r.examples['G-single']?.steps?.map((s) => s.kind).sort()).toEqual(['rw', 'wr']);
    expect(r.notOk).toContain('snapshot-isolation');
    expect(r.notOk).not.toContain('read-committed');
  });

  it('G2-item: write skew, two anti-dependencies', () => {
    const r = check(
      concurrent(
        [
          ['r', 'x', []],
          ['append', 'y', 1],
        ],
        [
          ['r', 'y', []],
          ['append', 'x', 1],
        ],
        [
          ['r', 'x', [1]],
          ['r', 'y', [1]],
        ],
      ),
    );
    expect(r.anomalies).toEqual({ 'G2-item': 1 });
    expect(r.notOk).toContain('repeatable-read');
    expect(r.notOk).not.toContain('snapshot-isolation');
  });

  it('lost update: two transactions read the same version and both append', () => {
    const r = check(
      concurrent(
        [
          ['r', 'x', []],
          ['append', 'x', 1],
        ],
        [
          ['r', 'x', []],
          ['append', 'x', 2],
        ],
        [['r', 'x', [1, 2]]],
      ),
    );
    expect(r.anomalies['lost-update']).toBe(1);
    expect(r.anomalies['G-single']).toBe(1);
    expect(r.examples['lost-update']?.txns.map((t) => t.index)).toEqual([0, 1]);
  });

  it('G1a: a read sees the append of a failed transaction', () => {
    const r = check([
      { process: 0, outcome: 'fail', ops: [['append', 'x', 1]] },
      { process: 1, ops: [['r', 'x', [1]]] },
    ]);
    expect(r.anomalies).toEqual({ G1a: 1 });
    expect(r.notOk[0]).toBe('read-committed');
  });

  it('G1b: a read sees an intermediate version', () => {
    const r = check(
      concurrent(
        [
          ['append', 'x', 1],
          ['append', 'x', 2],
        ],
        [['r', 'x', [1]]],
      ),
    );
    expect(r.anomalies.G1b).toBe(1);
  });

  it('internal: a transaction does not see its own append', () => {
    const r = check([
      {
        process: 0,
        ops: [
          ['append', 'x', 1],
          ['r', 'x', []],
        ],
      },
    ]);
    expect(r.anomalies).toEqual({ internal: 1 });
  });

  it('duplicate elements, incompatible orders and garbage', () => {
    expect(
      check([
        { process: 0, ops: [['append', 'x', 1]] },
        { process: 1, ops: [['r', 'x', [1, 1]]] },
      ]).anomalies,
    ).toMatchObject({
      'duplicate-elements': 1,
    });
    const r = check(
      concurrent([['append', 'x', 1]], [['append', 'x', 2]], [['r', 'x', [1, 2]]], [['r', 'x', [2]]]),
    );
    expect(r.anomalies['incompatible-order']).toBe(1);
    expect(check([{ process: 0, ops: [['r', 'x', [9]]] }]).anomalies).toEqual({ garbage: 1 });
  });

  it('lost: an acknowledged append missing from the final read; recovered pending appends', () => {
    const r = check([
      { process: 0, ops: [['append', 'x', 1]] },
      { process: 1, outcome: 'info', ops: [['append', 'x', 2]] },
      { process: 2, outcome: 'info', ops: [['append', 'x', 3]] },
      { process: 3, ops: [['r', 'x', [2]]], final: true },
    ]);
    expect(r.anomalies.lost).toBe(1);
    expect(r.stats.recovered).toBe(1);
    expect(r.examples.lost?.txns.map((t) => t.index)).toEqual([0, 3]);
  });

  it('process and real-time variants of a stale read', () => {
    const session = check([
      { process: 0, ops: [['append', 'x', 1]], call: 0, ret: 10 },
      { process: 0, ops: [['r', 'x', []]], call: 0, ret: 10 },
      { process: 1, ops: [['r', 'x', [1]]], call: 0, ret: 10 },
    ]);
    expect(session.anomalies).toEqual({ 'G-single-process': 1 });
    expect(session.notOk).toEqual(['strong-session-serializable', 'strict-serializable']);
    const realtime = check([
      { process: 0, ops: [['append', 'x', 1]] },
      { process: 1, ops: [['r', 'x', []]] },
      { process: 2, ops: [['r', 'x', [1]]] },
    ]);
    expect(realtime.anomalies).toEqual({ 'G-single-realtime': 1 });
    expect(realtime.notOk).toEqual(['strict-serializable']);
  });

  it('pending transactions: their reads constrain nothing, their seen appends take part', () => {
    const r = check([
      {
        process: 0,
        outcome: 'info',
        ops: [
          ['append', 'x', 1],
          ['r', 'y', null],
        ],
      },
      { process: 1, ops: [['r', 'x', [1]]] },
    ]);
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ info: 1, recovered: 1 });
  });
});

describe('transactions checker: bad input', () => {
  const problem = (ops: TxnSpec[]) => {
    try {
      check(ops);
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      return e as TxnInputError;
    }
    throw new Error('no error');
  };

  it('names the operation and the problem', () => {
    const unknown = problem([
      { process: 0, ops: [] },
      { process: 0, ops: [['w', 'x', 1]] },
    ]);
    expect(unknown.operation).toBe(1);
    expect(unknown.message).toMatch(/unknown micro-operation "w"; valid: append, r/);
    expect(problem([{ process: 0, ops: [['r', 'x', 5]] }]).message).toMatch(/expected a list or null/);
    const twice = problem([
      { process: 0, ops: [['append', 'x', 1]] },
      { process: 1, ops: [['append', 'x', 1]] },
    ]);
    expect(twice.message).toMatch(
      /operation 1: value 1 is appended to key "x" more than once \(also by operation 0\)/,
    );
  });
});
