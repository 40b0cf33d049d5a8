import type { DockerCluster } from '../../docker/cluster.js';
import { UsageError } from '../../errors.js';
import type { Json } from '../../history/types.js';
import { startStore } from '../lifecycle.js';
import { MysqlDb } from '../mysql/db.js';
import { MYSQL_IMAGE } from '../mysql/image.js';
import { RedisDb } from '../redis/db.js';
import { REDIS_IMAGE } from '../redis/image.js';
import type { ClusterOptions, ClusterShape, Store } from '../types.js';
import { CacheAsideDb } from './db.js';
import { type CacheAsideSettings, maxTtlMs } from './settings.js';

export { CacheAsideDb } from './db.js';

/** A cache node needs little: the keyspace is small. The database gets what a MySQL node gets. */
const CACHE_MEMORY_BYTES = 256 * 1024 * 1024;
const DATABASE_MEMORY_BYTES = 768 * 1024 * 1024;

/** The database node's name; cache nodes are c1..cN. */
export const DATABASE_NODE = 'db1';

export const cacheNodeNames = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `c${i + 1}`);

/**
 * The store `--workload cache-aside` runs on: Redis cache nodes (standalone, no replication)
 * in front of one MariaDB database, started on one run network. `--nodes` is the number of cache
 * nodes in the shard map (`--cache-nodes`); one spare cache node more is started for `reshard`.
 */
export function cacheAsideStore(settings: CacheAsideSettings): Store {
  const validate = (shape: ClusterShape) => {
    if (shape.nodes !== settings.cacheNodes) {
      throw new UsageError(
        `--nodes ${shape.nodes} and --cache-nodes ${settings.cacheNodes} disagree: give one of them`,
      );
    }
  };
  return {
    name: 'redis+mysql',
    topologies: ['cache-aside'],
    defaultTopology: 'cache-aside',
    readFromChoices: ['cache'],
    defaultNodes: settings.cacheNodes,
    images: [REDIS_IMAGE, MYSQL_IMAGE],
    options: {},
    abilities: { kill: true, 'cache-tier': true },
    validate,

    describe(): Record<string, Json> {
      return {
        cacheNodes: cacheNodeNames(settings.cacheNodes),
        spareCacheNode: `c${settings.cacheNodes + 1}`,
        database: DATABASE_NODE,
        cache: 'redis-server 7.0, standalone, no persistence: a restarted node is empty',
        maxTtlMs: maxTtlMs(settings),
      };
    },

    start(options: ClusterOptions): Promise<CacheAsideDb> {
      validate({ topology: options.topology, readFrom: options.readFrom, nodes: options.nodes });
      const caches = cacheNodeNames(settings.cacheNodes + 1);
      return startStore(options, {
        store: 'cache-aside',
        images: [REDIS_IMAGE, MYSQL_IMAGE],
        cluster: ([cacheImage, databaseImage]) => ({
          image: cacheImage,
          nodes: caches.length + 1,
          memoryBytes: CACHE_MEMORY_BYTES,
          members: [
            ...caches.map((name) => ({ name, image: cacheImage, memoryBytes: CACHE_MEMORY_BYTES })),
            { name: DATABASE_NODE, image: databaseImage, memoryBytes: DATABASE_MEMORY_BYTES },
          ],
        }),
        create: (cluster) => composite(cluster, caches, settings, options),
        setup: (db) => db.setup(),
      });
    },
  };
}

/** The cache nodes and the database, each the store's own Db over its containers; only the composite removes them. */
function composite(
  cluster: DockerCluster,
  caches: readonly string[],
  settings: CacheAsideSettings,
  options: ClusterOptions,
): CacheAsideDb {
  const part = (names: readonly string[]): DockerCluster => ({
    ...cluster,
    nodes: cluster.nodes.filter((n) => names.includes(n.name)),
    remove: async () => {},
  });
  const redisParts = new Map(
    caches.map((name) => [
      name,
      new RedisDb(part([name]), {
        topology: 'replicated',
        readFrom: 'primary',
        durable: false,
        log: options.log,
        signal: options.signal,
      }),
    ]),
  );
  const database = new MysqlDb(part([DATABASE_NODE]), {
    runId: options.runId,
    topology: 'async',
    readFrom: 'primary',
    semiSyncTimeoutMs: 0,
    log: options.log,
    signal: options.signal,
  });
  return new CacheAsideDb(cluster, redisParts, database, settings, options.runId, options.log);
}
