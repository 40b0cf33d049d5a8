import type { ServerOption } from '../server-options.js';
/**
 * Cassandra's configuration as pure functions of the cluster's shape: the JVM flags (baked into
 * the image) and each node's cassandra.yaml (written at start, since it names the node's IP,
 * its token and the seeds).
 */

/** 5.0.5 or later: 4.x does not run on Java 17, the only Java bookworm ships. */
export const CASSANDRA_VERSION = '5.0.5';
export const CQL_PORT = 9042;
export const KEYSPACE = 'dscheck';
export const REPLICATION_FACTOR = 3;
/** SimpleSnitch puts every node in this data center. */
export const DATA_CENTER = 'datacenter1';

export const PATHS = {
  confDir: '/etc/cassandra',
  config: '/etc/cassandra/cassandra.yaml',
  jvmOptions: '/etc/cassandra/jvm.options',
  logback: '/etc/cassandra/logback.xml',
  libDir: '/opt/cassandra/lib',
  dataDir: '/var/lib/cassandra',
  logDir: '/var/log/cassandra',
  systemLog: '/var/log/cassandra/system.log',
  debugLog: '/var/log/cassandra/debug.log',
  gcLog: '/var/log/cassandra/gc.log',
  outputLog: '/var/log/cassandra/output.log',
  pid: '/run/cassandra.pid',
} as const;

/** Heap of each node: explicit, or the JVM takes a quarter of the host's memory per node. */
export const HEAP_MB = 512;
/** Container limit: heap + direct memory (netty, chunk cache) + metaspace, code cache, stacks. */
export const NODE_MEMORY_BYTES = 1280 * 1024 * 1024;

/**
 * The JVM flags of Cassandra 5.0's conf/jvm-server.options and conf/jvm17-server.options (what
 * bin/cassandra would pass on Java 17), then ours: heap, GC log, fast start.
 */
export const JVM_OPTIONS: readonly string[] = [
  // jvm-server.options
  '-ea',
  '-da:net.openhft...',
  '-XX:+UseThreadPriorities',
  '-XX:+HeapDumpOnOutOfMemoryError',
  '-Xss256k',
  '-XX:+AlwaysPreTouch',
  '-XX:+UseTLAB',
  '-XX:+ResizeTLAB',
  '-XX:+UseNUMA',
  '-XX:+PerfDisableSharedMem',
  '-Djava.net.preferIPv4Stack=true',
  // jvm17-server.options
  '-XX:+UseG1GC',
  '-XX:+ParallelRefProcEnabled',
  '-XX:MaxTenuringThreshold=1',
  '-XX:G1HeapRegionSize=16m',
  '-XX:G1RSetUpdatingPauseTimePercent=5',
  '-XX:MaxGCPauseMillis=300',
  '-XX:InitiatingHeapOccupancyPercent=70',
  '-Djdk.attach.allowAttachSelf=true',
  '--add-exports java.base/jdk.internal.misc=ALL-UNNAMED',
  '--add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED',
  '--add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports java.rmi/sun.rmi.server=ALL-UNNAMED',
  '--add-exports java.sql/java.sql=ALL-UNNAMED',
  '--add-exports java.base/java.lang.ref=ALL-UNNAMED',
  '--add-exports jdk.unsupported/sun.misc=ALL-UNNAMED',
  '--add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED',
  '--add-opens java.base/java.lang.module=ALL-UNNAMED',
  '--add-opens java.base/jdk.internal.loader=ALL-UNNAMED',
  '--add-opens java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-opens java.base/jdk.internal.reflect=ALL-UNNAMED',
  '--add-opens java.base/jdk.internal.math=ALL-UNNAMED',
  '--add-opens java.base/jdk.internal.module=ALL-UNNAMED',
  '--add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED',
  '--add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED',
  '--add-opens java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens java.base/java.io=ALL-UNNAMED',
  '--add-opens java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED',
  '--add-opens java.base/java.lang=ALL-UNNAMED',
  '--add-opens java.base/java.util=ALL-UNNAMED',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dio.netty.allocator.useCacheForAllThreads=true',
  '-Dio.netty.allocator.maxOrder=11',
  // Ours: an explicit small heap, and what cassandra-env.sh would add.
  `-Xms${HEAP_MB}m`,
  `-Xmx${HEAP_MB}m`,
  '-XX:MaxDirectMemorySize=256m',
  '-XX:+ExitOnOutOfMemoryError',
  `-Xlog:gc=info:file=${PATHS.gcLog}:time,uptime:filecount=0`,
  // Fast start (DESIGN.md): every node joins at once with a fixed token, so there is nothing to
  // wait for: no gossip settling, no ring delay, no range movement to keep consistent.
  '-Dcassandra.skip_wait_for_gossip_to_settle=0',
  '-Dcassandra.ring_delay_ms=1000',
  '-Dcassandra.consistent.rangemovement=false',
  '-Dcassandra.superuser_setup_delay_ms=0',
  // A node that missed the push of our new keyspace (busy, or briefly thinking its peer down)
  // would pull it only after a minute by default; clients naming the keyspace wait for that.
  '-Dcassandra.migration_delay_ms=1000',
  '-Dcassandra.schema_pull_interval_ms=2000',
  '-Dcassandra.schema_pull_backoff_delay_ms=500',
];

