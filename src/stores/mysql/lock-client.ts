import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { LockClient, LockClientOptions, LockGrant } from '../types.js';
import type { Link } from './client.js';
import { DATABASE } from './image.js';

/**
 * MariaDB's locks: named locks, `GET_LOCK(name, 0)` on the primary and `RELEASE_LOCK(name)`
 * (below), and a lease table whose expiry the server's clock decides (MysqlLeaseLockClient).
 *
 * The lock belongs to the session (the connection), not to a lease: the server frees it when the
 * holder releases it or its connection ends (closed, killed, `wait_timeout`, the server
 * restarted). It is not replicated: after a failover the new primary has never heard of it, and
 * the first client that asks there gets it while the old holder, still connected to the old
 * primary or unaware that it moved, goes on believing it holds it. This client keeps one
 * connection (a `Link`) while it works: only an error drops it, after which a release answers
 * that the lock was no longer held, as the server sees it; the next acquire opens a connection
 * to wherever the primary is then. The lease in a grant is the caller's own bound on how long it
 * trusts the lock, not the server's.
 *
 * Tokens come from a counter row (`LAST_INSERT_ID(t + 1)` returns the new value to this session
 * alone). The protected resource is a row `{k, token, v}`: unfenced, every write replaces it;
 * fenced, an UPDATE whose WHERE clause wants a token no older than the stored one.
 */

export const LOCK_TABLES = {
  tokens: 'lock_tokens',
  resource: 'lock_resource',
  leases: 'lock_leases',
} as const;

/** The tables the lock workload needs, created once per cluster before the clients start. */
export const LOCK_TABLES_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${DATABASE}.${LOCK_TABLES.tokens} (name VARCHAR(64) NOT NULL PRIMARY KEY, t BIGINT NOT NULL) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS ${DATABASE}.${LOCK_TABLES.resource} (k VARCHAR(64) NOT NULL PRIMARY KEY, token BIGINT NOT NULL, v BIGINT NOT NULL) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS ${DATABASE}.${LOCK_TABLES.leases} (name VARCHAR(64) NOT NULL PRIMARY KEY, owner VARCHAR(64) NOT NULL, expires DATETIME(6) NOT NULL) ENGINE=InnoDB`,
];

const TOKENS = `${DATABASE}.${LOCK_TABLES.tokens}`;
const RESOURCE = `${DATABASE}.${LOCK_TABLES.resource}`;
const LEASES = `${DATABASE}.${LOCK_TABLES.leases}`;

/** What both MariaDB locks share: one connection, the token counter, the protected resource. */
abstract class MysqlLockBase implements LockClient {
  constructor(
    protected readonly link: Link,
    private readonly options: LockClientOptions,
  ) {}

  get node(): string {
    return this.link.node;
  }

  abstract acquire(lock: string, leaseMs: number): Promise<LockGrant | null>;
  abstract release(lock: string, token: number): Promise<boolean>;

  /** The next fencing token of `lock`, returned to this session alone. */
  protected async nextToken(lock: string): Promise<number> {
    const bumped = await this.link.query<ResultSetHeader>(
      `INSERT INTO ${TOKENS} (name, t) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE t = LAST_INSERT_ID(t + 1)`,
      [lock],
    );
    return bumped.insertId;
  }

  async write(resource: string, token: number, value: number): Promise<boolean> {
    if (!this.options.fenced) {
      await this.link.query(
        `INSERT INTO ${RESOURCE} (k, token, v) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE token = VALUES(token), v = VALUES(v)`,
        [resource, token, value],
      );
      return true;
    }
    await this.link.query(`INSERT IGNORE INTO ${RESOURCE} (k, token, v) VALUES (?, 0, 0)`, [resource]);
    const updated = await this.link.query<ResultSetHeader>(
      `UPDATE ${RESOURCE} SET token = ?, v = ? WHERE k = ? AND token <= ?`,
      [token, value, resource, token],
    );
    return updated.affectedRows === 1;
  }

  async close(): Promise<void> {
    this.link.drop();
  }
}

/** `--lock mysql-get-lock`: GET_LOCK, held by the session. */
export class MysqlLockClient extends MysqlLockBase {
  async acquire(lock: string, leaseMs: number): Promise<LockGrant | null> {
    const rows = await this.link.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [lock]);
    if (rows[0]?.got !== 1) return null;
    return { token: await this.nextToken(lock), leaseMs };
  }

  /** RELEASE_LOCK answers 1 when this session held it, 0 when another does, NULL when nobody does. */
  async release(lock: string, _token: number): Promise<boolean> {
    const rows = await this.link.query<RowDataPacket[]>('SELECT RELEASE_LOCK(?) AS released', [lock]);
    return rows[0]?.released === 1;
  }
}

/**
 * `--lock mysql-lease`: a lease row `{name, owner, expires}` on the primary, the way applications
 * build a lock on a table. A grant writes the row if there is none or its lease has run out by the
 * server's clock (`expires <= NOW(6)`), with `expires = NOW(6) + lease`; the release deletes it if
 * it is still ours. The server's clock decides when a lease ends: a clock that jumps forward ends
 * every lease at once, while their holders, counting on their own clocks, still believe they
 * hold the lock. The holder counts its lease from when it asked.
 */
export class MysqlLeaseLockClient extends MysqlLockBase {
  private sequence = 0;
  private readonly held = new Map<string, { token: number; owner: string }>();

  constructor(
    link: Link,
    options: LockClientOptions,
    private readonly owner: string,
  ) {
    super(link, options);
  }

  async acquire(lock: string, leaseMs: number): Promise<LockGrant | null> {
    const asked = performance.now();
    const owner = `${this.owner}:${++this.sequence}`;
    // Assignments apply left to right: `owner` in the second one is already the new value.
    await this.link.query(
      `INSERT INTO ${LEASES} (name, owner, expires) VALUES (?, ?, NOW(6) + INTERVAL ? MICROSECOND)
       ON DUPLICATE KEY UPDATE owner = IF(expires <= NOW(6), VALUES(owner), owner),
         expires = IF(owner = VALUES(owner), VALUES(expires), expires)`,
      [lock, owner, leaseMs * 1000],
    );
    const rows = await this.link.query<RowDataPacket[]>(`SELECT owner FROM ${LEASES} WHERE name = ?`, [lock]);
    if (rows[0]?.owner !== owner) return null;
    const token = await this.nextToken(lock);
    this.held.set(lock, { token, owner });
    return { token, leaseMs: Math.max(0, Math.floor(leaseMs - (performance.now() - asked))) };
  }

  /** Deletes the lease if it is still ours under `token` (expired or not: nobody else took it). */
  async release(lock: string, token: number): Promise<boolean> {
    const held = this.held.get(lock);
    if (held?.token !== token) return false;
    const deleted = await this.link.query<ResultSetHeader>(
      `DELETE FROM ${LEASES} WHERE name = ? AND owner = ?`,
      [lock, held.owner],
    );
    return deleted.affectedRows === 1;
  }
}
