import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import type { Random } from '../generator/random.js';
import type { Json } from '../history/types.js';
import { choice, number, type OptionTable, valueOption } from '../options/spec.js';
import { hasLocks, type LockClient } from '../stores/types.js';
import {
  type CheckerSpecs,
  type ClientOp,
  DefiniteFailure,
  type OpSource,
  type Workload,
  type WorkloadClient,
} from './types.js';

/**
 * Lease locks, each implementation with the store that holds it (the lock clients document their
 * sources): Redis `SET NX PX` with an `INCR` token (redis.io, "Distributed Locks with Redis"),
 * Redlock over the independent topology's primaries (the same page; the default there),
 * MariaDB `GET_LOCK()` (session-bound) or a lease row whose expiry the server's clock decides,
 * Cassandra `INSERT ... IF NOT EXISTS USING TTL`. A store's first is its default.
 */
export const LOCK_IMPLEMENTATIONS = {
  redis: 'redis',
  redlock: 'redis',
  'mysql-get-lock': 'mysql',
  'mysql-lease': 'mysql',
  'cassandra-lwt': 'cassandra',
} as const;
export type LockImplementation = keyof typeof LOCK_IMPLEMENTATIONS;
const IMPLEMENTATIONS = Object.keys(LOCK_IMPLEMENTATIONS) as LockImplementation[];

/**
 * The implementation a run used: the one it named, or its store's own (its first; on Redis's
 * independent primaries Redlock, as the Redis store chooses). Undefined for a store with no lock.
 */
export function lockUsed(
  named: string | undefined,
  store: string | undefined,
  topology: string | undefined,
): LockImplementation | undefined {
  if (named !== undefined) return IMPLEMENTATIONS.find((i) => i === named);
  if (store === 'redis' && topology === 'independent') return 'redlock';
  return IMPLEMENTATIONS.find((i) => LOCK_IMPLEMENTATIONS[i] === store);
}

/** The lock workload's own options of `dscheck run` (and its preset's `lock:` settings). */
export const LOCK_OPTIONS = {
  leaseMs: valueOption(
    {
      name: 'lease-ms',
      value: 'ms',
      help: 'how long a grant lasts unless released (default 2000; >= --timeout)',
    },
    number({ min: 1, integer: true }),
  ),
  lock: valueOption(
    {
      name: 'lock',
      value: 'implementation',
      help: `${IMPLEMENTATIONS.join(', ')} (default: the store's own)`,
    },
    choice(IMPLEMENTATIONS),
  ),
  fencing: valueOption(
    {
      name: 'fencing',
      value: 'on|off',
      help: 'the resource rejects writes with an older token (default off)',
    },
    choice(['on', 'off'] as const),
  ),
  holderPauseMs: valueOption(
    {
      name: 'holder-pause-ms',
      value: 'ms',
      help: 'a holder stops this long between its grant and its write (a GC pause), one grant in 10 (default 0)',
    },
    number({ min: 0, integer: true }),
  ),
} satisfies OptionTable;

export interface LockSettings {
  leaseMs: number;
  /** Undefined: the store's own implementation. */
  lock?: LockImplementation;
  fencing: boolean;
  holderPauseMs: number;
}

const LOCK = 'lock';
const RESOURCE = 'resource';
/** The share of grants followed by a holder pause (when --holder-pause-ms is given). */
const PAUSE_SHARE = 0.1;
/** A refused client waits this long before asking again, so refusals do not spin. */
const REFUSED_BACKOFF_MS = 5;

/** Settings from the preset's `lock:` mapping under the command line's options (both as text). */
export function resolveLockSettings(layers: readonly Readonly<Record<string, unknown>>[]): LockSettings {
  const merged: Record<string, string> = {};
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (!Object.values(LOCK_OPTIONS).some((spec) => spec.name === name)) {
        throw new UsageError(
          `unknown lock setting '${name}'; valid choices: ${Object.values(LOCK_OPTIONS)
            .map((s) => s.name)
            .join(', ')}`,
        );
      }
      merged[name] = String(value);
    }
  }
  return {
    leaseMs: LOCK_OPTIONS.leaseMs.read(merged['lease-ms']) ?? 2000,
    lock: LOCK_OPTIONS.lock.read(merged.lock),
    fencing: LOCK_OPTIONS.fencing.read(merged.fencing) === 'on',
    holderPauseMs: LOCK_OPTIONS.holderPauseMs.read(merged['holder-pause-ms']) ?? 0,
  };
}

export interface LockDefinition {
  settings: LockSettings;
  checkers: CheckerSpecs;
  source: string;
  definition: Json;
}

