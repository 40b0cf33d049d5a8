import type { Redis } from 'ioredis';
import type { QueueClient, QueueClientOptions, QueueDelivery } from '../types.js';

/**
 * Queues on Redis, in the two shapes applications use.
 *
 * Streams: XADD appends; consumers of one group read with XREADGROUP. At-most-once reads with
 * NOACK (the entry counts as acknowledged the moment it is handed out: a consumer that dies with
 * it loses it). At-least-once leaves the entry pending until XACK after handling; a consumer first
 * takes over entries left pending longer than `redeliverAfterMs` by consumers presumed dead
 * (XAUTOCLAIM), so a message whose consumer died is delivered again.
 *
 * Lists: LPUSH appends. At-most-once pops (RPOP). At-least-once moves the message to the
 * consumer's own processing list (LMOVE) and removes it there when handled (LREM); what a consumer
 * left in its processing list (it died, or its ack timed out) is handed out again first.
 */

const GROUP = 'dscheck';

/** One entry of a stream reply: [id, [field, value, ...]]. */
type StreamEntry = [id: string, fields: string[]];

/** The message of a stream entry (field `m`); null for an entry deleted meanwhile (fields nil). */
function messageOf(entry: StreamEntry): number | null {
  const fields = entry[1];
  if (!Array.isArray(fields)) return null;
  const at = fields.indexOf('m');
  return at >= 0 ? Number(fields[at + 1]) : null;
}

export class RedisStreamQueueClient implements QueueClient {
  private readonly groups = new Set<string>();

  constructor(
    private readonly connection: Redis,
    private readonly consumer: string,
    private readonly options: QueueClientOptions,
    readonly node?: string,
  ) {}

  async enqueue(queue: string, message: number): Promise<void> {
    await this.connection.xadd(queue, '*', 'm', String(message));
  }

  dequeue(queue: string): Promise<QueueDelivery | null> {
    return this.inGroup(queue, () => this.take(queue));
  }

  private async take(queue: string): Promise<QueueDelivery | null> {
    if (this.options.delivery === 'at-least-once') {
      const [claimed] = await this.claim(queue, this.options.redeliverAfterMs, 1);
      if (claimed) return this.delivery(queue, claimed);
    }
    const [entry] = await this.read(queue, 1);
    return entry ? this.delivery(queue, entry) : null;
  }

  drain(queue: string): Promise<number[]> {
    return this.inGroup(queue, () => this.takeAll(queue));
  }

  private async takeAll(queue: string): Promise<number[]> {
    const messages: number[] = [];
    for (const take of [() => this.claim(queue, 0, 100), () => this.read(queue, 100)]) {
      for (let batch = await take(); batch.length > 0; batch = await take()) {
        await this.connection.xack(queue, GROUP, ...batch.map(([id]) => id));
        for (const entry of batch) {
          const message = messageOf(entry);
          if (message !== null) messages.push(message);
        }
      }
    }
    return messages;
  }

  async close(): Promise<void> {
    this.connection.disconnect();
  }

  private delivery(queue: string, entry: StreamEntry): QueueDelivery | null {
    const message = messageOf(entry);
    if (message === null) return null;
    return { message, ack: async () => void (await this.connection.xack(queue, GROUP, entry[0])) };
  }

  private async read(queue: string, count: number): Promise<StreamEntry[]> {
    const noAck = this.options.delivery === 'at-most-once' ? ['NOACK'] : [];
    const reply = (await this.connection.call(
      'XREADGROUP',
      'GROUP',
      GROUP,
      this.consumer,
      'COUNT',
      String(count),
      ...noAck,
      'STREAMS',
      queue,
      '>',
    )) as [string, StreamEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  /** Entries pending longer than `minIdleMs` under any consumer, now ours. */
  private async claim(queue: string, minIdleMs: number, count: number): Promise<StreamEntry[]> {
    const reply = (await this.connection.call(
      'XAUTOCLAIM',
      queue,
      GROUP,
      this.consumer,
      String(minIdleMs),
      '0-0',
      'COUNT',
      String(count),
    )) as [string, StreamEntry[], string[]];
    return reply[1].filter((entry) => messageOf(entry) !== null);
  }

  /**
   * Runs `call` once the consumer group exists. A primary that restarted without its data (or a
   * replica promoted before the stream reached it) has no group: forget it, so the next call
   * creates it again.
   */
  private async inGroup<T>(queue: string, call: () => Promise<T>): Promise<T> {
    await this.ensureGroup(queue);
    try {
      return await call();
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOGROUP')) this.groups.delete(queue);
      throw err;
    }
  }

  private async ensureGroup(queue: string): Promise<void> {
    if (this.groups.has(queue)) return;
    try {
      await this.connection.call('XGROUP', 'CREATE', queue, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      // Another consumer created it first: that is the group we want.
      if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
    }
    this.groups.add(queue);
  }
}

export class RedisListQueueClient implements QueueClient {
  constructor(
    private readonly connection: Redis,
    private readonly consumer: string,
    private readonly options: QueueClientOptions,
    readonly node?: string,
  ) {}

  async enqueue(queue: string, message: number): Promise<void> {
    await this.connection.lpush(queue, String(message));
  }

  async dequeue(queue: string): Promise<QueueDelivery | null> {
    if (this.options.delivery === 'at-most-once') {
      const popped = await this.connection.rpop(queue);
      return popped === null ? null : { message: Number(popped), ack: async () => {} };
    }
    const processing = this.processingList(queue);
    const taken =
      (await this.connection.lindex(processing, -1)) ??
      (await this.connection.lmove(queue, processing, 'RIGHT', 'LEFT'));
    if (taken === null) return null;
    return {
      message: Number(taken),
      ack: async () => void (await this.connection.lrem(processing, 1, taken)),
    };
  }

  /** The queue and every consumer's processing list, emptied. */
  async drain(queue: string): Promise<number[]> {
    const lists = [queue, ...(await this.scan(`${queue}:processing:*`))];
    const messages: number[] = [];
    for (const list of lists) {
      // The drain runs alone after healing: nothing adds to the list between the two calls.
      messages.push(...(await this.connection.lrange(list, 0, -1)).map(Number));
      await this.connection.del(list);
    }
    return messages;
  }

  async close(): Promise<void> {
    this.connection.disconnect();
  }

  private processingList(queue: string): string {
    return `${queue}:processing:${this.consumer}`;
  }

  private async scan(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.connection.scan(cursor, 'MATCH', pattern, 'COUNT', 100);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  }
}
