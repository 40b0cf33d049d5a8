import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Json } from '../../history/types.js';
import { type Account, connect } from '../mysql/client.js';
import { DATABASE } from '../mysql/image.js';
import type { ClusterNode } from '../types.js';

/**
 * No connection of the pool became free before the deadline: the application ran out of
 * in-flight capacity. Nothing was sent to the database.
 */
export class PoolTimeoutError extends Error {
  override name = 'PoolTimeoutError';
  constructor(waitedMs: number) {
    super(`no database connection free within ${Math.round(waitedMs)} ms`);
  }
}

/** How one statement went: its result, the wait for a connection and the time on the database. */
export interface Timed<T> {
  result: T;
  waitMs: number;
  queryMs: number;
}

interface Waiter {
  resolve: (slot: number) => void;
  timer: NodeJS.Timeout;
}

/**
 * The application's database connection pool, shared by every client process, as in a real
 * service: `size` connections at most, a statement first waits for a free one, and the wait and
 * the statement share one deadline. A connection that errs is closed and reopened on next use
 * (after a timeout its late answer must not be read as the next statement's).
 */
export class DbPool {
  private readonly connections: (Connection | null)[];
  private readonly busy: boolean[];
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly node: ClusterNode,
    private readonly account: Account,
    readonly size: number,
  ) {
    this.connections = Array.from({ length: size }, () => null);
    this.busy = Array.from({ length: size }, () => false);
  }

  /** Statements in flight now. */
  get inFlight(): number {
    return this.busy.filter(Boolean).length;
  }

  async query<T extends RowDataPacket[] | ResultSetHeader>(
    sql: string,
    values: readonly Json[],
    deadlineMs: number,
  ): Promise<Timed<T>> {
    const asked = performance.now();
    const slot = await this.acquire(deadlineMs);
    const started = performance.now();
    try {
      const connection = await this.open(slot, Math.max(1, asked + deadlineMs - started));
      const timeout = Math.max(1, Math.round(asked + deadlineMs - performance.now()));
      const [result] = await connection.query<T>({ sql, values: [...values], timeout });
      return { result, waitMs: started - asked, queryMs: performance.now() - started };
    } catch (err) {
      this.drop(slot);
      throw Object.assign(err as object, { waitMs: started - asked, queryMs: performance.now() - started });
    } finally {
      this.release(slot);
    }
  }

  close(): void {
    this.closed = true;
    for (let slot = 0; slot < this.size; slot++) this.drop(slot);
    for (const waiter of this.waiters.splice(0)) clearTimeout(waiter.timer);
  }

  private acquire(deadlineMs: number): Promise<number> {
    const free = this.busy.indexOf(false);
    if (free >= 0 && this.waiters.length === 0) {
      this.busy[free] = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new PoolTimeoutError(deadlineMs));
        }, deadlineMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Hands the connection to the longest waiter, or frees it. */
  private release(slot: number): void {
    const next = this.waiters.shift();
    if (next && !this.closed) {
      clearTimeout(next.timer);
      next.resolve(slot);
    } else this.busy[slot] = false;
  }

  private async open(slot: number, timeoutMs: number): Promise<Connection> {
    const existing = this.connections[slot];
    if (existing) return existing;
    const connection = await connect(this.node, this.account, timeoutMs, DATABASE);
    if (this.closed) {
      connection.destroy();
      throw new Error('the pool is closed');
    }
    this.connections[slot] = connection;
    return connection;
  }

  private drop(slot: number): void {
    this.connections[slot]?.destroy();
    this.connections[slot] = null;
  }
}
