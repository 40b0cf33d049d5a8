import { hasOperation } from '../history/summary.js';
import type { History, Json, Operation } from '../history/types.js';
import type { Checker, CheckerResult, Validity } from './types.js';

/**
 * Checker `queue`: what became of each message, after Jepsen's total-queue.
 *
 * The history (HISTORY.md format): every operation on one queue (key = the queue's name).
 * - `enqueue`, value: a unique integer. `ok`: acknowledged; `fail`: not enqueued; `info`: unknown.
 * - `dequeue`, invoke value null. `ok` value: the message taken (an integer), a batch of them (an
 *   array), or null when the queue was empty. A dequeue that ends `info` may have taken a message.
 * - `drain`, run after the faults are healed: `ok` value: every message still delivered (an array).
 *
 * Each message is
 * - lost: enqueue acknowledged, never dequeued, and a drain ran (without a drain it is only
 *   "not dequeued": it may still wait in the queue). A dequeue whose answer was lost (`info`) may
 *   have taken one message, and acknowledged it, before its consumer heard back: as many lost
 *   messages as such dequeues on their queue may have been taken (`possiblyTaken`), so only the
 *   rest are certainly lost, and only those break a promise of at-least-once;
 * - duplicated: dequeued more than once;
 * - unexpected: dequeued but never enqueued, or its enqueue definitely failed;
 * - recovered: its enqueue ended unknown, and it was dequeued after all;
 * - reordered: overtaken, first delivered after a message enqueued after it had been delivered
 *   (its enqueue completed before the other's began, and the other's delivery completed before its
 *   own began: the order is certain). Not a verdict: a queue with several consumers promises no
 *   order, but a redelivered or long-stuck message shows here.
 * The delivery the history shows: exactly-once (nothing lost or duplicated), at-most-once (no
 * duplicates), at-least-once (no losses), or neither. With `promised` the verdict holds the history
 * to that guarantee (at-most-once may lose, at-least-once may duplicate); without it, to
 * exactly-once. Unexpected messages are always invalid; losses without a drain make it unknown.
 */

export const DELIVERY_GUARANTEES = ['exactly-once', 'at-least-once', 'at-most-once'] as const;
export type Delivery = (typeof DELIVERY_GUARANTEES)[number];

export interface QueueOptions {
  /** The delivery the system promises (the workload's `--delivery`). */
  promised?: Delivery;
  /** Messages listed per finding (default 200). */
  listed?: number;
}

export interface DuplicatedMessage {
  key: string | null;
  message: number;
  /** How often it was delivered, and the dequeues (operation index, process, s). */
  times: number;
  deliveries: { index: number; process: number; at: number }[];
}

export interface QueueResult extends CheckerResult {
  valid: Validity;
  delivery: Delivery | 'neither';
  promised: Delivery;
  enqueues: { ok: number; fail: number; info: number };
  dequeues: { ok: number; empty: number; fail: number; info: number };
  drains: number;
  delivered: number;
  lost: { count: number; messages: number[] };
  /**
   * How many of the lost messages dequeues whose answer was lost may have taken (each at most
   * one), and how many such dequeues there were. Absent in results recorded before it was counted.
   */
  possiblyTaken?: { count: number; dequeues: number };
  /** Acknowledged, never dequeued, with no drain to tell lost from still queued. */
  notDequeued: { count: number; messages: number[] };
  duplicated: { count: number; extra: number; messages: DuplicatedMessage[] };
  unexpected: { count: number; messages: number[] };
  recovered: { count: number; messages: number[] };
  reordered: { count: number; messages: number[] };
  ms: number;
}

const NS_PER_S = 1e9;

