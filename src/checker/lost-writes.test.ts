import { describe, expect, it } from 'vitest';
import type { Json, Operation, Outcome } from '../history/types.js';
import { checkLostWrites, ELEMENT_STATUS } from './lost-writes.js';

const MS = 1e6;

function add(
  process: number,
  element: number,
  call: number,
  ret: number | null,
  outcome?: Outcome,
  key = 's',
) {
  const o = outcome ?? (ret === null ? 'info' : 'ok');
  return op(process, 'add', key, element, o === 'ok' ? element : undefined, call, ret, o);
}
function read(process: number, elements: number[], call: number, ret: number, final = false, key = 's') {
  const o = op(process, 'read-all', key, null, elements, call, ret, 'ok');
  if (final) o.extra = { final: true };
  return o;
}
function op(
  process: number,
  f: string,
  key: string,
  input: Json,
  output: Json | undefined,
  call: number,
  ret: number | null,
  outcome: Outcome,
): Omit<Operation, 'index'> {
  const pending = outcome === 'info';
  return {
    process,
    f,
    key,
    input,
    output,
    outcome,
    pending,
    call: call * MS,
    ret: pending || ret === null ? Number.POSITIVE_INFINITY : ret * MS,
    completedAt: ret === null ? undefined : ret * MS,
    node: `n${process + 1}`,
  };
}
function check(...ops: Omit<Operation, 'index'>[]) {
  return checkLostWrites({ operations: ops.map((o, index) => ({ ...o, index }) as Operation) });
}

describe('lost writes', () => {
  it('every acknowledged add in the final read: valid', () => {
    const r = check(add(0, 1, 0, 10), add(1, 2, 5, 15), read(2, [1, 2], 100, 101, true));
    expect(r).toMatchObject({
      valid: true,
      finalReads: 1,
      lost: { count: 0 },
      adds: { ok: 2, info: 0, fail: 0 },
    });
    expect(r.timeline.status.map((s) => ELEMENT_STATUS[s])).toEqual(['kept', 'kept']);
  });
  it('an acknowledged add missing from the final read is lost, with when and where it was acknowledged', () => {
    const r = check(
      add(0, 1, 0, 10),
      add(1, 2, 5, 15),
      read(2, [1, 2], 20, 21),
      read(2, [1], 100, 101, true),
    );
    expect(r.valid).toBe(false);
    expect(r.lost).toMatchObject({ count: 1, acknowledged: 1 });
    expect(r.lost.elements[0]).toEqual({
      key: 's',
      element: 2,
      acknowledged: true,
      add: { index: 1, process: 1, node: 'n2', call: 0.005, ack: 0.015 },
      lastSeen: 0.02,
    });
    expect(r.neverRead.count).toBe(0);
  });
  it('a lost element no read ever saw is also never read', () => {
    const r = check(add(0, 1, 0, 10), read(2, [], 100, 101, true));
    expect(r.lost.count).toBe(1);
    expect(r.lost.elements[0].lastSeen).toBeNull();
    expect(r.neverRead).toEqual({ count: 1, elements: [1] });
  });
  it('an indeterminate add that shows up is recovered; one that does not is no loss', () => {
    const r = check(add(0, 1, 0, null), add(1, 2, 0, null), read(2, [1], 100, 101, true));
    expect(r.valid).toBe(true);
    expect(r.recovered).toEqual({ count: 1, elements: [1] });
    expect(r.lost.count).toBe(0);
    expect(r.adds.info).toBe(2);
  });
  it('an indeterminate add a read returned, then missing from the final read, is lost (seen, not acknowledged)', () => {
    const r = check(add(0, 1, 0, null), read(2, [1], 20, 21), read(2, [], 100, 101, true));
    expect(r.valid).toBe(false);
    expect(r.lost).toMatchObject({ count: 1, acknowledged: 0 });
    expect(r.lost.elements[0].acknowledged).toBe(false);
  });
  it('a read after the acknowledgement that missed an element a later read returned is stale', () => {
    const r = check(
      add(0, 1, 0, 10),
      read(2, [1], 5, 6),
      read(2, [], 20, 21),
      read(3, [], 22, 23),
      read(2, [1], 30, 31),
      read(2, [1], 100, 101, true),
    );
    expect(r.valid).toBe(false);
    expect(r.lost.count).toBe(0);
    expect(r.stale).toMatchObject({ elements: 1, misses: 2 });
    expect(r.stale.examples[0]).toMatchObject({
      element: 1,
      ack: 0.01,
      read: { index: 2 },
      seenAgain: { index: 5 },
    });
  });
  it('a lost element is counted as lost, not also as stale', () => {
    const r = check(add(0, 1, 0, 10), read(2, [], 20, 21), read(3, [1], 30, 31), read(2, [], 100, 101, true));
    expect(r.lost.count).toBe(1);
    expect(r.stale).toMatchObject({ elements: 0, misses: 0 });
  });
  it('a read concurrent with the add may miss it', () => {
    const r = check(add(0, 1, 0, 10), read(2, [], 5, 12), read(2, [1], 100, 101, true));
    expect(r.valid).toBe(true);
    expect(r.stale.misses).toBe(0);
  });
  it('an element whose add definitely failed, or that nobody added, is unexpected', () => {
    const r = check(add(0, 1, 0, 10, 'fail'), read(2, [1, 7], 100, 101, true));
    expect(r.valid).toBe(false);
    expect(r.unexpected).toEqual({ count: 2, elements: [1, 7] });
  });
  it('without a final read the verdict is unknown; acknowledged adds nobody read are never read', () => {
    const r = check(add(0, 1, 0, 10), add(0, 2, 11, 12), read(2, [1], 20, 21));
    expect(r.valid).toBe('unknown');
    expect(r.keysWithoutFinalRead).toEqual(['s']);
    expect(r.neverRead).toEqual({ count: 1, elements: [2] });
    expect(r.timeline.status.map((s) => ELEMENT_STATUS[s])).toEqual(['unknown', 'never read']);
  });
  it('sets are judged apart: a set without a final read makes the verdict unknown', () => {
    const r = check(
      add(0, 1, 0, 10, undefined, 'a'),
      add(0, 2, 0, 10, undefined, 'b'),
      read(1, [1], 50, 51, true, 'a'),
    );
    expect(r.valid).toBe('unknown');
    expect(r.keysWithoutFinalRead).toEqual(['b']);
  });
  it('per second: acknowledged and lost adds', () => {
    const r = check(add(0, 1, 0, 10), add(0, 2, 1500, 1600), read(2, [1], 3000, 3001, true));
    expect(r.perSecond).toEqual([
      { second: 0, acked: 1, lost: 0, recovered: 0, stale: 0 },
      { second: 1, acked: 1, lost: 1, recovered: 0, stale: 0 },
    ]);
  });
  it('the timeline keeps every noteworthy element and thins the plain ones', () => {
    const ops = [];
    for (let e = 0; e < 100; e++) ops.push(add(0, e, e * 2, e * 2 + 1));
    ops.push(
      read(
        1,
        Array.from({ length: 99 }, (_, e) => e),
        1000,
        1001,
        true,
      ),
    );
    const r = checkLostWrites(
      { operations: ops.map((o, index) => ({ ...o, index }) as Operation) },
      { timelineElements: 10 },
    );
    expect(r.lost.count).toBe(1);
    expect(r.timeline.element.length).toBeLessThanOrEqual(11);
    expect(r.timeline.element).toContain(99);
    expect(r.timeline.omitted).toBe(100 - r.timeline.element.length);
  });
});
