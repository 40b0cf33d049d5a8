import type { Client, types } from 'cassandra-driver';
import type { LockClient, LockClientOptions, LockGrant } from '../types.js';
import { driver } from './client.js';
import { KEYSPACE } from './config.js';

/**
 * A lease lock from Cassandra's lightweight transactions (Paxos): the grant is
 * `INSERT INTO locks (name, owner) VALUES (?, ?) IF NOT EXISTS USING TTL lease`, the release
 * `DELETE FROM locks WHERE name = ? IF owner = ?`. The TTL is counted by each replica's own clock
 * from the write's timestamp, so a replica whose clock runs ahead lets the lease end early: the
 * clock nemesis can show that. The holder trusts the lease it asked for counted from when it asked
 * (as Redlock's validity does): the grant's lease is what is left of it once the token is known.
 *
 * The fencing token is a counter row bumped by compare-and-set after the grant (counter columns
 * cannot take part in LWT). Only the holder bumps it, so the loop rarely retries; a holder whose
 * lease ran out meanwhile can still bump it, as a late holder would in any lock service.
 * The resource is a row `{k, fence, v}` (`token` is a CQL keyword): unfenced, a plain write at
 * QUORUM; fenced, a write `IF fence <= ?`, or `IF NOT EXISTS` for the first one.
 */

export const LOCK_TABLES = { locks: 'locks', tokens: 'lock_tokens', resource: 'lock_resource' } as const;

/** The tables the lock workload needs, created once per cluster before the clients start. */
export const LOCK_TABLES_CQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${LOCK_TABLES.locks} (name text PRIMARY KEY, owner text)`,
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${LOCK_TABLES.tokens} (name text PRIMARY KEY, t bigint)`,
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${LOCK_TABLES.resource} (k text PRIMARY KEY, fence bigint, v int)`,
];

const LOCKS = `${KEYSPACE}.${LOCK_TABLES.locks}`;
const TOKENS = `${KEYSPACE}.${LOCK_TABLES.tokens}`;
const RESOURCE = `${KEYSPACE}.${LOCK_TABLES.resource}`;

const STATEMENTS = {
  grant: `INSERT INTO ${LOCKS} (name, owner) VALUES (?, ?) IF NOT EXISTS USING TTL ?`,
  release: `DELETE FROM ${LOCKS} WHERE name = ? IF owner = ?`,
  readToken: `SELECT t FROM ${TOKENS} WHERE name = ?`,
  firstToken: `INSERT INTO ${TOKENS} (name, t) VALUES (?, 1) IF NOT EXISTS`,
  bumpToken: `UPDATE ${TOKENS} SET t = ? WHERE name = ? IF t = ?`,
  write: `UPDATE ${RESOURCE} SET fence = ?, v = ? WHERE k = ?`,
  fencedWrite: `UPDATE ${RESOURCE} SET fence = ?, v = ? WHERE k = ? IF fence <= ?`,
  firstWrite: `INSERT INTO ${RESOURCE} (k, fence, v) VALUES (?, ?, ?) IF NOT EXISTS`,
} as const;

/**
 * The TTL that keeps a lease of `leaseMs` on the server for at least that long. A TTL is whole
 * seconds and expires at a second boundary of the replica's clock (its expiry is the write's
 * second, truncated, plus the TTL), so a TTL of n seconds lasts between n - 1 and n: one second
 * more. Seen here: with TTL = the lease rounded up, a holder trusting the whole lease from the
 * grant's answer overlapped the next holder 47 times in 20 s, by up to 0.66 s.
 */
export const leaseTtl = (leaseMs: number): number => Math.ceil(leaseMs / 1000) + 1;

/** Tries of the token's compare-and-set before the grant is given up as unknown. */
const TOKEN_TRIES = 5;

export class CassandraLockClient implements LockClient {
  private sequence = 0;
  private readonly values = new Map<string, { token: number; owner: string }>();
  private readonly lwt: { consistency: types.consistencies; serialConsistency: types.consistencies };
  private readonly serialRead: { consistency: types.consistencies };

  constructor(
    private readonly client: Client,
    private readonly owner: string,
    private readonly options: LockClientOptions,
    readonly node: string,
    private readonly timeoutMs: number,
  ) {
    const consistencies = driver().types.consistencies;
    this.lwt = { consistency: consistencies.quorum, serialConsistency: consistencies.serial };
    this.serialRead = { consistency: consistencies.serial };
  }

  async acquire(lock: string, leaseMs: number): Promise<LockGrant | null> {
    const owner = `${this.owner}:${++this.sequence}`;
    const asked = performance.now();
    const ttl = leaseTtl(leaseMs);
    const granted = await this.execute(STATEMENTS.grant, [lock, owner, ttl], this.lwt);
    if (!granted.wasApplied()) return null;
    const token = await this.nextToken(lock);
    this.values.set(lock, { token, owner });
    return { token, leaseMs: Math.max(0, Math.floor(leaseMs - (performance.now() - asked))) };
  }

  async release(lock: string, token: number): Promise<boolean> {
    const held = this.values.get(lock);
    const owner = held?.token === token ? held.owner : `${this.owner}:not-granted`;
    return (await this.execute(STATEMENTS.release, [lock, owner], this.lwt)).wasApplied();
  }

  async write(resource: string, token: number, value: number): Promise<boolean> {
    if (!this.options.fenced) {
      await this.execute(STATEMENTS.write, [token, value, resource], { consistency: this.lwt.consistency });
      return true;
    }
    const result = await this.execute(STATEMENTS.fencedWrite, [token, value, resource, token], this.lwt);
    if (result.wasApplied()) return true;
    // Not applied because the row does not exist yet (the returned row has no token): create it.
    if (result.first()?.get('fence') != null) return false;
    return (await this.execute(STATEMENTS.firstWrite, [resource, token, value], this.lwt)).wasApplied();
  }

  /** The driver client is the node's, shared: its owner closes it. */
  async close(): Promise<void> {}

  private async nextToken(lock: string): Promise<number> {
    for (let i = 0; i < TOKEN_TRIES; i++) {
      const current = (await this.execute(STATEMENTS.readToken, [lock], this.serialRead)).first()?.get('t');
      if (current == null) {
        if ((await this.execute(STATEMENTS.firstToken, [lock], this.lwt)).wasApplied()) return 1;
        continue;
      }
      const next = Number(current) + 1;
      if ((await this.execute(STATEMENTS.bumpToken, [next, lock, Number(current)], this.lwt)).wasApplied())
        return next;
    }
    throw new Error(`the fencing token of ${lock} kept changing: ${TOKEN_TRIES} compare-and-sets lost`);
  }

  private execute(query: string, params: unknown[], options: object) {
    return this.client.execute(query, params, { ...options, prepare: true, readTimeout: this.timeoutMs });
  }
}
