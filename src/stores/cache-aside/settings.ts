import type { Sharding } from './ring.js';

/**
 * The cache-aside scenario as one value: what the cluster, the clients and the cache nemeses
 * need to agree on. Built from the preset (workloads/cache-aside.yaml) and `dscheck run`'s options,
 * recorded in test.json. Pure data: no I/O here.
 */

export const WRITE_POLICIES = ['invalidate', 'write-through'] as const;
export type WritePolicy = (typeof WRITE_POLICIES)[number];

export const RESTART_MODES = ['all', 'one', 'rolling'] as const;
export type RestartMode = (typeof RESTART_MODES)[number];

export interface CacheAsideSettings {
  /** Cache nodes in the shard map at the start (c1..cN); one more (spare) is started for `reshard`. */
  cacheNodes: number;
  sharding: Sharding;
  /** Seconds a cached entry lives. */
  ttlS: number;
  /** Each entry's TTL is ttl × (1 ± jitter), drawn uniformly: 0.1 spreads expiries over ±10%. */
  ttlJitter: number;
  writePolicy: WritePolicy;
  /** Deadline of a database read or write, pool wait included, in ms. */
  dbTimeoutMs: number;
  /** Database connections shared by all client processes: the application's in-flight capacity. */
  dbPool: number;
  /** The server's max_connections: beyond it MariaDB refuses connections (error 1040). */
  dbMaxConnections: number;
  /** Extra server time per database read (SLEEP), in ms: a heavier query, a slower database. */
  dbQueryMs: number;
  /** Zipf exponent of key popularity (0 = uniform). */
  zipf: number;
  /** Number of keys (k0 .. k<keyspace-1>), every one a row in the database. */
  keyspace: number;
  /** Load every key into the cache before the clients start (all with the same TTL, up to jitter). */
  prefill: boolean;
  /** Seconds at the start with no fault, marked in the history: the cache warms up. */
  warmUpS: number;
  /** How `restart-cache` restarts the cache nodes. */
  restart: RestartMode;
  /** Database queries per second it is sized for; a peak above it makes the run invalid. */
  dbCapacity: number | null;
  /** Largest acceptable share of operations that fail or time out. */
  maxErrorRate: number;
}

export const CACHE_ASIDE_DEFAULTS: CacheAsideSettings = {
  cacheNodes: 3,
  sharding: 'consistent',
  ttlS: 30,
  ttlJitter: 0.1,
  writePolicy: 'invalidate',
  dbTimeoutMs: 500,
  dbPool: 4,
  dbMaxConnections: 50,
  dbQueryMs: 0,
  zipf: 1,
  keyspace: 1000,
  prefill: false,
  warmUpS: 10,
  restart: 'all',
  dbCapacity: null,
  maxErrorRate: 0.05,
};

/** The longest an entry can live: what a stale cached value is allowed, at most. */
export function maxTtlMs(settings: Pick<CacheAsideSettings, 'ttlS' | 'ttlJitter'>): number {
  return settings.ttlS * (1 + settings.ttlJitter) * 1000;
}

type Spec =
  | { kind: 'number'; min: number; max: number; integer?: boolean; scale?: number }
  | { kind: 'choice'; choices: readonly string[] }
  | { kind: 'flag' }
  | { kind: 'optional-number'; min: number };

/**
 * Every setting by its name in the preset and on the command line (`--ttl-jitter`), with what it
 * accepts. One table for both, so a preset and a command line are checked alike.
 */
