import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { ListAppendStep } from '../../generator/list-append.js';
import { DefiniteFailure } from '../../workloads/types.js';
import type { IsolationLevel, TxnClient, TxnOptions } from '../types.js';
import { type Account, Link, type Route } from './client.js';
import { classifyMysqlError } from './errors.js';

const LEVEL_SQL: Record<IsolationLevel, string> = {
  'read-uncommitted': 'READ UNCOMMITTED',
  'read-committed': 'READ COMMITTED',
  'repeatable-read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
};

/**
 * List-append transactions on MariaDB: one row per key, the list as comma-separated text.
 * Every step of a transaction runs on the writer's connection (the primary, or the process's own
 * Galera node) between BEGIN and COMMIT.
 *
 * Outcomes: an error before COMMIT was sent leaves the transaction uncommitted (the connection is
 * dropped, and the server rolls back what a dropped connection left open): `fail`. An error during
 * COMMIT is judged by the store's error table: a deadlock or Galera certification failure (1213)
 * is a definite abort, a lost connection or timeout is `info`.
 */
export class MysqlTxnClient implements TxnClient {
  private readonly link: Link;

  constructor(
    private readonly table: string,
    route: Route,
    account: Account,
    timeoutMs: number,
    track: (c: Connection, open: boolean) => void,
    private readonly options: TxnOptions = {},
  ) {
    this.link = new Link(() => route.writer(), account, timeoutMs, track);
  }

  get node(): string {
    return this.link.node;
  }

  async transact(steps: readonly ListAppendStep[]): Promise<ListAppendStep[]> {
    let results: ListAppendStep[];
    try {
      // SET TRANSACTION (without SESSION) applies to the next transaction only.
      if (this.options.isolation) {
        await this.link.query(`SET TRANSACTION ISOLATION LEVEL ${LEVEL_SQL[this.options.isolation]}`, []);
      }
      await this.link.query('START TRANSACTION', []);
      results = [];
      for (const step of steps) results.push(await this.step(step));
    } catch (err) {
      this.link.drop();
      throw new DefiniteFailure(classifyMysqlError(err, 'txn').error ?? 'aborted');
    }
    await this.link.query('COMMIT', []);
    return results;
  }

  private async step(step: ListAppendStep): Promise<ListAppendStep> {
    const [f, key, value] = step;
    if (f === 'append') {
      await this.link.query<ResultSetHeader>(
        `INSERT INTO ${this.table} (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', ?)`,
        [String(key), String(value), String(value)],
      );
      return step;
    }
    const rows = await this.link.query<RowDataPacket[]>(`SELECT v FROM ${this.table} WHERE k = ?`, [
      String(key),
    ]);
    return ['r', key, rows.length === 0 ? [] : parseList(String(rows[0].v))];
  }

  async close(): Promise<void> {
    this.link.drop();
  }
}

/** "1,2,3" as [1, 2, 3]. */
export function parseList(text: string): number[] {
  return text === '' ? [] : text.split(',').map(Number);
}