/** The messages a dequeue or drain returned. */
function messagesOf(value: Json | undefined): number[] {
  if (typeof value === 'number') return [value];
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

interface Deliveries {
  enqueue: Operation | null;
  deliveries: Operation[];
}

export function checkQueue(history: Pick<History, 'operations'>, options: QueueOptions = {}): QueueResult {
  const started = performance.now();
  const listed = options.listed ?? 200;
  const promised = options.promised ?? 'exactly-once';
  const enqueues = { ok: 0, fail: 0, info: 0 };
  const dequeues = { ok: 0, empty: 0, fail: 0, info: 0 };
  const queues = new Map<string | null, Map<number, Deliveries>>();
  const drainedKeys = new Set<string | null>();
  /** Per queue: dequeues whose answer was lost (a drain whose answer was lost: any number). */
  const unknownTakers = new Map<string | null, number>();
  const entry = (key: string | null, message: number): Deliveries => {
    const queue = queues.get(key) ?? new Map<number, Deliveries>();
    queues.set(key, queue);
    let e = queue.get(message);
    if (!e) {
      e = { enqueue: null, deliveries: [] };
      queue.set(message, e);
    }
    return e;
  };
  let drains = 0;
  let delivered = 0;
  for (const op of history.operations) {
    if (op.f === 'enqueue' && typeof op.input === 'number') {
      enqueues[op.pending ? 'info' : op.outcome]++;
      const e = entry(op.key, op.input);
      if (!e.enqueue || op.outcome === 'ok') e.enqueue = op;
    } else if (op.f === 'dequeue' || op.f === 'drain') {
      const taken = op.outcome === 'ok' ? messagesOf(op.output) : [];
      if (op.f === 'drain' && op.outcome === 'ok') {
        drains++;
        drainedKeys.add(op.key);
      } else if (op.f === 'dequeue')
        dequeues[op.pending ? 'info' : taken.length === 0 && op.outcome === 'ok' ? 'empty' : op.outcome]++;
      if (op.pending)
        unknownTakers.set(
          op.key,
          op.f === 'drain' ? Number.POSITIVE_INFINITY : (unknownTakers.get(op.key) ?? 0) + 1,
        );
      for (const message of taken) entry(op.key, message).deliveries.push(op);
      delivered += taken.length;
    }
  }

  const lost: number[] = [];
  const notDequeued: number[] = [];
  const duplicated: DuplicatedMessage[] = [];
  const unexpected: number[] = [];
  const recovered: number[] = [];
  let extra = 0;
  let possiblyTaken = 0;
  for (const [key, queue] of queues) {
    const lostBefore = lost.length;
    for (const [message, { enqueue, deliveries }] of queue) {
      if (deliveries.length === 0) {
        if (enqueue?.outcome === 'ok') (drainedKeys.has(key) ? lost : notDequeued).push(message);
        continue;
      }
      if (!enqueue || enqueue.outcome === 'fail') unexpected.push(message);
      else if (enqueue.pending) recovered.push(message);
      if (deliveries.length > 1) {
        extra += deliveries.length - 1;
        duplicated.push({
          key,
          message,
          times: deliveries.length,
          deliveries: deliveries.map((d) => ({ index: d.index, process: d.process, at: d.call / NS_PER_S })),
        });
      }
    }
    possiblyTaken += Math.min(lost.length - lostBefore, unknownTakers.get(key) ?? 0);
  }
  const certainlyLost = lost.length - possiblyTaken;
  const reordered = [...queues.values()].flatMap(overtaken);
  const byNumber = (a: number, b: number) => a - b;
  const delivery: Delivery | 'neither' =
    certainlyLost === 0 && duplicated.length === 0
      ? 'exactly-once'
      : duplicated.length === 0
        ? 'at-most-once'
        : certainlyLost === 0
          ? 'at-least-once'
          : 'neither';
  const broken =
    unexpected.length > 0 ||
    (promised !== 'at-most-once' && certainlyLost > 0) ||
    (promised !== 'at-least-once' && duplicated.length > 0);
  const valid: Validity = broken
    ? false
    : notDequeued.length > 0 && promised !== 'at-most-once'
      ? 'unknown'
      : true;
  const list = (found: number[]) => ({
    count: found.length,
    messages: found.sort(byNumber).slice(0, listed),
  });
  return {
    valid,
    delivery,
    promised,
    enqueues,
    dequeues,
    drains,
    delivered,
    lost: list(lost),
    possiblyTaken: { count: possiblyTaken, dequeues: dequeues.info },
    notDequeued: list(notDequeued),
    duplicated: {
      count: duplicated.length,
      extra,
      messages: duplicated.sort((a, b) => a.message - b.message).slice(0, listed),
    },
    unexpected: list(unexpected),
    recovered: list(recovered),
    reordered: list(reordered),
    ms: Math.round(performance.now() - started),
  };
}

/**
 * The messages of one queue first delivered after a message that was enqueued after them had been
 * delivered. Sweeps the messages by enqueue invocation, keeping the earliest delivery completion
 * of every later-enqueued message (a suffix minimum).
 */
function overtaken(queue: ReadonlyMap<number, Deliveries>): number[] {
  const delivered = [...queue]
    .flatMap(([message, { enqueue, deliveries }]) =>
      enqueue && enqueue.outcome === 'ok' && !enqueue.pending && deliveries.length > 0
        ? [{ message, enqueue, first: deliveries.reduce((a, b) => (b.call < a.call ? b : a)) }]
        : [],
    )
    .sort((a, b) => a.enqueue.call - b.enqueue.call);
  const laterDelivered: number[] = new Array(delivered.length + 1).fill(Number.POSITIVE_INFINITY);
  for (let i = delivered.length - 1; i >= 0; i--) {
    laterDelivered[i] = Math.min(laterDelivered[i + 1], delivered[i].first.ret);
  }
  return delivered.flatMap(({ message, enqueue, first }) => {
    // The first message whose enqueue began after this one's completed.
    let lo = 0;
    let hi = delivered.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (delivered[mid].enqueue.call > enqueue.ret) hi = mid;
      else lo = mid + 1;
    }
    return laterDelivered[lo] < first.call ? [message] : [];
  });
}

