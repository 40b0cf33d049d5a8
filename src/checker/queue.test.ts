import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json, Operation, Outcome } from '../history/types.js';
import { checkQueue } from './queue.js';

/** Operations on queue `q`, one time unit each, in the order given. */
function history(ops: [process: number, f: string, input: Json, outcome: Outcome, output?: Json][]) {
  const operations: Operation[] = ops.map(([process, f, input, outcome, output], index) => ({
    index,
    process,
    f,
    key: 'q',
    input,
    ...(output !== undefined ? { output } : {}),
    outcome,
    pending: outcome === 'info',
    call: index * 10,
    ret: outcome === 'info' ? Number.POSITIVE_INFINITY : index * 10 + 5,
  }));
  return { operations };
}

describe('queue checker', () => {
  it('exactly-once: every acknowledged message came out once', () => {
    const r = checkQueue(
      history([
        [0, 'enqueue', 1, 'ok', 1],
        [0, 'enqueue', 2, 'ok', 2],
        [1, 'dequeue', null, 'ok', 1],
        [1, 'dequeue', null, 'ok', null],
        [2, 'drain', null, 'ok', [2]],
      ]),
    );
    expect(r).toMatchObject({ valid: true, delivery: 'exactly-once', drains: 1, delivered: 2 });
    expect(r.dequeues).toEqual({ ok: 1, empty: 1, fail: 0, info: 0 });
  });

  it('finds lost, duplicated, unexpected and recovered messages', () => {
    const r = checkQueue(
      history([
        [0, 'enqueue', 1, 'ok', 1],
        [0, 'enqueue', 2, 'ok', 2],
        [0, 'enqueue', 3, 'info'],
        [0, 'enqueue', 4, 'fail'],
        [1, 'dequeue', null, 'ok', 1],
        [2, 'dequeue', null, 'ok', [1, 3]],
        [2, 'dequeue', null, 'ok', 4],
        [2, 'dequeue', null, 'ok', 9],
        [3, 'drain', null, 'ok', []],
      ]),
    );
    expect(r.valid).toBe(false);
    expect(r.delivery).toBe('neither');
    expect(r.lost).toEqual({ count: 1, messages: [2] });
    expect(r.duplicated).toMatchObject({ count: 1, extra: 1, messages: [{ message: 1, times: 2 }] });
    expect(r.unexpected).toEqual({ count: 2, messages: [4, 9] });
    expect(r.recovered).toEqual({ count: 1, messages: [3] });
  });

  it('a dequeue whose answer was lost may have taken one lost message: only the rest are certainly lost', () => {
    // Seen in a real Redis run: XREADGROUP and XACK took effect, the server was killed before the
    // consumer heard back; the message is acknowledged and never seen again.
    const explained = checkQueue(
      history([
        [0, 'enqueue', 1, 'ok', 1],
        [0, 'enqueue', 2, 'ok', 2],
        [0, 'enqueue', 3, 'ok', 3],
        [1, 'dequeue', null, 'info'],
        [2, 'dequeue', null, 'info'],
        [3, 'dequeue', null, 'ok', 3],
        [3, 'drain', null, 'ok', []],
      ]),
      { promised: 'at-least-once' },
    );
    expect(explained.lost).toEqual({ count: 2, messages: [1, 2] });
    expect(explained.possiblyTaken).toEqual({ count: 2, dequeues: 2 });
    expect(explained).toMatchObject({ valid: true, delivery: 'exactly-once' });

    const beyond = checkQueue(
      history([
        [0, 'enqueue', 1, 'ok', 1],
        [0, 'enqueue', 2, 'ok', 2],
        [1, 'dequeue', null, 'info'],
        [3, 'drain', null, 'ok', []],
      ]),
      { promised: 'at-least-once' },
    );
    expect(beyond.possiblyTaken).toEqual({ count: 1, dequeues: 1 });
    expect(beyond).toMatchObject({ valid: false, delivery: 'at-most-once' });

    // A drain whose answer was lost may have taken any number.
    const drained = checkQueue(
      history([
        [0, 'enqueue', 1, 'ok', 1],
        [0, 'enqueue', 2, 'ok', 2],
        [3, 'drain', null, 'info'],
        [4, 'drain', null, 'ok', []],
      ]),
      { promised: 'at-least-once' },
    );
    expect(drained.possiblyTaken?.count).toBe(2);
    expect(drained.valid).toBe(true);
  });

  it('counts a message first delivered after a later-enqueued one was delivered as reordered', () => {
    const r = checkQueue(
      history([
        [0, 'enqueue', 1, 'ok', 1],
        [0, 'enqueue', 2, 'ok', 2],
        [0, 'enqueue', 3, 'ok', 3],
        [1, 'dequeue', null, 'ok', 2],
        [1, 'dequeue', null, 'ok', 3],
        [2, 'dequeue', null, 'ok', 1],
        [3, 'dequeue', null, 'ok', 3],
        [3, 'drain', null, 'ok', []],
      ]),
    );
    // 1 was overtaken by 2 and 3; 3's second delivery (a duplicate) does not make 2 or 3 late.
    expect(r.reordered).toEqual({ count: 1, messages: [1] });
    expect(r.valid).toBe(false);
  });

  it('counts no reordering when enqueues overlap: their order is not certain', () => {
    const operations: Operation[] = [
      {
        index: 0,
        process: 0,
        f: 'enqueue',
        key: 'q',
        input: 1,
        output: 1,
        outcome: 'ok',
        pending: false,
        call: 0,
        ret: 20,
      },
      {
        index: 1,
        process: 1,
        f: 'enqueue',
        key: 'q',
        input: 2,
        output: 2,
        outcome: 'ok',
        pending: false,
        call: 10,
        ret: 30,
      },
      {
        index: 2,
        process: 2,
        f: 'dequeue',
        key: 'q',
        input: null,
        output: 2,
        outcome: 'ok',
        pending: false,
        call: 40,
        ret: 45,
      },
      {
        index: 3,
        process: 2,
        f: 'dequeue',
        key: 'q',
        input: null,
        output: 1,
        outcome: 'ok',
        pending: false,
        call: 50,
        ret: 55,
      },
    ];
    expect(checkQueue({ operations }).reordered.count).toBe(0);
  });

  it('holds the history to the promised delivery', () => {
    const lossy = history([
      [0, 'enqueue', 1, 'ok', 1],
      [0, 'enqueue', 2, 'ok', 2],
      [1, 'dequeue', null, 'ok', 1],
      [3, 'drain', null, 'ok', []],
    ]);
    expect(checkQueue(lossy).valid).toBe(false);
    expect(checkQueue(lossy, { promised: 'at-most-once' })).toMatchObject({
      valid: true,
      delivery: 'at-most-once',
    });
    expect(checkQueue(lossy, { promised: 'at-least-once' }).valid).toBe(false);
    const twice = history([
      [0, 'enqueue', 1, 'ok', 1],
      [1, 'dequeue', null, 'ok', 1],
      [3, 'drain', null, 'ok', [1]],
    ]);
    expect(checkQueue(twice, { promised: 'at-least-once' })).toMatchObject({
      valid: true,
      delivery: 'at-least-once',
    });
    expect(checkQueue(twice, { promised: 'at-most-once' }).valid).toBe(false);
  });

  it('without a drain, an undelivered message is not called lost', () => {
    const r = checkQueue(history([[0, 'enqueue', 1, 'ok', 1]]));
    expect(r).toMatchObject({
      valid: 'unknown',
      lost: { count: 0 },
      notDequeued: { count: 1, messages: [1] },
    });
  });

  it('property: delivering each acknowledged message once, in any order and batching, is exactly-once', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength: 40 }),
        fc.nat(),
        (sent, seed) => {
          const shuffled = [...sent].sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
          const half = Math.floor(shuffled.length / 2);
          const ops: [number, string, Json, Outcome, Json?][] = sent.map((m) => [0, 'enqueue', m, 'ok', m]);
          for (const m of shuffled.slice(0, half)) ops.push([1, 'dequeue', null, 'ok', m]);
          ops.push([2, 'drain', null, 'ok', shuffled.slice(half)]);
          const r = checkQueue(history(ops));
          expect(r).toMatchObject({ valid: true, delivery: 'exactly-once', delivered: sent.length });
        },
      ),
    );
  });

  it('property: dropping and repeating deliveries are counted exactly', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 40, maxLength: 40 }),
        (sent, copies) => {
          const ops: [number, string, Json, Outcome, Json?][] = sent.map((m) => [0, 'enqueue', m, 'ok', m]);
          sent.forEach((m, i) => {
            for (let c = 0; c < copies[i]; c++) ops.push([1, 'dequeue', null, 'ok', m]);
          });
          ops.push([2, 'drain', null, 'ok', []]);
          const r = checkQueue(history(ops));
          const counts = sent.map((_, i) => copies[i]);
          expect(r.lost.count).toBe(counts.filter((c) => c === 0).length);
          expect(r.duplicated.count).toBe(counts.filter((c) => c > 1).length);
          expect(r.duplicated.extra).toBe(counts.reduce((a, c) => a + Math.max(0, c - 1), 0));
          expect(r.valid).toBe(counts.every((c) => c === 1));
        },
      ),
    );
  });
});
