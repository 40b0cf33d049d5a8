import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticHistory } from '../generator/synthetic.js';
import { OperationCollector } from '../history/operations.js';
import type { Json, Operation, Outcome } from '../history/types.js';
import { checkStaleReads } from './stale-reads.js';

const MS = 1e6;

/** A handmade operation: times in ms; `out` is a read's result. */
function op(
  process: number,
  f: 'read' | 'write' | 'cas',
  value: Json,
  call: number,
  ret: number | null,
  extra: { outcome?: Outcome; node?: string; key?: string } = {},
): Omit<Operation, 'index'> {
  const outcome = extra.outcome ?? (ret === null ? 'info' : 'ok');
  const pending = outcome === 'info';
  return {
    process,
    f,
    key: extra.key ?? 'k',
    input: f === 'read' ? null : value,
    output: outcome === 'ok' ? value : undefined,
    outcome,
    pending,
    call: call * MS,
    ret: pending || ret === null ? Number.POSITIVE_INFINITY : ret * MS,
    completedAt: ret === null ? undefined : ret * MS,
    ...(extra.node ? { node: extra.node } : {}),
  };
}

function check(...ops: Omit<Operation, 'index'>[]) {
  const operations = ops.map((o, index) => ({ ...o, index }) as Operation);
  return checkStaleReads({ operations });
}

describe('stale reads', () => {
  it('a read of a value overwritten by a write that completed before it began is stale, by how much', () => {
    const r = check(
      op(0, 'write', 1, 0, 10),
      op(0, 'write', 2, 20, 30),
      op(1, 'read', 1, 45, 50, { node: 'n2' }),
    );
    expect(r.valid).toBe(false);
    expect(r.staleReads).toBe(1);
    expect(r.share).toBe(1);
    expect(r.stalenessMs?.max).toBe(15);
    expect(r.worst[0]).toMatchObject({
      read: { index: 2, node: 'n2' },
      write: { index: 0 },
      supersededBy: { index: 1 },
      stalenessMs: 15,
    });
    expect(r.byNode).toEqual([{ node: 'n2', reads: 1, stale: 1, share: 1, maxStalenessMs: 15 }]);
    expect(r.timeline).toEqual([{ second: 0, reads: 1, stale: 1, maxStalenessMs: 15 }]);
  });
  it('a read concurrent with the overwriting write is not stale', () => {
    const r = check(op(0, 'write', 1, 0, 10), op(0, 'write', 2, 20, 30), op(1, 'read', 1, 25, 50));
    expect(r.valid).toBe(true);
    expect(r.staleReads).toBe(0);
  });
  it('writes concurrent with each other do not supersede one another', () => {
    const r = check(op(0, 'write', 1, 0, 10), op(1, 'write', 2, 5, 12), op(2, 'read', 1, 40, 41));
    expect(r.staleReads).toBe(0);
  });
  it('a read of the initial value (null) is stale once any write completed', () => {
    const r = check(op(1, 'read', null, 5, 6), op(0, 'write', 1, 10, 20), op(1, 'read', null, 30, 31));
    expect(r.staleReads).toBe(1);
    expect(r.worst[0]).toMatchObject({ write: null, supersededBy: { index: 1 }, stalenessMs: 10 });
  });
  it('a pending write supersedes nothing by itself', () => {
    const r = check(op(0, 'write', 1, 0, 10), op(0, 'write', 2, 20, null), op(1, 'read', 1, 100, 101));
    expect(r.staleReads).toBe(0);
  });
  it('a failed write supersedes nothing', () => {
    const r = check(
      op(0, 'write', 1, 0, 10),
      op(0, 'write', 2, 20, 30, { outcome: 'fail' }),
      op(1, 'read', 1, 100, 101),
    );
    expect(r.staleReads).toBe(0);
  });
  it('a cas expecting the value supersedes it at its completion, even when invoked earlier', () => {
    const r = check(op(1, 'cas', [1, 2], 0, 20), op(0, 'write', 1, 5, 15), op(2, 'read', 1, 30, 31));
    expect(r.staleReads).toBe(1);
    expect(r.worst[0]).toMatchObject({ supersededBy: { index: 0 }, stalenessMs: 10 });
  });
  it('cas chains through a pending cas: an ok cas expecting its value proves it took effect', () => {
    const r = check(
      op(0, 'write', 1, 0, 100),
      op(1, 'cas', [1, 2], 1, null),
      op(2, 'cas', [2, 3], 2, 20),
      op(3, 'read', 1, 30, 31),
    );
    expect(r.staleReads).toBe(1);
    expect(r.worst[0]).toMatchObject({ supersededBy: { index: 2 }, stalenessMs: 10 });
  });
  it('a real-time successor of a pending write is no evidence against its value', () => {
    const r = check(op(0, 'write', 1, 0, null), op(1, 'write', 2, 10, 20), op(2, 'read', 1, 30, 31));
    expect(r.staleReads).toBe(0);
  });
  it('a real-time chain: a cas child completing before its parent write returns supersedes earlier', () => {
    const r = check(
      op(0, 'write', 1, 0, 10),
      op(1, 'write', 2, 20, 100),
      op(2, 'cas', [2, 3], 25, 40),
      op(3, 'read', 1, 50, 51),
    );
    expect(r.worst[0]).toMatchObject({ supersededBy: { index: 2 }, stalenessMs: 10 });
  });
  it('reads of values nobody wrote are left to the linearizability checker', () => {
    const r = check(op(0, 'write', 1, 0, 10), op(0, 'write', 2, 20, 30), op(1, 'read', 9, 45, 50));
    expect(r).toMatchObject({ valid: true, reads: 1, unexplained: 1 });
  });
  it('keys are independent', () => {
    const r = check(
      op(0, 'write', 1, 0, 10, { key: 'a' }),
      op(0, 'write', 2, 20, 30, { key: 'b' }),
      op(1, 'read', 1, 45, 50, { key: 'a' }),
    );
    expect(r.staleReads).toBe(0);
  });
});

