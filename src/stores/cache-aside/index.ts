import { connectDocker } from '../../docker/client.js';
import { type DockerCluster, startCluster } from '../../docker/cluster.js';
import { ensureImage } from '../../docker/images.js';
import { errorText } from '../../docker/log.js';
import { UsageError } from '../../errors.js';
import type { Json } from '../../history/types.js';
import { MysqlDb } from '../mysql/db.js';
import { MYSQL_IMAGE } from '../mysql/image.js';
import { RedisDb } from '../redis/db.js';
import { REDIS_IMAGE } from '../redis/image.js';
import type { ClusterOptions, Store } from '../types.js';
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
  return {
    name: 'redis+mysql',
    topologies: ['cache-aside'],
    defaultTopology: 'cache-aside',
    readFromChoices: ['cache'],
    defaultNodes: settings.cacheNodes,
    images: [REDIS_IMAGE, MYSQL_IMAGE],

    describe(): Record<string, Json> {
      return {
        cacheNodes: cacheNodeNames(settings.cacheNodes),
        spareCacheNode: `c${settings.cacheNodes + 1}`,
        database: DATABASE_NODE,
        cache: 'redis-server 7.0, standalone, no persistence: a restarted node is empty',
        maxTtlMs: maxTtlMs(settings),
      };
    },

    async start(options: ClusterOptions): Promise<CacheAsideDb> {
      if (options.nodes !== settings.cacheNodes) {
        throw new UsageError(
          `--nodes ${options.nodes} and --cache-nodes ${settings.cacheNodes} disagree: give one of them`,
        );
      }
      await connectDocker();
      const [cacheImage, databaseImage] = [
        await ensureImage(REDIS_IMAGE, options.log),
        await ensureImage(MYSQL_IMAGE, options.log),
      ];
      options.signal?.throwIfAborted();
      const caches = cacheNodeNames(settings.cacheNodes + 1);
      const cluster = await startCluster({
        runId: options.runId,
        store: 'cache-aside',
        image: cacheImage,
        nodes: caches.length + 1,
        memoryBytes: CACHE_MEMORY_BYTES,
        members: [
          ...caches.map((name) => ({ name, image: cacheImage, memoryBytes: CACHE_MEMORY_BYTES })),
          { name: DATABASE_NODE, image: databaseImage, memoryBytes: DATABASE_MEMORY_BYTES },
        ],
      });
      // Each part is the store's own Db over its containers; only the composite removes them.
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
      const db = new CacheAsideDb(cluster, redisParts, database, settings, options.runId, options.log);
      try {
        await Promise.all([...[...redisParts.values()].map((r) => r.setup()), database.setup()]);
        await db.prepare();
      } catch (err) {
        // teardown never throws, so the error that stopped the start is the one the user sees.
        options.log(`cache-aside cluster did not come up: ${errorText(err)}`);
        await db.teardown();
        throw err;
      }
      return db;
    },
  };
}
