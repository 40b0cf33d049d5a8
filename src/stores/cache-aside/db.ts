import { mkdir } from 'node:fs/promises';
import type { DockerCluster } from '../../docker/cluster.js';
import type { Json } from '../../history/types.js';
import { adminQuery } from '../mysql/admin.js';
import type { Account } from '../mysql/client.js';
import { tableNames } from '../mysql/config.js';
import type { MysqlDb } from '../mysql/db.js';
import { classifyMysqlError } from '../mysql/errors.js';
import { CLIENT_USER, DATABASE, PASSWORD } from '../mysql/image.js';
import { adminCall } from '../redis/admin.js';
import { REDIS_PORT } from '../redis/config.js';
import type { RedisDb } from '../redis/db.js';
import type {
  ClusterNode,
  Db,
  ErrorVerdict,
  HasLogs,
  HasNetwork,
  Killable,
  Network,
  RegisterClient,
} from '../types.js';
import { CacheAsideClient } from './client.js';
import { DbPool, PoolTimeoutError } from './pool.js';
import { type ShardMap, shardMap } from './ring.js';
import { type CacheAsideSettings, maxTtlMs, type RestartMode } from './settings.js';

const CLIENT: Account = { user: CLIENT_USER, password: PASSWORD };

/** Rows per INSERT when the keyspace is loaded into the database and the cache is prefilled. */
const BATCH = 1000;

/** What a reshard changed, for the history: the shard maps before and after. */
export interface Reshard {
  sharding: string;
  before: string[];
  after: string[];
  keyspace: number;
  [field: string]: Json;
}

/**
 * A cache tier in front of a database, on one run network: cache nodes c1..cN (+ one spare for
 * resharding), each a standalone Redis server, and db1, a MariaDB server. Each part is the
 * existing store's own Db over its share of the containers, so setup, kill, restart and logs are
 * theirs. The shard map (which cache nodes the clients use) lives here and changes at one instant,
 * as when an operator pushes a new map to every application server.
 */
export class CacheAsideDb implements Db, Killable, HasLogs, HasNetwork {
  readonly store = 'redis+mysql';
  readonly topology = 'cache-aside';
  readonly table: string;
  readonly pool: DbPool;
  private active: string[];
  private map: ShardMap;
  private readonly clients = new Set<CacheAsideClient>();

  constructor(
    private readonly cluster: DockerCluster,
    private readonly caches: ReadonlyMap<string, RedisDb>,
    private readonly database: MysqlDb,
    readonly settings: CacheAsideSettings,
    runId: string,
    private readonly log: (message: string) => void,
  ) {
    this.table = `${DATABASE}.${tableNames(runId).registers}`;
    this.active = [...caches.keys()].slice(0, settings.cacheNodes);
    this.map = shardMap(settings.sharding, this.active);
    this.pool = new DbPool(this.databaseNode, CLIENT, settings.dbPool);
  }

  get nodes(): readonly ClusterNode[] {
    return this.cluster.nodes;
  }

  /** The cluster's iptables rules: partitions and loss, across caches and database. */
  get network(): Network {
    return this.cluster.firewall;
  }

  get databaseNode(): ClusterNode {
    return this.database.nodes[0];
  }

  /** Every cache node, the spare included. */
  get cacheNodes(): readonly ClusterNode[] {
    return this.nodes.filter((n) => this.caches.has(n.name));
  }

  /** The cache nodes the clients shard over now. */
  get shards(): readonly string[] {
    return this.active;
  }

  get restartMode(): RestartMode {
    return this.settings.restart;
  }

  shardOf(key: string): string {
    return this.map(key);
  }

  /** Sets up every cache node and the database, then `prepare`. */
  async setup(): Promise<void> {
    await Promise.all([...[...this.caches.values()].map((r) => r.setup()), this.database.setup()]);
    await this.prepare();
  }

