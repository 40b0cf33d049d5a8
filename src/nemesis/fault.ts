import { UsageError } from '../errors.js';
import type { Random } from '../generator/random.js';
import type { Json } from '../history/types.js';
import { type CacheTier, type Db, hasCacheTier } from '../stores/types.js';
import type { ClockSettings } from './clock.js';
import { NEMESIS_FS } from './events.js';
import type { PartitionShape } from './grudge.js';
import type { NemesisKind } from './schedule.js';

/**
 * One kind of fault. `start` breaks something and `stop` repairs it; each returns what it did,
 * which becomes the `value` of the nemesis event in the history. The history's `f` names are
 * fixed per kind (`start-partition`/`stop-partition`, `kill`/`restart` ...).
 */
export interface Fault {
  readonly kind: NemesisKind;
  readonly startF: string;
  readonly stopF: string;
  start(): Promise<Json>;
  /** Repairs what `start` did; called only while the fault is active. */
  stop(): Promise<Json>;
}

export interface FaultOptions {
  db: Db;
  /** The fault's own seeded stream: the same seed picks the same shapes and targets. */
  random: Random;
  partition: PartitionShape;
  /** Share of packets to drop, 0..1. */
  loss: number;
  /** The clock nemesis's kind, largest offset and window. */
  clock: ClockSettings;
  log: (message: string) => void;
}

export function nodeNames(db: Db): string[] {
  return db.nodes.map((node) => node.name);
}

/** A seeded minority (at least one node) to kill or pause, so a majority keeps serving. */
export function pickMinority(nodes: readonly string[], random: Random): string[] {
  const most = Math.max(1, Math.floor((nodes.length - 1) / 2));
  const count = random.int(1, most);
  return random.shuffle(nodes).slice(0, count).sort();
}

/**
 * A fault that acts on a seeded minority of nodes, one node at a time in parallel: `act` breaks a
 * node, `repair` brings it back. Kill and pause are this shape.
 */
export function minorityFault(
  kind: 'kill' | 'pause',
  options: FaultOptions,
  act: (node: string) => Promise<void>,
  repair: (node: string) => Promise<void>,
): Fault {
  const nodes = nodeNames(options.db);
  let affected: string[] = [];
  return {
    kind,
    startF: NEMESIS_FS[kind].start,
    stopF: NEMESIS_FS[kind].stop,
    async start() {
      affected = pickMinority(nodes, options.random);
      await Promise.all(affected.map(act));
      return affected;
    },
    async stop() {
      const repaired = affected;
      await Promise.all(repaired.map(repair));
      affected = [];
      return repaired;
    },
  };
}

/** The cluster's cache tier, for the cache faults; a cluster without one is a UsageError. */
export function cacheTierOf(db: Db, kind: NemesisKind): Db & CacheTier {
  if (!hasCacheTier(db)) {
    throw new UsageError(
      `--nemesis ${kind} needs a cache tier: use --workload cache-aside (store ${db.store} has none)`,
    );
  }
  return db;
}
