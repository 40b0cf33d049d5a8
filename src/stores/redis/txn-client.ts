import type { Redis } from 'ioredis';
import type { ListAppendStep } from '../../generator/list-append.js';
import type { TxnClient } from '../types.js';
import { awaitReplicas, type WaitPolicy } from './client.js';

/**
 * List-append transactions on Redis lists: MULTI, then RPUSH for appends and LRANGE for reads,
 * then EXEC. Redis runs the queued commands one after another with nothing in between, so each
 * transaction is atomic and isolated on the server that runs it. The key names share a hash tag so
 * that Redis Cluster keeps every list in one slot (MULTI cannot span slots).
 *
 * Transactions with appends go to the primary. A transaction with only reads goes where
 * `--read-from` sends reads: on a replica it sees that replica's state, which may lag the primary:
 * exactly the stale reads the checker's real-time variants (G-single-realtime) reveal.
 */
export class RedisTxnClient implements TxnClient {
  constructor(
    private readonly writer: Redis,
    private readonly reader: Redis,
    private readonly nodeOf: (connection: Redis) => string | undefined,
    private readonly wait?: WaitPolicy,
  ) {}

  get node(): string | undefined {
    return this.nodeOf(this.writer);
  }

  async transact(steps: readonly ListAppendStep[]): Promise<ListAppendStep[]> {
    const readOnly = steps.every(([f]) => f === 'r');
    const connection = readOnly ? this.reader : this.writer;
    const multi = connection.multi();
    for (const [f, key, value] of steps) {
      if (f === 'append') multi.rpush(listKey(key), String(value));
      else multi.lrange(listKey(key), 0, -1);
    }
    const replies = await multi.exec();
    if (replies === null) throw new Error('EXECABORT: the transaction was discarded');
    const results = steps.map((step, i): ListAppendStep => {
      const [error, reply] = replies[i];
      if (error) throw error;
      return step[0] === 'r' ? ['r', step[1], (reply as string[]).map(Number)] : step;
    });
    if (!readOnly) await awaitReplicas(this.writer, this.wait);
    return results;
  }

  async close(): Promise<void> {
    this.writer.disconnect();
    if (this.reader !== this.writer) this.reader.disconnect();
  }
}

export const listKey = (key: number): string => `{lists}:${key}`;
