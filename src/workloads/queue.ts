import { UsageError } from '../errors.js';
import type { Random } from '../generator/random.js';
import type { Json } from '../history/types.js';
import { choice, type OptionTable, valueOption } from '../options/spec.js';
import { type DeliveryMode, hasQueues, type QueueClient, type QueueShape } from '../stores/types.js';
import type { CheckerSpecs, ClientOp, OpSource, Workload, WorkloadClient } from './types.js';

const DELIVERIES = ['at-most-once', 'at-least-once'] as const satisfies readonly DeliveryMode[];
const SHAPES = ['streams', 'list'] as const satisfies readonly QueueShape[];

/** The queue workload's own options of `dscheck run` (and its preset's `queue:` settings). */
export const QUEUE_OPTIONS = {
  delivery: valueOption(
    {
      name: 'delivery',
      value: 'guarantee',
      help: 'at-least-once (acknowledge after handling; default) or at-most-once (on receipt)',
    },
    choice(DELIVERIES),
  ),
  queue: valueOption(
    { name: 'queue', value: 'shape', help: 'streams (XREADGROUP/XACK; default) or list (LMOVE/LREM)' },
    choice(SHAPES),
  ),
} satisfies OptionTable;

export interface QueueSettings {
  delivery: DeliveryMode;
  queue: QueueShape;
}

const QUEUE = 'queue';
/** An unacknowledged message idle this many operation timeouts belongs to a consumer presumed dead. */
const REDELIVER_AFTER_TIMEOUTS = 3;

/** Settings from the preset's `queue:` mapping under the command line's options. */
export function resolveQueueSettings(layers: readonly Readonly<Record<string, unknown>>[]): QueueSettings {
  const merged: Record<string, string> = {};
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (name !== 'delivery' && name !== 'queue') {
        throw new UsageError(`unknown queue setting '${name}'; valid choices: delivery, queue`);
      }
      merged[name] = String(value);
    }
  }
  return {
    delivery: QUEUE_OPTIONS.delivery.read(merged.delivery) ?? 'at-least-once',
    queue: QUEUE_OPTIONS.queue.read(merged.queue) ?? 'streams',
  };
}

export interface QueueDefinition {
  settings: QueueSettings;
  checkers: CheckerSpecs;
  source: string;
  definition: Json;
}

/**
 * Every process both produces (enqueues unique integers) and consumes (dequeues, then
 * acknowledges); after healing, one drain takes whatever is left. The queue checker judges it.
 */
export function queueWorkload(def: QueueDefinition): Workload {
  const { settings } = def;
  return {
    name: 'queue',
    needs: ['queues'],
    source: def.source,
    keys: [QUEUE],
    checkers: def.checkers,
    definition: def.definition,
    async openClient(db, index, timeoutMs) {
      if (!hasQueues(db))
        throw new UsageError(`the queue workload needs a store with queues; ${db.store} has none`);
      const redeliverAfterMs = REDELIVER_AFTER_TIMEOUTS * timeoutMs;
      return queueOps(await db.queueClient(index, timeoutMs, { ...settings, redeliverAfterMs }));
    },
    generator: (worker, workers, random) => queueSource(worker, workers, random),
    finalOps: () => [{ f: 'drain', key: QUEUE, value: null }],
  };
}

/** Enqueues and dequeues in equal shares; the n-th message of worker w is (n-1)*workers + w + 1. */
function queueSource(worker: number, workers: number, random: Random): OpSource {
  let sent = 0;
  return {
    next: () =>
      random.chance(0.5)
        ? { f: 'enqueue', key: QUEUE, value: sent++ * workers + worker + 1 }
        : { f: 'dequeue', key: QUEUE, value: null },
    observe() {},
  };
}

/**
 * History operations onto the store's queue client. A dequeue acknowledges what it took before
 * it answers: on receipt (at-most-once, done by the client) or after handling (at-least-once).
 */
function queueOps(client: QueueClient): WorkloadClient {
  return {
    get node() {
      return client.node;
    },
    async invoke(op: ClientOp): Promise<Json> {
      const queue = op.key ?? QUEUE;
      if (op.f === 'enqueue') {
        await client.enqueue(queue, op.value as number);
        return op.value;
      }
      if (op.f === 'dequeue') {
        const delivery = await client.dequeue(queue);
        if (delivery === null) return null;
        await delivery.ack();
        return delivery.message;
      }
      if (op.f === 'drain') return (await client.drain(queue)).sort((a, b) => a - b);
      throw new Error(`the queue workload has no operation '${op.f}'`);
    },
    close: () => client.close(),
  };
}