export const CACHE_ASIDE_OPTIONS: Readonly<Record<string, { field: keyof CacheAsideSettings; spec: Spec }>> =
  {
    'cache-nodes': { field: 'cacheNodes', spec: { kind: 'number', min: 1, max: 8, integer: true } },
    sharding: { field: 'sharding', spec: { kind: 'choice', choices: ['modulo', 'consistent'] } },
    ttl: { field: 'ttlS', spec: { kind: 'number', min: 0.1, max: 86_400 } },
    'ttl-jitter': { field: 'ttlJitter', spec: { kind: 'number', min: 0, max: 0.9 } },
    'write-policy': { field: 'writePolicy', spec: { kind: 'choice', choices: WRITE_POLICIES } },
    'db-timeout': { field: 'dbTimeoutMs', spec: { kind: 'number', min: 1, max: 60_000, integer: true } },
    'db-pool': { field: 'dbPool', spec: { kind: 'number', min: 1, max: 1000, integer: true } },
    // MariaDB's own lower bound: a smaller max_connections is silently raised to 10.
    'db-max-connections': {
      field: 'dbMaxConnections',
      spec: { kind: 'number', min: 10, max: 10_000, integer: true },
    },
    'db-query-ms': { field: 'dbQueryMs', spec: { kind: 'number', min: 0, max: 10_000 } },
    zipf: { field: 'zipf', spec: { kind: 'number', min: 0, max: 5 } },
    keyspace: { field: 'keyspace', spec: { kind: 'number', min: 1, max: 1_000_000, integer: true } },
    prefill: { field: 'prefill', spec: { kind: 'flag' } },
    'warm-up': { field: 'warmUpS', spec: { kind: 'number', min: 0, max: 3600 } },
    restart: { field: 'restart', spec: { kind: 'choice', choices: RESTART_MODES } },
    'db-capacity': { field: 'dbCapacity', spec: { kind: 'optional-number', min: 1 } },
    'max-error-rate': { field: 'maxErrorRate', spec: { kind: 'number', min: 0, max: 1 } },
  };

/**
 * The settings: defaults < preset < command line. Values may be strings (command line) or YAML
 * scalars; a bad one is reported through `problem` with the option's name and what it accepts.
 */
export function resolveCacheAsideSettings(
  layers: readonly Readonly<Record<string, unknown>>[],
  problem: (what: string) => Error,
): CacheAsideSettings {
  const settings: Record<string, unknown> = { ...CACHE_ASIDE_DEFAULTS };
  for (const layer of layers) {
    for (const [name, raw] of Object.entries(layer)) {
      if (raw === undefined) continue;
      const option = Object.hasOwn(CACHE_ASIDE_OPTIONS, name) ? CACHE_ASIDE_OPTIONS[name] : undefined;
      if (!option) {
        throw problem(
          `unknown cache-aside setting '${name}'; valid ones: ${Object.keys(CACHE_ASIDE_OPTIONS).join(', ')}`,
        );
      }
      settings[option.field] = settingValue(name, raw, option.spec, problem);
    }
  }
  return settings as unknown as CacheAsideSettings;
}

function settingValue(name: string, raw: unknown, spec: Spec, problem: (what: string) => Error): unknown {
  const text = String(raw).trim();
  switch (spec.kind) {
    case 'choice':
      if (spec.choices.includes(text)) return text;
      throw problem(`unknown ${name} '${text}'; valid choices: ${spec.choices.join(', ')}`);
    case 'flag':
      if (raw === true || text === 'true' || text === 'on') return true;
      if (raw === false || text === 'false' || text === 'off') return false;
      throw problem(`${name} must be on or off (true or false), not '${text}'`);
    case 'optional-number': {
      if (raw === null || text === 'none') return null;
      const n = Number(text);
      if (text !== '' && Number.isFinite(n) && n >= spec.min) return n;
      throw problem(`${name} must be a number >= ${spec.min} or none, not '${text}'`);
    }
    case 'number': {
      const n = text === '' ? Number.NaN : Number(text);
      if (Number.isFinite(n) && n >= spec.min && n <= spec.max && (!spec.integer || Number.isInteger(n)))
        return n;
      throw problem(
        `${name} must be ${spec.integer ? 'a whole number' : 'a number'} >= ${spec.min} and <= ${spec.max}, not '${text}'`,
      );
    }
  }
}
