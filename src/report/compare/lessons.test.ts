import { describe, expect, it } from 'vitest';
import type { LockFigures, QueueFigures, TxnFigures } from './data.js';
import {
  lockClosing,
  lockReading,
  pageLesson,
  queueClosing,
  queueReading,
  transactionsClosing,
  transactionsReading,
} from './lessons.js';

const lock = (change: Partial<LockFigures> = {}): LockFigures => ({
  grants: 100,
  leaseMs: 1000,
  holderPauseMs: 2000,
  fencing: false,
  lostLeases: 0,
  overlaps: 0,
  longestOverlapMs: 0,
  unsafe: 0,
  fenced: 0,
  mutex: true,
  ...change,
});

const queue = (change: Partial<QueueFigures> = {}): QueueFigures => ({
  promised: 'at-least-once',
  delivery: 'exactly-once',
  acknowledged: 500,
  delivered: 500,
  lost: 0,
  duplicated: 0,
  extraDeliveries: 0,
  reordered: 0,
  recovered: 0,
  unexpected: 0,
  notDequeued: 0,
  ...change,
});

const run = (label: string, figures: { lock?: LockFigures; queue?: QueueFigures; txn?: TxnFigures }) => ({
  label,
  faultKinds: [] as string[],
  ...figures,
});

describe('pageLesson', () => {
  it("is the lesson most runs have, the first run's on a tie", () => {
    expect(pageLesson([{ lesson: 'lock' }, { lesson: 'queue' }, { lesson: 'queue' }])).toBe('queue');
    expect(pageLesson([{ lesson: 'lock' }, { lesson: 'cap' }])).toBe('lock');
    expect(pageLesson([])).toBe('cap');
  });
});

describe('lock readings', () => {
  it('names the lost leases, the overlaps and the fencing violations with their numbers', () => {
    expect(
      lockReading(
        run('unfenced', { lock: lock({ lostLeases: 3, overlaps: 1, longestOverlapMs: 12, unsafe: 2 }) }),
      ),
    ).toBe(
      'holders stopped 2.0 s after one grant in ten, lease 1.0 s: 100 grants; 3 leases ran out under holders that still believed in them (their release found the lock gone); once two clients held the lock at once (longest 12 ms); the resource accepted 2 writes with an old token (fencing violations)',
    );
  });
  it('says the fence rejected the late writes when none got through, and names the faults', () => {
    const words = lockReading({
      ...run('fenced', { lock: lock({ fencing: true, lostLeases: 1, fenced: 4, mutex: false }) }),
      faultKinds: ['clock'],
    });
    expect(words).toContain(
      ', under clock: 100 grants; 1 lease ran out under holders that still believed in it',
    );
    expect(words).toContain(
      'the fence rejected 4 writes with an old token: no fencing violation got through',
    );
    expect(words).toMatch(/; as a plain mutex \(one that knows no leases\) not linearizable$/);
  });
  it('closes by setting the fenced runs against the unfenced ones, only when both showed it', () => {
    const runs = [
      run('unfenced', { lock: lock({ unsafe: 5 }) }),
      run('fenced', { lock: lock({ fencing: true, fenced: 6 }) }),
    ];
    expect(lockClosing(runs)).toContain(
      'as if they still held the lock, fenced or not; only the fence stopped them (fenced: 6 rejected; against unfenced: 5 accepted).',
    );
    expect(lockClosing([runs[0]])).toBe(
      'unfenced: 0 overlaps, 5 unsafe writes accepted, 0 rejected by the fence.',
    );
  });
  it('names each lock that let late holders through, so no lock service looks safer than a fence', () => {
    const runs = [
      run('single', { lock: lock({ lock: 'redis', unsafe: 14, lostLeases: 16 }) }),
      run('fenced', { lock: lock({ lock: 'redis', fencing: true, fenced: 17, lostLeases: 16 }) }),
      run('majority', { lock: lock({ lock: 'redlock', unsafe: 1, lostLeases: 1 }) }),
      run('paxos', { lock: lock({ lock: 'cassandra-lwt', unsafe: 4, lostLeases: 5 }) }),
    ];
    expect(lockClosing(runs)).toMatch(
      /\. Holders whose lease ran out wrote as if they still held the lock, whichever lock granted it \(Redis SET NX: 14 writes with an old token for 16 lost leases; Redlock: 1 for 1; Cassandra LWT: 4 for 5\): no lock service can tell a stopped holder that its lease is gone\. Only the fence stopped them \(fenced: 17 rejected\)\.$/,
    );
    // Two runs of one lock (or a lock not named): the runs' labels, not the locks' names.
    const same = [runs[0], runs[1], run('again', { lock: lock({ lock: 'redis', unsafe: 3 }) })];
    expect(lockClosing(same)).toContain(
      'fenced or not; only the fence stopped them (fenced: 17 rejected; against single: 14 accepted; again: 3 accepted).',
    );
  });
});

describe('queue readings', () => {
  it('counts lost, duplicated and reordered messages against the promise', () => {
    expect(
      queueReading(
        run('alo', {
          queue: queue({ delivery: 'neither', lost: 4, duplicated: 2, extraDeliveries: 3, reordered: 7 }),
        }),
      ),
    ).toBe(
      'at-least-once promised, neither at most nor at least once seen: 4 of 500 acknowledged messages lost; 2 messages delivered more than once (3 extra deliveries); 7 out of order',
    );
  });
  it('leaves reordering out for results recorded before it was counted, and says when no drain ran', () => {
    const words = queueReading(run('old', { queue: queue({ reordered: undefined, notDequeued: 9 }) }));
    expect(words).not.toContain('order');
    expect(words).toContain('9 never dequeued, and no drain ran');
  });
  it('closes with where the losses come from and which modes delivered twice', () => {
    const runs = [
      run('amo', { queue: queue({ promised: 'at-most-once', lost: 3 }) }),
      run('alo', { queue: queue({ lost: 2, duplicated: 1, extraDeliveries: 1 }) }),
    ];
    expect(queueClosing(runs)).toBe(
      'amo: 3 lost, 0 duplicated, 0 out of order; alo: 2 lost, 1 duplicated, 0 out of order. Every delivery mode lost acknowledged messages: they went with the queue itself, which no consumer-side acknowledgement brings back. Delivered twice only in alo.',
    );
  });
});

describe('transactions readings', () => {
  const txn = (anomalies: Record<string, number>, ruledOut: string[]): TxnFigures => ({
    txns: 200,
    ok: 180,
    aborted: 20,
    unknown: 0,
    anomalies,
    ruledOut,
  });
  it('names the anomalies, the models they rule out, and the aborts', () => {
    expect(
      transactionsReading(
        run('rr', {
          txn: txn({ 'lost-update': 2 }, ['repeatable-read', 'snapshot-isolation', 'serializable']),
        }),
      ),
    ).toBe(
      '2 anomalies (lost-update ×2), which rule out repeatable-read, snapshot-isolation and stronger; 20 of 200 transactions aborted (10%)',
    );
    expect(transactionsReading(run('s', { txn: txn({}, []) }))).toBe(
      'no anomaly: every transaction fits one order of the others; 20 of 200 transactions aborted (10%)',
    );
  });
  it("closes with each level's anomalies, aborts and p99", () => {
    expect(
      transactionsClosing([{ ...run('s', { txn: txn({}, []) }), latencyMs: { p50: 1, p99: 1300 } }]),
    ).toBe('s: no anomaly, 10% aborted, p99 1.3 s.');
  });
});