/** "; 3 of the lost may have been taken by the 13 dequeues whose answer was lost" (or nothing). */
function takenWords(r: QueueResult): string {
  const taken = r.possiblyTaken;
  if (!taken || taken.count === 0) return '';
  return ` (${taken.count.toLocaleString('en')} of them may have been taken by the ${taken.dequeues.toLocaleString('en')} dequeues whose answer was lost)`;
}

export interface QueueDigest {
  lost: number;
  duplicated: number;
  /** Absent in digests of results recorded before the checker counted it. */
  reordered?: number;
  delivery: QueueResult['delivery'];
  valid: Validity;
}

function queueOptions(
  raw: Readonly<Record<string, unknown>>,
  problem: (what: string) => Error,
): QueueOptions {
  const promised = raw.promised ?? 'exactly-once';
  if (!(DELIVERY_GUARANTEES as readonly unknown[]).includes(promised)) {
    throw problem(
      `checker queue's promised must be one of ${DELIVERY_GUARANTEES.join(', ')}, not ${JSON.stringify(promised)}`,
    );
  }
  return { promised: promised as Delivery };
}

/** Queues: `enqueue`, `dequeue` and the final `drain` (Jepsen's total-queue). */
export const queueChecker: Checker<QueueOptions, QueueResult, QueueDigest> = {
  name: 'queue',
  optionNames: ['promised'],
  appliesTo: (history) => hasOperation(history.operations, 'enqueue'),
  options: queueOptions,
  check: (history, options) => checkQueue(history, options),
  summary: (r) => [
    `${r.valid === false ? 'QUEUE: ' : 'queue: '}delivery ${r.delivery} (promised ${r.promised}); ${r.lost.count} lost, ${r.duplicated.count} duplicated, ${r.unexpected.count} unexpected of ${r.enqueues.ok} acknowledged enqueues` +
      takenWords(r) +
      (r.notDequeued.count > 0 ? `; ${r.notDequeued.count} not dequeued (no drain)` : ''),
  ],
  found: (r) => [
    `The queue delivered ${r.delivery === 'neither' ? 'neither at most nor at least once' : r.delivery} (promised ${r.promised}): ${r.lost.count.toLocaleString('en')} of ${r.enqueues.ok.toLocaleString('en')} acknowledged messages lost${takenWords(r)}, ${r.duplicated.count.toLocaleString('en')} delivered more than once.`,
  ],
  compare: {
    column: 'queue',
    digest: (r) => ({
      lost: r.lost.count,
      duplicated: r.duplicated.count,
      reordered: r.reordered?.count,
      delivery: r.delivery,
      valid: r.valid,
    }),
    cell: (d) =>
      `${d.delivery}: ${d.lost.toLocaleString('en')} lost, ${d.duplicated.toLocaleString('en')} duplicated`,
  },
};
