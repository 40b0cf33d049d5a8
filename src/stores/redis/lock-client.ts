import type { Redis } from 'ioredis';
import type { LockClient, LockClientOptions, LockGrant } from '../types.js';

/**
 * Lease locks on Redis, as redis.io's "Distributed Locks with Redis" describes them.
 *
 * Grant (one script, so no other client can take the lock between the two steps):
 * `SET lock value NX PX lease` and, when it took, `INCR lock:token` as the fencing token. The value
 * is unique per grant (owner and a sequence number), so release deletes only our own grant
 * (compare-and-delete): a release after the lease ran out and someone else took the lock leaves
 * theirs alone.
 *
 * Protected writes go to a hash `{token, value}`. Unfenced, the resource takes every write, as a
 * file or a database that knows nothing of the lock would. Fenced, it takes a write only if its
 * token is no older than the newest it has taken (Kleppmann, "How to do distributed locking").
 */

const GRANT_SCRIPT = `if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return token`;

const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const FENCED_WRITE_SCRIPT = `local newest = tonumber(redis.call('HGET', KEYS[1], 'token'))
if newest and newest > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'value', ARGV[2])
return 1`;

/**
 * The value each grant of one client stores, remembered by token so release can compare it.
 * Only the latest grant per lock is kept: a process holds a lock once at a time.
 */
class GrantValues {
  private sequence = 0;
  private readonly byLock = new Map<string, { token: number; value: string }>();

  constructor(private readonly owner: string) {}

  next(): string {
    return `${this.owner}:${++this.sequence}`;
  }

  remember(lock: string, token: number, value: string): void {
    this.byLock.set(lock, { token, value });
  }

  /** The value granted under `token`; a token this client never got compares equal to nothing. */
  valueOf(lock: string, token: number): string {
    const held = this.byLock.get(lock);
    return held?.token === token ? held.value : `${this.owner}:not-granted`;
  }
}

/** One Redis instance's half of a lock: grant, release, protected write. */
export class RedisLockInstance {
  constructor(readonly connection: Redis) {}

  async grant(lock: string, value: string, leaseMs: number): Promise<number | null> {
    const token = await this.connection.eval(GRANT_SCRIPT, 2, lock, `${lock}:token`, value, String(leaseMs));
    return typeof token === 'number' ? token : null;
  }

  async release(lock: string, value: string): Promise<boolean> {
    return (await this.connection.eval(RELEASE_SCRIPT, 1, lock, value)) === 1;
  }

  async write(resource: string, token: number, value: number, fenced: boolean): Promise<boolean> {
    if (!fenced) {
      await this.connection.hset(resource, 'token', String(token), 'value', String(value));
      return true;
    }
    return (await this.connection.eval(FENCED_WRITE_SCRIPT, 1, resource, String(token), String(value))) === 1;
  }
}

/** The single-instance lock: one Redis primary holds the lock, the token counter and the resource. */
export class RedisLockClient implements LockClient {
  private readonly instance: RedisLockInstance;
  private readonly values: GrantValues;

  constructor(
    connection: Redis,
    owner: string,
    private readonly options: LockClientOptions,
    readonly node?: string,
  ) {
    this.instance = new RedisLockInstance(connection);
    this.values = new GrantValues(owner);
  }

  /** The holder counts its lease from when it asked: the server's began before its answer came. */
  async acquire(lock: string, leaseMs: number): Promise<LockGrant | null> {
    const asked = performance.now();
    const value = this.values.next();
    const token = await this.instance.grant(lock, value, leaseMs);
    if (token === null) return null;
    this.values.remember(lock, token, value);
    return { token, leaseMs: Math.max(0, Math.floor(leaseMs - (performance.now() - asked))) };
  }

  release(lock: string, token: number): Promise<boolean> {
    return this.instance.release(lock, this.values.valueOf(lock, token));
  }

  write(resource: string, token: number, value: number): Promise<boolean> {
    return this.instance.write(resource, token, value, this.options.fenced);
  }

  async close(): Promise<void> {
    this.instance.connection.disconnect();
  }
}

/** Redlock's allowance for clocks running at different rates: 1% of the lease plus 2 ms. */
export function redlockDrift(leaseMs: number): number {
  return Math.floor(leaseMs * 0.01) + 2;
}

/**
 * What is left of a Redlock lease once the majority answered: the lease, less the time taking it
 * took, less the drift allowance. The lock is held only when a majority granted it and this is > 0.
 */
export function redlockValidity(leaseMs: number, elapsedMs: number): number {
  return leaseMs - elapsedMs - redlockDrift(leaseMs);
}

export const majority = (instances: number): number => Math.floor(instances / 2) + 1;

/**
 * Redlock over N independent Redis primaries: the lock is taken on every instance at once; it is
 * held when a majority granted it and time is left (redlockValidity); otherwise every instance is
 * released again. The grant's lease is that validity, which is what a client following the
 * algorithm believes.
 *
 * Redlock has no fencing token of its own (Kleppmann's main objection). The token here is the
 * highest counter among the instances that granted; two majorities share an instance, so it grows
 * while no instance loses its counter (a restart without persistence, a failover). The protected
 * resource lives on the first instance: one resource, as in the single-instance lock.
 */
export class RedlockClient implements LockClient {
  private readonly instances: RedisLockInstance[];
  private readonly values: GrantValues;

  constructor(
    connections: readonly Redis[],
    owner: string,
    private readonly options: LockClientOptions,
  ) {
    this.instances = connections.map((c) => new RedisLockInstance(c));
    this.values = new GrantValues(owner);
  }

  async acquire(lock: string, leaseMs: number): Promise<LockGrant | null> {
    const value = this.values.next();
    const started = performance.now();
    // An instance that errs or times out counts as not granting; the others decide.
    const tokens = await Promise.all(
      this.instances.map((i) => i.grant(lock, value, leaseMs).catch(() => null)),
    );
    const validity = Math.floor(redlockValidity(leaseMs, performance.now() - started));
    const granted = tokens.filter((t): t is number => t !== null);
    if (granted.length >= majority(this.instances.length) && validity > 0) {
      const token = Math.max(...granted);
      this.values.remember(lock, token, value);
      return { token, leaseMs: validity };
    }
    await this.releaseEverywhere(lock, value);
    return null;
  }

  /** True when a majority still held our grant and let it go. */
  async release(lock: string, token: number): Promise<boolean> {
    const released = await this.releaseEverywhere(lock, this.values.valueOf(lock, token));
    return released >= majority(this.instances.length);
  }

  private async releaseEverywhere(lock: string, value: string): Promise<number> {
    const released = await Promise.all(this.instances.map((i) => i.release(lock, value).catch(() => false)));
    return released.filter(Boolean).length;
  }

  write(resource: string, token: number, value: number): Promise<boolean> {
    return this.instances[0].write(resource, token, value, this.options.fenced);
  }

  async close(): Promise<void> {
    for (const i of this.instances) i.connection.disconnect();
  }
}