  /** The keyspace as rows of the database, its connection limit, and (optionally) a full cache. */
  async prepare(): Promise<void> {
    const n = this.settings.keyspace;
    const db = this.databaseNode;
    for (let from = 0; from < n; from += BATCH) {
      const to = Math.min(n, from + BATCH) - 1;
      // Every key starts at 0: written values are unique and positive, so a value names its write.
      await adminQuery(
        db,
        `INSERT INTO ${this.table} (k, v) SELECT CONCAT('k', seq), 0 FROM ${DATABASE}.seq_${from}_to_${to}`,
      );
    }
    await adminQuery(db, `SET GLOBAL max_connections = ${this.settings.dbMaxConnections}`);
    if (this.settings.prefill) await this.prefill();
  }

  /** Every key cached with the value 0 at once: their TTLs (up to jitter) end together. */
  private async prefill(): Promise<void> {
    const byNode = new Map<string, string[]>();
    for (let i = 0; i < this.settings.keyspace; i++) {
      const key = `k${i}`;
      const node = this.shardOf(key);
      byNode.set(node, [...(byNode.get(node) ?? []), key]);
    }
    const client = await this.cacheAsideClient(-1, 2000);
    try {
      for (const [node, keys] of byNode) await client.fill(node, keys, '0');
    } finally {
      await client.close();
    }
  }

  async cacheAsideClient(index: number, timeoutMs: number): Promise<CacheAsideClient> {
    const client = new CacheAsideClient(this, index, timeoutMs, (c) => this.clients.delete(c));
    this.clients.add(client);
    return client;
  }

  async registerClient(): Promise<RegisterClient> {
    throw new Error('a cache-aside cluster serves only the cache-aside workload');
  }

  /** Cache errors are the client's to handle (a miss); what reaches here is the database's. */
  classify(error: unknown, f: string): ErrorVerdict {
    if (error instanceof PoolTimeoutError) return { type: 'fail', error: 'pool-timeout' };
    // The server refused the connection itself (max_connections): the database is full, not unreachable.
    if ((error as { cause?: { errno?: unknown } } | null)?.cause?.errno === 1040) {
      return { type: 'fail', error: 'db-too-many-connections' };
    }
    const verdict = classifyMysqlError(error, f === 'write' ? 'write' : 'read');
    return { ...verdict, error: `db-${verdict.error}` };
  }

  /** The cache node comes back EMPTY: Redis runs without persistence here. */
  async kill(node: string): Promise<void> {
    await this.part(node).kill(node);
  }

  async restart(node: string): Promise<void> {
    await this.part(node).restart(node);
  }

  async flush(node: string): Promise<void> {
    await adminCall(this.node(node).ip, REDIS_PORT, ['FLUSHALL']);
  }

  /** Points every client at a new list of cache nodes at once; returns both maps for the history. */
  reshard(after: readonly string[]): Reshard {
    for (const name of after) if (!this.caches.has(name)) throw new Error(`no cache node ${name}`);
    const before = this.active;
    this.active = [...after];
    this.map = shardMap(this.settings.sharding, this.active);
    return { sharding: this.settings.sharding, before, after: [...after], keyspace: this.settings.keyspace };
  }

  /** What the cache nemeses and the checker need to know of the scenario, for test.json. */
  describe(): Record<string, Json> {
    return { ...this.settings, maxTtlMs: maxTtlMs(this.settings) } as unknown as Record<string, Json>;
  }

  async collectLogs(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await Promise.all([...this.caches.values(), this.database].map((part) => part.collectLogs(dir)));
  }

  /** Closes the clients and the pool, then removes every container and the network. Never throws. */
  async teardown(): Promise<void> {
    for (const client of this.clients) await client.close().catch(() => undefined);
    this.pool.close();
    await Promise.all([...this.caches.values(), this.database].map((part) => part.teardown()));
    await this.cluster.removeQuietly(this.log);
  }

  /** A connection to one cache node, for a client. */
  cacheNode(name: string): ClusterNode {
    if (!this.caches.has(name)) throw new Error(`no cache node ${name}`);
    return this.node(name);
  }

  private part(node: string): RedisDb | MysqlDb {
    if (node === this.databaseNode.name) return this.database;
    const cache = this.caches.get(node);
    if (!cache) throw new Error(`no node ${node}; nodes: ${this.nodes.map((n) => n.name).join(', ')}`);
    return cache;
  }

  private node(name: string): ClusterNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}; nodes: ${this.nodes.map((n) => n.name).join(', ')}`);
    return node;
  }
}