/**
 * Clients loop: acquire the lock, write once to the protected resource with the grant's fencing
 * token, release. The lock checker judges who held it when and what the resource accepted.
 */
export function lockWorkload(def: LockDefinition): Workload {
  const { settings } = def;
  return {
    name: 'lock',
    needs: ['locks'],
    source: def.source,
    keys: [LOCK, RESOURCE],
    checkers: def.checkers,
    definition: def.definition,
    validate({ store, topology, timeoutMs }) {
      if (settings.leaseMs < timeoutMs) {
        throw new UsageError(
          `--lease-ms ${settings.leaseMs} is shorter than the operation timeout (--timeout ${timeoutMs}): a grant could run out before its acquire even answered; give --lease-ms ${timeoutMs} or more`,
        );
      }
      const lockStore = settings.lock && LOCK_IMPLEMENTATIONS[settings.lock];
      if (lockStore && lockStore !== store) {
        const own = IMPLEMENTATIONS.filter((i) => LOCK_IMPLEMENTATIONS[i] === store);
        throw new UsageError(
          `--lock ${settings.lock} needs --store ${lockStore}; ${store} offers ${own.length > 0 ? own.join(', ') : 'no lock'}`,
        );
      }
      if (settings.lock === 'redlock' && topology !== 'independent') {
        throw new UsageError(
          `--lock redlock takes a majority of independent Redis primaries: it needs --topology independent, not ${topology}`,
        );
      }
    },
    async openClient(db, index, timeoutMs) {
      if (!hasLocks(db))
        throw new UsageError(`the lock workload needs a store with locks; ${db.store} has none`);
      return lockOps(
        await db.lockClient(index, timeoutMs, { fenced: settings.fencing, implementation: settings.lock }),
      );
    },
    generator: (worker, workers, random) => new LockLoop(worker, workers, random, settings),
    finalOps: () => [],
  };
}

/** One worker's loop: acquire until granted, write with the token, release; again. */
class LockLoop implements OpSource {
  private token: number | null = null;
  private written = false;
  private writes = 0;

  constructor(
    private readonly worker: number,
    private readonly workers: number,
    private readonly random: Random,
    private readonly settings: LockSettings,
  ) {}

  next(): ClientOp {
    if (this.token !== null && !this.written) {
      this.written = true;
      // Unique across the run, so each accepted value names the write that made it.
      const value = this.writes++ * this.workers + this.worker + 1;
      const pause = this.settings.holderPauseMs > 0 && this.random.chance(PAUSE_SHARE);
      return {
        f: 'write',
        key: RESOURCE,
        value: { token: this.token, value },
        ...(pause ? { delayMs: this.settings.holderPauseMs } : {}),
      };
    }
    if (this.token !== null) {
      const token = this.token;
      this.token = null;
      return { f: 'release', key: LOCK, value: token };
    }
    return { f: 'acquire', key: LOCK, value: { leaseMs: this.settings.leaseMs } };
  }

  observe(op: ClientOp, result: Json): void {
    if (op.f !== 'acquire' || typeof result !== 'object' || result === null || Array.isArray(result)) return;
    if (typeof result.token !== 'number') return;
    this.token = result.token;
    this.written = false;
  }
}

function field(value: Json, name: string): number | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const x = value[name];
  return typeof x === 'number' ? x : undefined;
}

/**
 * History operations onto the store's lock client. A refused acquire, a release of a lock no longer
 * ours and a write the fence rejected are definite failures.
 */
function lockOps(client: LockClient): WorkloadClient {
  return {
    get node() {
      return client.node;
    },
    async invoke(op: ClientOp): Promise<Json> {
      const key = op.key ?? LOCK;
      if (op.f === 'acquire') {
        const leaseMs = field(op.value, 'leaseMs') ?? 0;
        const grant = await client.acquire(key, leaseMs);
        if (grant === null) {
          await sleep(REFUSED_BACKOFF_MS);
          throw new DefiniteFailure('held');
        }
        return { token: grant.token, leaseMs: grant.leaseMs };
      }
      if (op.f === 'write') {
        const token = field(op.value, 'token') ?? 0;
        if (!(await client.write(key, token, field(op.value, 'value') ?? 0)))
          throw new DefiniteFailure('fenced');
        return op.value;
      }
      if (op.f === 'release') {
        if (!(await client.release(key, op.value as number))) throw new DefiniteFailure('not-held');
        return op.value;
      }
      throw new Error(`the lock workload has no operation '${op.f}'`);
    },
    close: () => client.close(),
  };
}
