import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { LockClient, LockClientOptions, LockGrant } from '../types.js';
import type { Link } from './client.js';
import { DATABASE } from './image.js';

/**
 * MariaDB's named locks: `GET_LOCK(name, 0)` on the primary, `RELEASE_LOCK(name)`.
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

export const LOCK_TABLES = { tokens: 'lock_tokens', resource: 'lock_resource' } as const;

/** The tables the lock workload needs, created once per cluster before the clients start. */
export const LOCK_TABLES_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${DATABASE}.${LOCK_TABLES.tokens} (name VARCHAR(64) NOT NULL PRIMARY KEY, t BIGINT NOT NULL) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS ${DATABASE}.${LOCK_TABLES.resource} (k VARCHAR(64) NOT NULL PRIMARY KEY, token BIGINT NOT NULL, v BIGINT NOT NULL) ENGINE=InnoDB`,
];

const TOKENS = `${DATABASE}.${LOCK_TABLES.tokens}`;
const RESOURCE = `${DATABASE}.${LOCK_TABLES.resource}`;

export class MysqlLockClient implements LockClient {
  constructor(
    private readonly link: Link,
    private readonly options: LockClientOptions,
  ) {}

  get node(): string {
    return this.link.node;
  }

  async acquire(lock: string, leaseMs: number): Promise<LockGrant | null> {
    const rows = await this.link.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [lock]);
    if (rows[0]?.got !== 1) return null;
    const bumped = await this.link.query<ResultSetHeader>(
      `INSERT INTO ${TOKENS} (name, t) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE t = LAST_INSERT_ID(t + 1)`,
      [lock],
    );
    return { token: bumped.insertId, leaseMs };
  }

  /** RELEASE_LOCK answers 1 when this session held it, 0 when another does, NULL when nobody does. */
  async release(lock: string, _token: number): Promise<boolean> {
    const rows = await this.link.query<RowDataPacket[]>('SELECT RELEASE_LOCK(?) AS released', [lock]);
    return rows[0]?.released === 1;
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
