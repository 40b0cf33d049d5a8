import type { ServerOption } from '../server-options.js';
/**
 * Redis and Sentinel configuration files, as pure functions of the cluster's shape. Each node's
 * server reads its own file, so that Sentinel's CONFIG REWRITE after a failover survives a
 * kill and restart, as it would on a real host.
 */

export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;
/** The name under which the sentinels monitor the primary. */
export const SENTINEL_MASTER = 'dscheck';

export const PATHS = {
  serverConfig: '/etc/dscheck/redis.conf',
  sentinelConfig: '/etc/dscheck/sentinel.conf',
  serverPid: '/run/redis/redis-server.pid',
  sentinelPid: '/run/redis/redis-sentinel.pid',
  serverLog: '/var/log/redis/redis-server.log',
  sentinelLog: '/var/log/redis/redis-sentinel.log',
  dataDir: '/var/lib/redis',
} as const;

export interface ServerConfigOptions {
  /** The primary's address, for a replica; undefined for the primary. */
  replicaOf?: string;
  /**
   * Off by default, as in the 2013 Jepsen tests: a killed primary restarts empty, and the replicas
   * that resync from it lose everything. On: every write goes to the append-only file and is
   * fsynced before the reply, so a kill and restart keeps all acknowledged writes.
   */
  durable: boolean;
  /** `--server-option` lines (`name value`), last: a directive given twice takes its last value. */
  serverOptions?: readonly ServerOption[];
}

export function serverConfig(options: ServerConfigOptions): string {
  return lines([
    `port ${REDIS_PORT}`,
    'bind 0.0.0.0',
    'protected-mode no',
    'daemonize yes',
    `pidfile ${PATHS.serverPid}`,
    `logfile ${PATHS.serverLog}`,
    'loglevel notice',
    `dir ${PATHS.dataDir}`,
    'save ""',
    options.durable ? 'appendonly yes' : 'appendonly no',
    'appendfsync always',
    // A fresh replica syncs straight from a socket, without waiting for more replicas to join.
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 0',
    'replica-read-only yes',
    'replica-serve-stale-data yes',
    options.replicaOf ? `replicaof ${options.replicaOf} ${REDIS_PORT}` : undefined,
    ...(options.serverOptions ?? []).map((o) => `${o.name} ${o.value}`),
  ]);
}

export interface SentinelConfigOptions {
  primaryIp: string;
  quorum: number;
  downAfterMs: number;
  failoverTimeoutMs: number;
}

export const SENTINEL_DEFAULTS = { downAfterMs: 2000, failoverTimeoutMs: 6000 } as const;

export function sentinelConfig(options: SentinelConfigOptions): string {
  return lines([
    `port ${SENTINEL_PORT}`,
    'bind 0.0.0.0',
    'protected-mode no',
    'daemonize yes',
    `pidfile ${PATHS.sentinelPid}`,
    `logfile ${PATHS.sentinelLog}`,
    'dir /tmp',
    `sentinel monitor ${SENTINEL_MASTER} ${options.primaryIp} ${REDIS_PORT} ${options.quorum}`,
    `sentinel down-after-milliseconds ${SENTINEL_MASTER} ${options.downAfterMs}`,
    `sentinel failover-timeout ${SENTINEL_MASTER} ${options.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
  ]);
}

const lines = (entries: readonly (string | undefined)[]): string =>
  `${entries.filter((e): e is string => e !== undefined).join('\n')}\n`;
