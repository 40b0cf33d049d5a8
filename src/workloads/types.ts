import type { PlannedCheck } from '../checkers.js';
import type { Random } from '../generator/random.js';
import type { Json } from '../history/types.js';
import type { Ability, Db, Store } from '../stores/types.js';

/** One operation a process is about to invoke. */
export interface ClientOp {
  f: string;
  key: string | null;
  value: Json;
  /**
   * The worker waits this long before invoking it, outside the history: a client that stops
   * between two operations (a stop-the-world pause of the lock workload's holder).
   */
  delayMs?: number;
}

/** A process's connection to the cluster. One outstanding operation at a time. */
export interface WorkloadClient {
  readonly node?: string;
  /** Performs the operation and returns the `value` of its `ok` completion; throws on error. */
  invoke(op: ClientOp): Promise<Json>;
  /** Fields the last operation adds to its completion line (a cache hit, database time ...). */
  lastFields?(): Record<string, Json>;
  close(): Promise<void>;
}

/** What one worker does next, given what it has seen. */
export interface OpSource {
  next(): ClientOp;
  /** The completion of an operation this source produced, when it was `ok`. */
  observe(op: ClientOp, result: Json): void;
}

/** The checkers that judge a workload's history, options checked, in the table's order. */
export type CheckerSpecs = readonly PlannedCheck[];

/** A workload: client operations, a generator per worker, the final operations and checkers. */
export interface Workload {
  readonly name: string;
  /** The preset file it came from, for test.json. */
  readonly source: string;
  readonly keys: readonly string[];
  readonly checkers: CheckerSpecs;
  /** Everything the preset said, after defaults and overrides: recorded in test.json. */
  readonly definition: Json;
  openClient(db: Db, index: number, timeoutMs: number): Promise<WorkloadClient>;
  /** The operation source of worker `worker` of `workers`, drawing from its own stream. */
  generator(worker: number, workers: number, random: Random): OpSource;
  /** Operations run once after healing and recovery (e.g. a read of every key). */
  finalOps(): ClientOp[];
  /** The cluster this workload brings itself (cache-aside: caches and a database), instead of --store's. */
  readonly store?: Store;
  /** What the store must be able to do (checked before any container starts). */
  readonly needs?: readonly Ability[];
  /** Checks the workload's settings against the run's (before any container starts). */
  validate?(run: { store: string; topology: string; timeoutMs: number }): void;
  /** Seconds at the start without faults, marked in the history (the cache warms up). */
  readonly warmUpS?: number;
}

/**
 * Thrown by a workload client when the operation reached the store and definitely had no effect
 * (a cas whose precondition did not hold): the operation ends as `fail` with `reason`.
 */
export class DefiniteFailure extends Error {
  override name = 'DefiniteFailure';
  constructor(readonly reason: string) {
    super(reason);
  }
}
