import { coldCacheRawOptions } from '../checker/cold-cache.js';
import { UsageError } from '../errors.js';
import { keyNames } from '../generator/keys.js';
import type { Random } from '../generator/random.js';
import { zipfKeys } from '../generator/zipf.js';
import type { Json } from '../history/types.js';
import { CacheAsideDb, cacheAsideStore } from '../stores/cache-aside/index.js';
import { type CacheAsideSettings, maxTtlMs } from '../stores/cache-aside/settings.js';
import type { CheckerSpecs, ClientOp, OpSource, Workload } from './types.js';

export const CACHE_ASIDE_FS = ['read', 'write'] as const;
export type CacheAsideF = (typeof CACHE_ASIDE_FS)[number];

export interface CacheAsideDefinition {
  mix: Readonly<Record<CacheAsideF, number>>;
  settings: CacheAsideSettings;
  checkers: CheckerSpecs;
  source: string;
  definition: Json;
}

/**
 * Cache-aside (read-through) clients over Redis cache nodes and a MariaDB database: reads GET from
 * the key's cache node and fall back to the database on a miss, then fill the cache with a TTL;
 * writes update the database and invalidate (or refresh) the cache entry. Keys by Zipf
 * popularity. It brings its own cluster (`store`), and its checker measures what a cold cache
 * does to the database.
 */
export function cacheAsideWorkload(def: CacheAsideDefinition): Workload {
  const { settings } = def;
  const keys = keyNames(settings.keyspace);
  const keyDistribution = zipfKeys(keys, settings.zipf);
  return {
    name: 'cache-aside',
    source: def.source,
    keys,
    checkers: def.checkers,
    definition: def.definition,
    store: cacheAsideStore(settings),
    warmUpS: settings.warmUpS,
    async openClient(db, index, timeoutMs) {
      if (!(db instanceof CacheAsideDb)) {
        throw new UsageError(`the cache-aside workload runs on its own cluster, not on ${db.store}`);
      }
      if (settings.dbTimeoutMs >= timeoutMs) {
        throw new UsageError(
          `--db-timeout (${settings.dbTimeoutMs} ms) must be below --timeout (${timeoutMs} ms): the cache and the refill need some of it`,
        );
      }
      const client = await db.cacheAsideClient(index, timeoutMs);
      return {
        invoke: async (op: ClientOp): Promise<Json> => {
          const key = op.key ?? 'k0';
          if (op.f === 'read') return client.read(key);
          if (op.f === 'write') {
            await client.write(key, op.value as number);
            return op.value;
          }
          throw new Error(`the cache-aside workload has no operation '${op.f}'`);
        },
        lastFields: () => client.lastFields(),
        close: () => client.close(),
      };
    },
    generator(worker: number, workers: number, random: Random): OpSource {
      let written = 0;
      return {
        next(): ClientOp {
          const f = random.weighted(def.mix);
          const key = keyDistribution(random);
          // Unique positive values (the database starts every key at 0): a read names its write.
          return f === 'read' ? { f, key, value: null } : { f, key, value: ++written * workers + worker };
        },
        observe() {},
      };
    },
    // The cache is judged by its load while the clients run; the final reads add nothing to it.
    finalOps: () => [],
  };
}

/** The cold-cache checker's options follow from the scenario's settings. */
export function coldCacheOptions(settings: CacheAsideSettings): Record<string, unknown> {
  return coldCacheRawOptions({
    dbCapacity: settings.dbCapacity,
    maxErrorRate: settings.maxErrorRate,
    maxTtlMs: maxTtlMs(settings),
    writePolicy: settings.writePolicy,
  });
}