describe('session guarantees', () => {
  it('read-your-writes: a process reads a value older than one it wrote', () => {
    const r = check(op(1, 'write', 1, 0, 10), op(0, 'write', 2, 20, 30), op(0, 'read', 1, 31, 32));
    expect(r.readYourWrites.count).toBe(1);
    expect(r.readYourWrites.examples[0]).toMatchObject({
      kind: 'read-your-writes',
      process: 0,
      earlier: { index: 1 },
      read: { index: 2 },
      olderWrite: { index: 0 },
    });
    expect(r.readYourWrites.examples[0].explanation).toMatch(/completed before that write began/);
    expect(r.monotonicReads.count).toBe(0);
  });
  it('read-your-writes: not when the older order is not certain', () => {
    // Write 1 and write 2 overlap: nothing says 1 is older than 2.
    const r = check(op(1, 'write', 1, 0, 25), op(0, 'write', 2, 20, 30), op(0, 'read', 1, 31, 32));
    expect(r.readYourWrites.count).toBe(0);
    expect(r.valid).toBe(true);
  });
  it('read-your-writes: reading the initial value after an acknowledged own write', () => {
    const r = check(op(0, 'write', 1, 0, 10), op(0, 'read', null, 11, 12));
    expect(r.readYourWrites.count).toBe(1);
    expect(r.readYourWrites.examples[0].olderWrite).toBeNull();
  });
  it('monotonic reads: a process reads a value older than one it read before', () => {
    // Write 2 overlaps both reads of process 2, so neither read is stale; only the order matters.
    const r = check(
      op(0, 'write', 1, 0, 10),
      op(1, 'cas', [1, 2], 12, 60),
      op(2, 'read', 2, 20, 21),
      op(2, 'read', 1, 22, 23),
    );
    expect(r.staleReads).toBe(0);
    expect(r.monotonicReads.count).toBe(1);
    expect(r.monotonicReads.examples[0]).toMatchObject({
      earlier: { index: 2 },
      read: { index: 3 },
      olderWrite: { index: 0 },
    });
    expect(r.monotonicReads.examples[0].explanation).toMatch(/completed before that write began/);
    expect(r.valid).toBe(false);
  });
  it('monotonic reads through a cas chain', () => {
    const r = check(
      op(0, 'write', 1, 0, 100),
      op(1, 'cas', [1, 2], 1, 100),
      op(2, 'read', 2, 20, 21),
      op(2, 'read', 1, 22, 23),
    );
    expect(r.monotonicReads.count).toBe(1);
    expect(r.monotonicReads.examples[0].explanation).toMatch(/chain of compare-and-sets/);
  });
  it('monotonic reads: the violation is found against an earlier read, not only the last one', () => {
    const r = check(
      op(0, 'write', 1, 0, 10),
      op(1, 'write', 2, 12, 60),
      op(3, 'write', 3, 13, 60),
      op(2, 'read', 2, 20, 21),
      op(2, 'read', 3, 22, 23),
      op(2, 'read', 1, 24, 25),
    );
    expect(r.monotonicReads.count).toBe(1);
    expect(r.monotonicReads.examples[0].earlier.index).toBe(3);
  });
  it('a pending write a process made does not bind its later reads (its process retires anyway)', () => {
    const r = check(op(1, 'write', 1, 0, 10), op(0, 'write', 2, 20, null), op(0, 'read', 1, 31, 32));
    expect(r.readYourWrites.count).toBe(0);
  });
});

describe('on linearizable histories', () => {
  it('finds no stale read and no session violation (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (seed, keys, clients, pendingWrites) => {
          const collector = new OperationCollector('synthetic');
          let line = 0;
          for (const event of syntheticHistory({ operations: 300, keys, clients, pendingWrites, seed })) {
            collector.add(event, ++line);
          }
          const r = checkStaleReads({ operations: collector.operations });
          expect(r.staleReads).toBe(0);
          expect(r.readYourWrites.count).toBe(0);
          expect(r.monotonicReads.count).toBe(0);
          expect(r.valid).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
  it('and finds the stale read planted in one (the property is not vacuous)', () => {
    const collector = new OperationCollector('synthetic');
    let line = 0;
    for (const event of syntheticHistory({
      operations: 2000,
      keys: 2,
      clients: 4,
      pendingWrites: 0.1,
      seed: 7,
    })) {
      collector.add(event, ++line);
    }
    const ops = collector.operations;
    const first = ops.find((o) => o.f === 'write' && o.outcome === 'ok') as Operation;
    const late = ops.findLast(
      (o) => o.f === 'read' && o.outcome === 'ok' && o.key === first.key,
    ) as Operation;
    expect(checkStaleReads({ operations: ops }).valid).toBe(true);
    late.output = first.input;
    const r = checkStaleReads({ operations: ops });
    expect(r.staleReads).toBe(1);
    expect(r.worst[0].read.index).toBe(late.index);
  });
});