/** Server-side timeouts, in ms. */
export interface ServerTimeouts {
  read: number;
  write: number;
  cas: number;
  range: number;
  other: number;
}

/**
 * The server's timeouts, from the clients' (`--timeout`). They are below it, so that a slow or
 * cut-off replica shows up as the server's typed WriteTimeout/ReadTimeout/Unavailable, whose
 * meaning is known, before the client gives up. A Paxos round can take the contention timeout
 * and then the write timeout, hence 0.4 of the client's each.
 */
export function serverTimeouts(clientTimeoutMs: number): ServerTimeouts {
  const part = (share: number) => Math.max(10, Math.floor(clientTimeoutMs * share));
  return { read: part(0.4), write: part(0.4), cas: part(0.4), range: part(0.8), other: part(0.8) };
}

/** num_tokens 1: node i of n owns the i-th of n equal slices of Murmur3's ring (-2^63 .. 2^63-1). */
export function initialToken(index: number, nodes: number): string {
  const ring = 2n ** 64n;
  return (-(2n ** 63n) + (BigInt(index) * ring) / BigInt(nodes)).toString();
}

export interface NodeConfigOptions {
  ip: string;
  /** 0-based position of the node in the cluster. */
  index: number;
  seeds: readonly string[];
  /**
   * Sync the commit log before acknowledging each write (`batch`). Off by default: Cassandra's
   * default `periodic` sync (every 10 s) can lose acknowledged writes when a node is killed.
   */
  durable: boolean;
  timeouts: ServerTimeouts;
  /** `--server-option` top-level keys; one given here replaces dscheck's own line for that key. */
  serverOptions?: readonly ServerOption[];
}

export function cassandraYaml(options: NodeConfigOptions): string {
  const extra = options.serverOptions ?? [];
  const replaced = new Set(extra.map((o) => o.name));
  const lines = ownYamlLines(options).filter(
    (line) => !replaced.has(/^([A-Za-z0-9_.-]+):/.exec(line)?.[1] ?? ''),
  );
  return `${[...lines, ...extra.map((o) => `${o.name}: ${o.value}`)].join('\n')}\n`;
}

function ownYamlLines(options: NodeConfigOptions): string[] {
  const t = options.timeouts;
  return [
    'cluster_name: dscheck',
    'num_tokens: 1',
    `initial_token: ${initialToken(options.index, options.seeds.length)}`,
    'auto_bootstrap: false',
    'partitioner: org.apache.cassandra.dht.Murmur3Partitioner',
    'endpoint_snitch: SimpleSnitch',
    'seed_provider:',
    '  - class_name: org.apache.cassandra.locator.SimpleSeedProvider',
    '    parameters:',
    `      - seeds: "${options.seeds.join(',')}"`,
    `listen_address: ${options.ip}`,
    `rpc_address: ${options.ip}`,
    `native_transport_port: ${CQL_PORT}`,
    'storage_port: 7000',
    'start_native_transport: true',
    'data_file_directories:',
    `  - ${PATHS.dataDir}/data`,
    `commitlog_directory: ${PATHS.dataDir}/commitlog`,
    `saved_caches_directory: ${PATHS.dataDir}/saved_caches`,
    `hints_directory: ${PATHS.dataDir}/hints`,
    `cdc_raw_directory: ${PATHS.dataDir}/cdc_raw`,
    options.durable ? 'commitlog_sync: batch' : 'commitlog_sync: periodic',
    ...(options.durable ? [] : ['commitlog_sync_period: 10000ms']),
    'authenticator: AllowAllAuthenticator',
    'authorizer: AllowAllAuthorizer',
    `read_request_timeout: ${t.read}ms`,
    `write_request_timeout: ${t.write}ms`,
    `counter_write_request_timeout: ${t.write}ms`,
    `cas_contention_timeout: ${t.cas}ms`,
    `range_request_timeout: ${t.range}ms`,
    `request_timeout: ${t.other}ms`,
    // Dropping the test keyspace between runs need not copy it first.
    'auto_snapshot: false',
  ];
}
