import type { ServerOption } from '../server-options.js';

/**
 * MariaDB server configuration, as a pure function of the node's place in the cluster. Each node
 * reads its own file, so a killed server restarts with the same settings and data directory.
 */

export const MYSQL_PORT = 3306;
/** Galera's group communication, incremental and snapshot state transfer ports. */
export const GALERA_PORTS = [4567, 4568, 4444] as const;

export const PATHS = {
  config: '/etc/dscheck/my.cnf',
  dataDir: '/var/lib/mysql',
  socket: '/run/mysqld/mysqld.sock',
  pid: '/run/mysqld/mysqld.pid',
  errorLog: '/var/log/mysql/error.log',
  generalLog: '/var/log/mysql/general.log',
  slowLog: '/var/log/mysql/slow.log',
  galeraProvider: '/usr/lib/galera/libgalera_smm.so',
} as const;

export type MysqlTopology = 'async' | 'semisync' | 'galera' | 'single';

/**
 * Settings a run records in test.json (through the store's description) because they decide what
 * the clients can observe.
 */
export const MYSQL_DEFAULTS = {
  /**
   * How long a semi-synchronous primary waits for a replica's acknowledgement before it silently
   * falls back to asynchronous replication. MariaDB's default is 10 s; 2 s lets a 10 s fault
   * window show both phases (writes that hang, then writes acknowledged without any replica).
   */
  semiSyncTimeoutMs: 2000,
  /**
   * Lossless semi-sync: the primary waits for the acknowledgement before it commits to its storage
   * engine, so no other client sees a transaction that no replica has received.
   */
  semiSyncWaitPoint: 'AFTER_SYNC',
  /**
   * Replicas notice a silent primary after this long and reconnect (the heartbeat is half of it):
   * it is how fast the failover tool learns from the replicas that the primary is cut off.
   */
  replicaNetTimeoutS: 4,
  /**
   * Galera reads wait until the node has applied every write the cluster committed before the read
   * (1 = reads). Galera's default (0) lets a read on one node miss a write acknowledged by another.
   */
  galeraSyncWait: 1,
} as const;

export interface ServerConfigOptions {
  topology: MysqlTopology;
  /** 1-based position of the node: its server_id. */
  serverId: number;
  nodeName: string;
  nodeIp: string;
  /** Every node's IP, for Galera's cluster address. */
  clusterIps: readonly string[];
  /** Replicas start read-only; the primary (and every Galera node) accepts writes. */
  readOnly: boolean;
  semiSyncTimeoutMs: number;
  /** The general query log (every statement), for debugging; off by default: it is slow. */
  generalLog?: boolean;
  /** `--server-option` lines, last so that they win over dscheck's own settings of the same name. */
  serverOptions?: readonly ServerOption[];
}

/** The node's my.cnf. */
export function serverConfig(options: ServerConfigOptions): string {
  const galera = options.topology === 'galera';
  return lines([
    '[mysqld]',
    'user=mysql',
    `datadir=${PATHS.dataDir}`,
    `socket=${PATHS.socket}`,
    `pid-file=${PATHS.pid}`,
    `port=${MYSQL_PORT}`,
    'bind-address=0.0.0.0',
    'skip-name-resolve',
    `log_error=${PATHS.errorLog}`,
    `server_id=${options.serverId}`,
    'max_connections=500',
    'performance_schema=OFF',
    'innodb_buffer_pool_size=64M',
    'innodb_log_file_size=16M',
    // Durability: an acknowledged commit is on disk, so a kill loses nothing the server confirmed.
    'innodb_flush_log_at_trx_commit=1',
    'sync_binlog=1',
    'binlog_format=ROW',
    'default_storage_engine=InnoDB',
    `slow_query_log_file=${PATHS.slowLog}`,
    'slow_query_log=ON',
    'long_query_time=1',
    `general_log_file=${PATHS.generalLog}`,
    `general_log=${options.generalLog ? 'ON' : 'OFF'}`,
    ...(galera ? galeraSettings(options) : replicationSettings(options)),
    ...(options.serverOptions ?? []).map((o) => `${o.name}=${o.value}`),
  ]);
}

function replicationSettings(options: ServerConfigOptions): string[] {
  return [
    `log_bin=${PATHS.dataDir}/binlog`,
    // A replica writes what it applies to its own binary log, so after a failover the others can
    // continue from it by GTID.
    'log_slave_updates=ON',
    // Errant transactions (an old primary's writes that no replica got) stop replication with an
    // error instead of being skipped silently.
    'gtid_strict_mode=ON',
    `read_only=${options.readOnly ? 1 : 0}`,
    `slave_net_timeout=${MYSQL_DEFAULTS.replicaNetTimeoutS}`,
    // Replication state is crash-safe: a killed replica resumes at the right GTID.
    'relay_log_recovery=ON',
    `relay_log=${PATHS.dataDir}/relay`,
    ...(options.topology === 'semisync'
      ? [
          // Both sides on every node: whichever node is primary after a failover waits for the others.
          'rpl_semi_sync_master_enabled=ON',
          'rpl_semi_sync_slave_enabled=ON',
          `rpl_semi_sync_master_timeout=${options.semiSyncTimeoutMs}`,
          `rpl_semi_sync_master_wait_point=${MYSQL_DEFAULTS.semiSyncWaitPoint}`,
        ]
      : []),
  ];
}

function galeraSettings(options: ServerConfigOptions): string[] {
  return [
    'wsrep_on=ON',
    `wsrep_provider=${PATHS.galeraProvider}`,
    `wsrep_cluster_address=gcomm://${options.clusterIps.join(',')}`,
    'wsrep_cluster_name=dscheck',
    `wsrep_node_address=${options.nodeIp}`,
    `wsrep_node_name=${options.nodeName}`,
    'wsrep_sst_method=rsync',
    `wsrep_sync_wait=${MYSQL_DEFAULTS.galeraSyncWait}`,
    'wsrep_slave_threads=1',
    'wsrep_provider_options="gcache.size=64M"',
    'innodb_autoinc_lock_mode=2',
  ];
}

/** The table names of one run: `registers_<run>`, `sets_<run>` and `lists_<run>`, safe as SQL identifiers. */
export function tableNames(runId: string): { registers: string; sets: string; lists: string } {
  const suffix = runId.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const name = (prefix: string) => `${prefix}_${suffix}`.slice(0, 64);
  return { registers: name('registers'), sets: name('sets'), lists: name('lists') };
}

const lines = (entries: readonly string[]): string => `${entries.join('\n')}\n`;
