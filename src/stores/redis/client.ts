import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';
import type { Json } from '../../history/types.js';
import type { ClusterNode, RegisterClient, SetClient } from '../types.js';

/** ioredis, loaded on first use so commands that never talk to Redis start fast. */
export function redisClass(): typeof Redis {
  return (createRequire(import.meta.url)('ioredis') as { Redis: typeof Redis }).Redis;
}

import { REDIS_PORT, SENTINEL_MASTER, SENTINEL_PORT } from './config.js';

/** Swaps only when the current value is the expected one; atomic because Lua runs alone. */
const CAS_SCRIPT = `local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/**
 * Connection options that never hide an outcome (DESIGN.md): nothing is resent after a
 * reconnect (a write could apply twice), nothing is queued while disconnected (the error is
 * then definite), every command has a deadline, and reconnects back off.
 */
function connectionOptions(timeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 1000) + Math.floor(Math.random() * 100),
  };
}

/** After each write or successful cas: WAIT for this many replicas, at most this long. */
export interface WaitPolicy {
  replicas: number;
  timeoutMs: number;
}

/**
 * WAIT came back with fewer replicas than asked. The primary applied the write and answered; only
 * its survival is in doubt (the primary may fail before a replica has it), so it is indeterminate.
 */
export class WaitShortfall extends Error {
  override name = 'WaitShortfall';
  constructor(
    readonly acknowledged: number,
    readonly wanted: number,
  ) {
    super(`WAIT: ${acknowledged} of ${wanted} replicas acknowledged the write in time`);
  }
}

/** Redis's WAIT: blocks until `replicas` replicas acknowledged this connection's writes, or the timeout. */
export async function awaitReplicas(
  connection: Pick<Redis, 'wait'>,
  policy: WaitPolicy | undefined,
): Promise<void> {
  if (!policy) return;
  const acknowledged = await connection.wait(policy.replicas, policy.timeoutMs);
  if (acknowledged < policy.replicas) throw new WaitShortfall(acknowledged, policy.replicas);
}

export type Target =
  | { kind: 'node'; node: ClusterNode }
  | { kind: 'sentinel'; role: 'master' | 'slave'; sentinels: readonly ClusterNode[]; index: number };

/** Opens a connection; a first failure is left to the reconnect loop, so the client still starts. */
export async function openConnection(target: Target, timeoutMs: number): Promise<Redis> {
  const options = connectionOptions(timeoutMs);
  const connection =
    target.kind === 'node'
      ? new (redisClass())({ ...options, host: target.node.ip, port: REDIS_PORT })
      : new (redisClass())({
          ...options,
          name: SENTINEL_MASTER,
          role: target.role,
          // Each process asks a different sentinel first, as independent clients would.
          sentinels: rotate(target.sentinels, target.index).map((n) => ({ host: n.ip, port: SENTINEL_PORT })),
          sentinelCommandTimeout: timeoutMs,
          sentinelRetryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
          failoverDetector: true,
          preferredSlaves: (replicas) => replicas[target.index % Math.max(1, replicas.length)] ?? null,
        });
  // Errors reach the operations that hit them; the event would otherwise crash the process.
  connection.on('error', () => {});
  await connection.connect().catch(() => {});
  return connection;
}

const rotate = <T>(items: readonly T[], by: number): T[] => {
  const k = by % Math.max(1, items.length);
  return [...items.slice(k), ...items.slice(0, k)];
};

/** A register on Redis strings holding integers. Writes and cas go to `writer`, reads to `reader`. */
export class RedisRegisterClient implements RegisterClient {
  private readonly casSha: string;

  constructor(
    private readonly writer: Redis,
    private readonly reader: Redis,
    private readonly nodeOf: (connection: Redis) => string | undefined,
    private readonly wait?: WaitPolicy,
  ) {
    this.casSha = scriptSha(CAS_SCRIPT);
  }

  /** The node reads go to: the one whose staleness the checkers attribute to this process. */
  get node(): string | undefined {
    return this.nodeOf(this.reader);
  }

  async read(key: string): Promise<Json> {
    const value = await this.reader.get(key);
    return value === null ? null : Number(value);
  }

  async write(key: string, value: number): Promise<void> {
    await this.writer.set(key, String(value));
    await awaitReplicas(this.writer, this.wait);
  }

  async cas(key: string, expected: number, next: number): Promise<boolean> {
    const args = [key, String(expected), String(next)] as const;
    let swapped: unknown;
    try {
      swapped = await this.writer.evalsha(this.casSha, 1, ...args);
    } catch (err) {
      // NOSCRIPT means the script did not run (a restarted or new primary): sending it is safe.
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
      swapped = await this.writer.eval(CAS_SCRIPT, 1, ...args);
    }
    // A cas that found another value wrote nothing: there is nothing to wait for.
    if (swapped === 1) await awaitReplicas(this.writer, this.wait);
    return swapped === 1;
  }

  async close(): Promise<void> {
    this.writer.disconnect();
    if (this.reader !== this.writer) this.reader.disconnect();
  }
}

const scriptSha = (script: string): string => createHash('sha1').update(script).digest('hex');

/** A set of integers on a Redis set: adds go to `writer`, whole-set reads to `reader`. */
export class RedisSetClient implements SetClient {
  constructor(
    private readonly writer: Redis,
    private readonly reader: Redis,
    private readonly nodeOf: (connection: Redis) => string | undefined,
    private readonly wait?: WaitPolicy,
  ) {}

  get node(): string | undefined {
    return this.nodeOf(this.reader);
  }

  async add(key: string, element: number): Promise<void> {
    await this.writer.sadd(key, String(element));
    await awaitReplicas(this.writer, this.wait);
  }

  async read(key: string): Promise<number[]> {
    return (await this.reader.smembers(key)).map(Number);
  }

  async close(): Promise<void> {
    this.writer.disconnect();
    if (this.reader !== this.writer) this.reader.disconnect();
  }
}
