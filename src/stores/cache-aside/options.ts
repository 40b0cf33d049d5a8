import { text, valueOption } from '../../options/spec.js';

/**
 * The cache-aside workload's own options of `dscheck run` (its preset's `cache-aside:` settings
 * from the command line). Kept as text: `resolveCacheAsideSettings` checks them together with the
 * preset's, so a mistake is named the same way wherever it was made.
 */
const setting = (name: string, value: string, help: string) => valueOption({ name, value, help }, text);

export const CACHE_ASIDE_OPTIONS = {
  cacheNodes: setting('cache-nodes', 'n', 'cache nodes in the shard map (default 3; same as --nodes)'),
  sharding: setting('sharding', 'how', 'modulo or consistent (a hash ring; default)'),
  ttl: setting('ttl', 'seconds', 'how long a cache entry lives (default 30)'),
  ttlJitter: setting('ttl-jitter', 'share', 'TTL spread, 0.1 = ±10% (default 0.1)'),
  writePolicy: setting('write-policy', 'policy', 'invalidate (default) or write-through'),
  dbTimeout: setting('db-timeout', 'ms', 'deadline of a database call, pool wait included (default 500)'),
  dbPool: setting('db-pool', 'n', 'database connections shared by all clients (default 4)'),
  dbMaxConnections: setting(
    'db-max-connections',
    'n',
    "the database's max_connections, 10 or more (default 50)",
  ),
  dbQueryMs: setting('db-query-ms', 'ms', 'extra server time per database read, a heavier query (default 0)'),
  zipf: setting('zipf', 'exponent', 'key popularity, 0 = uniform (default 1)'),
  keyspace: setting('keyspace', 'n', 'number of keys (default 1000; same as --keys)'),
  prefill: setting('prefill', 'on|off', 'load every key into the cache before the clients start'),
  warmUp: setting('warm-up', 'seconds', 'seconds without faults at the start (default 10)'),
  restart: setting('restart', 'mode', 'restart-cache nemesis: all (default), one, rolling'),
  dbCapacity: setting(
    'db-capacity',
    'qps',
    'database queries/s it is sized for; above it the run is invalid',
  ),
  maxErrorRate: setting(
    'max-error-rate',
    'share',
    'largest acceptable share of failed operations (default 0.05)',
  ),
};
