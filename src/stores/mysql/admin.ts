import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Json } from '../../history/types.js';
import type { ClusterNode } from '../types.js';
import { type Account, connect } from './client.js';
import { ADMIN_USER, PASSWORD } from './image.js';

export const ADMIN: Account = { user: ADMIN_USER, password: PASSWORD };

/**
 * Runs administrative statements (SHOW STATUS, CHANGE MASTER, SET GLOBAL ...) on one node from the
 * host, on a fresh connection: no state survives a kill, pause or partition to confuse the next
 * call. Returns the result of the last statement.
 */
export async function adminQuery(
  node: ClusterNode,
  statements: string | readonly string[],
  timeoutMs = 2000,
): Promise<RowDataPacket[]> {
  const connection = await connect(node, ADMIN, timeoutMs);
  try {
    let last: RowDataPacket[] | ResultSetHeader = [];
    for (const sql of typeof statements === 'string' ? [statements] : statements) {
      [last] = await connection.query<RowDataPacket[] | ResultSetHeader>({ sql, timeout: timeoutMs });
    }
    return Array.isArray(last) ? last : [];
  } finally {
    connection.destroy();
  }
}

/** One row of SHOW ... STATUS / SHOW VARIABLES as a name -> value map. */
export async function adminVariables(
  node: ClusterNode,
  sql: string,
  timeoutMs = 2000,
): Promise<Map<string, string>> {
  const rows = await adminQuery(node, sql, timeoutMs);
  return new Map(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
}

/** The fields of SHOW SLAVE STATUS that say where a replica stands; null when it is no replica. */
export interface ReplicaStatus {
  masterHost: string;
  ioRunning: string;
  sqlRunning: string;
  /** Received from the primary (MariaDB's Gtid_IO_Pos). */
  gtidIoPos: string;
  lastIoError: string;
  lastSqlError: string;
}

export async function replicaStatus(node: ClusterNode, timeoutMs = 2000): Promise<ReplicaStatus | null> {
  const [row] = await adminQuery(node, 'SHOW SLAVE STATUS', timeoutMs);
  if (!row) return null;
  return {
    masterHost: String(row.Master_Host ?? ''),
    ioRunning: String(row.Slave_IO_Running ?? ''),
    sqlRunning: String(row.Slave_SQL_Running ?? ''),
    gtidIoPos: String(row.Gtid_IO_Pos ?? ''),
    lastIoError: String(row.Last_IO_Error ?? ''),
    lastSqlError: String(row.Last_SQL_Error ?? ''),
  };
}

/** The node's GTID positions: applied as a replica, written to its own binary log, and both. */
export async function gtidPositions(node: ClusterNode, timeoutMs = 2000): Promise<Record<string, Json>> {
  const [row] = await adminQuery(
    node,
    'SELECT @@gtid_slave_pos AS slave, @@gtid_binlog_pos AS binlog, @@gtid_current_pos AS current',
    timeoutMs,
  );
  return {
    slave: String(row?.slave ?? ''),
    binlog: String(row?.binlog ?? ''),
    current: String(row?.current ?? ''),
  };
}
