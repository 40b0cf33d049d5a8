import { createRequire } from 'node:module';
import type { Connection, ConnectionOptions, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Json } from '../../history/types.js';
import type { ClusterNode, RegisterClient, SetClient } from '../types.js';
import { MYSQL_PORT } from './config.js';
import { NotConnectedError } from './errors.js';
import { DATABASE } from './image.js';

type Mysql2 = typeof import('mysql2/promise');

/** mysql2, loaded on first use so commands that never talk to MariaDB start fast. */
export function mysql2(): Mysql2 {
  return createRequire(import.meta.url)('mysql2/promise') as Mysql2;
}

export interface Account {
  user: string;
  password: string;
}

/**
 * Opens one connection with explicit deadlines. mysql2 sends nothing but the handshake before the
 * connection is up, so a failure here is a NotConnectedError: definite, nothing was applied.
 */
export async function connect(
  node: ClusterNode,
  account: Account,
  timeoutMs: number,
  database?: string,
): Promise<Connection> {
  const options: ConnectionOptions = {
    host: node.ip,
    port: MYSQL_PORT,
    user: account.user,
    password: account.password,
    database,
    connectTimeout: timeoutMs,
    // Numbers stay numbers; the workloads' values are far below 2^53.
    supportBigNumbers: false,
    // UPDATE reports matched rows, not changed ones: a cas to the value already there succeeded.
    flags: ['+FOUND_ROWS'],
  };
  let connection: Connection;
  try {
    connection = await mysql2().createConnection(options);
  } catch (err) {
    throw new NotConnectedError(node.name, err);
  }
  // Errors reach the statements that hit them; the event would otherwise crash the process.
  connection.on('error', () => {});
  return connection;
}

/** Where a client's statements go: looked up when a connection is (re)opened, as through a proxy. */
export interface Route {
  writer(): ClusterNode;
  reader(): ClusterNode;
  /** Reads and writes share one connection (read-from primary, Galera). */
  readonly shared: boolean;
}

/**
 * A connection that is opened on first use and dropped on any error, so the next statement goes
 * to wherever the route points then. A connection that keeps working is kept, even after the
 * route moved: a client still connected to an old primary keeps writing there until its
 * connection breaks, which is what happens behind a VIP or a proxy that does not kill sessions.
 */
export class Link {
  private connection: Connection | null = null;
  private connectedTo: ClusterNode | null = null;

  constructor(
    private readonly target: () => ClusterNode,
    private readonly account: Account,
    private readonly timeoutMs: number,
    private readonly track: (connection: Connection, open: boolean) => void,
  ) {}

  /** The node the next statement goes to. */
  get node(): string {
    return (this.connectedTo ?? this.target()).name;
  }

  async query<T extends RowDataPacket[] | ResultSetHeader>(sql: string, values: readonly Json[]): Promise<T> {
    const deadline = performance.now() + this.timeoutMs;
    const connection = await this.open();
    // The statement gets what the connection left of the deadline, and at least a moment.
    const timeout = Math.max(100, Math.round(deadline - performance.now()));
    try {
      const [result] = await connection.query<T>({ sql, values: [...values], timeout });
      return result;
    } catch (err) {
      // After a timeout the answer may still arrive and be read as the next statement's: drop it.
      // After a server error the connection is fine, but the route may have moved: reopen anyway.
      this.drop();
      throw err;
    }
  }

  private async open(): Promise<Connection> {
    if (this.connection) return this.connection;
    const node = this.target();
    const connection = await connect(node, this.account, this.timeoutMs, DATABASE);
    this.connection = connection;
    this.connectedTo = node;
    this.track(connection, true);
    return connection;
  }

  drop(): void {
    if (!this.connection) return;
    this.track(this.connection, false);
    this.connection.destroy();
    this.connection = null;
    this.connectedTo = null;
  }
}

/** What the register and set clients share: a writer and a reader link. */
abstract class MysqlClient {
  protected readonly writer: Link;
  protected readonly reader: Link;

  constructor(
    route: Route,
    account: Account,
    timeoutMs: number,
    track: (c: Connection, open: boolean) => void,
  ) {
    this.writer = new Link(() => route.writer(), account, timeoutMs, track);
    this.reader = route.shared ? this.writer : new Link(() => route.reader(), account, timeoutMs, track);
  }

  /** The node reads go to: the one whose staleness the checkers attribute to this process. */
  get node(): string {
    return this.reader.node;
  }

  async close(): Promise<void> {
    this.writer.drop();
    this.reader.drop();
  }
}

/** A register per row: `k` the key, `v` the value. */
export class MysqlRegisterClient extends MysqlClient implements RegisterClient {
  constructor(
    private readonly table: string,
    route: Route,
    account: Account,
    timeoutMs: number,
    track: (c: Connection, open: boolean) => void,
  ) {
    super(route, account, timeoutMs, track);
  }

  async read(key: string): Promise<Json> {
    const rows = await this.reader.query<RowDataPacket[]>(`SELECT v FROM ${this.table} WHERE k = ?`, [key]);
    return rows.length === 0 ? null : Number(rows[0].v);
  }

  async write(key: string, value: number): Promise<void> {
    await this.writer.query<ResultSetHeader>(
      `INSERT INTO ${this.table} (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)`,
      [key, value],
    );
  }

  /** One conditional UPDATE: atomic in the server; the matched-row count says whether it swapped. */
  async cas(key: string, expected: number, next: number): Promise<boolean> {
    const result = await this.writer.query<ResultSetHeader>(
      `UPDATE ${this.table} SET v = ? WHERE k = ? AND v = ?`,
      [next, key, expected],
    );
    return result.affectedRows === 1;
  }
}

/** A set per key: one row per (key, element). */
export class MysqlSetClient extends MysqlClient implements SetClient {
  constructor(
    private readonly table: string,
    route: Route,
    account: Account,
    timeoutMs: number,
    track: (c: Connection, open: boolean) => void,
  ) {
    super(route, account, timeoutMs, track);
  }

  async add(key: string, element: number): Promise<void> {
    await this.writer.query<ResultSetHeader>(`INSERT INTO ${this.table} (k, element) VALUES (?, ?)`, [
      key,
      element,
    ]);
  }

  async read(key: string): Promise<number[]> {
    const rows = await this.reader.query<RowDataPacket[]>(`SELECT element FROM ${this.table} WHERE k = ?`, [
      key,
    ]);
    return rows.map((row) => Number(row.element));
  }
}
