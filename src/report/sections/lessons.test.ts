import { describe, expect, it } from 'vitest';
import { checkLock } from '../../checker/lock.js';
import { perf } from '../../checker/perf.js';
import { checkQueue } from '../../checker/queue.js';
import type { CheckerResult } from '../../checker/types.js';
import type { Json, Operation } from '../../history/types.js';
import { lockSection } from './lock.js';
import { queueSection } from './queue.js';
import type { ReportContext } from './types.js';

const MS = 1e6;
const HOSTILE = '<img src=x onerror=alert(1)>';

function op(
  index: number,
  process: number,
  f: string,
  key: string,
  input: Json,
  output: Json,
  call: number,
  ret: number,
): Operation {
  return {
    index,
    process,
    f,
    key,
    input,
    output,
    outcome: 'ok',
    pending: false,
    call: call * MS,
    ret: ret * MS,
  };
}

function context<R extends CheckerResult>(
  name: string,
  result: R,
  operations: Operation[],
): ReportContext<R> {
  const history = { operations, nemesis: [], events: operations.length * 2 };
  return {
    name,
    result,
    results: { [name]: result },
    history,
    spans: [],
    axis: { unit: 's', scale: 1e9 },
    perf: perf(history),
  };
}

describe('lock and queue sections', () => {
  it('tell a paused holder in plain words, and escape what the history holds', async () => {
    const operations = [
      op(0, 1, 'acquire', HOSTILE, { leaseMs: 1000 }, { token: 1, leaseMs: 1000 }, 0, 5),
      op(1, 2, 'acquire', HOSTILE, { leaseMs: 1000 }, { token: 2, leaseMs: 1000 }, 1100, 1101),
      op(2, 2, 'write', HOSTILE, { token: 2, value: 1 }, { token: 2, value: 1 }, 1110, 1120),
      op(3, 1, 'write', HOSTILE, { token: 1, value: 2 }, { token: 1, value: 2 }, 3000, 3010),
    ];
    const html = lockSection.render(context('lock', await checkLock({ operations }), operations));
    expect(html).toContain('nothing was heard from it for 3.0 s; its lease expired at 1.005 s');
    expect(html).toContain('a fencing check would have rejected each of them');
    expect(html).not.toContain('<img');
  });

  it('names the delivery the queue showed and lists what was lost', () => {
    const operations = [
      op(0, 0, 'enqueue', HOSTILE, 1, 1, 0, 1),
      op(1, 0, 'enqueue', HOSTILE, 2, 2, 2, 3),
      op(2, 1, 'dequeue', HOSTILE, null, 1, 4, 5),
      op(3, 1, 'dequeue', HOSTILE, null, 1, 6, 7),
      op(4, 2, 'drain', HOSTILE, null, [], 8, 9),
    ];
    const html = queueSection.render(context('queue', checkQueue({ operations }), operations));
    expect(html).toContain('neither at most once nor at least once');
    expect(html).toContain('<p>Lost: 2</p>');
    expect(html).toContain('&lt;img');
    expect(html).not.toContain('<img');
  });
});
