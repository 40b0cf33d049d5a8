import { UsageError } from '../errors.js';
import type { Random } from '../generator/random.js';
import type { Json } from '../history/types.js';
import { hasClock } from '../stores/types.js';
import { NEMESIS_FS } from './events.js';
import { type Fault, type FaultOptions, nodeNames } from './fault.js';

/**
 * Clock faults: which node's clock is off by how much, and when it changes (pure, `planClock`),
 * and the fault that applies it through the store (`clockFault`). The store says where its clock
 * lives and skews it alone (containers share the host's clock): MariaDB, one server process's
 * clock (libfaketime, src/stores/faketime.ts); Cassandra, the clock of the clients bound to a node,
 * which stamp their writes for last-write-wins (src/stores/cassandra/clock.ts). The history's
 * events say which (`clock: server | clients`) and, for clients, which processes.
 *
 * Kinds, after Jepsen's clock nemesis:
 * - bump: one node (drawn from the seed) jumps by +skew or -skew (sign drawn) for the fault window;
 * - behind, ahead: as bump, with the sign chosen: the node's clock runs skew behind (or ahead);
 * - scatter: every node gets its own offset drawn from [-skew, +skew];
 * - strobe: one node flips between +skew and -skew every `strobeMs` for the window: time goes
 *   back and forth, as with a broken NTP daemon stepping the clock.
 * The window ends with every offset back at 0. Each change is a jump: a jump forward ends
 * leases early, a jump back makes timestamps go backwards.
 */

export const CLOCK_KINDS = ['bump', 'behind', 'ahead', 'scatter', 'strobe'] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];

export interface ClockPlanOptions {
  kind: ClockKind;
  nodes: readonly string[];
  /** Largest offset, in ms (`--clock-skew-ms`). */
  skewMs: number;
  /** The fault window, ms after the run started. */
  fromMs: number;
  toMs: number;
  /** How often a strobe flips (default 1000 ms). */
  strobeMs?: number;
  random: Random;
}

/** Set `node`'s clock offset at `atMs`; recorded in the history as the nemesis's value. */
export interface ClockStep {
  atMs: number;
  node: string;
  offsetMs: number;
}

/** Validates the options as a user gave them: a UsageError names the problem and the valid choices. */
export function checkClockOptions(
  options: Pick<ClockPlanOptions, 'kind' | 'skewMs' | 'strobeMs' | 'nodes'>,
): void {
  if (!CLOCK_KINDS.includes(options.kind))
    throw new UsageError(`unknown clock fault '${options.kind}'; valid: ${CLOCK_KINDS.join(', ')}`);
  if (!Number.isInteger(options.skewMs) || options.skewMs <= 0)
    throw new UsageError(`--clock-skew-ms must be a positive whole number of ms, not ${options.skewMs}`);
  if (options.strobeMs !== undefined && !(Number.isInteger(options.strobeMs) && options.strobeMs > 0))
    throw new UsageError(`the strobe period must be a positive whole number of ms, not ${options.strobeMs}`);
  if (options.nodes.length === 0) throw new UsageError('a clock fault needs at least one node');
}

/** The offsets to set during one fault window, in time order, ending with every touched node at 0. */
export function planClock(options: ClockPlanOptions): ClockStep[] {
  checkClockOptions(options);
  const { kind, nodes, skewMs, fromMs, toMs, random } = options;
  const steps: ClockStep[] = [];
  if (kind === 'scatter') {
    for (const node of nodes) steps.push({ atMs: fromMs, node, offsetMs: random.int(-skewMs, skewMs) });
  } else {
    const node = random.pick(nodes);
    const sign = kind === 'behind' ? -1 : kind === 'ahead' ? 1 : random.chance(0.5) ? 1 : -1;
    if (kind !== 'strobe') steps.push({ atMs: fromMs, node, offsetMs: sign * skewMs });
    else {
      const period = options.strobeMs ?? 1000;
      for (let at = fromMs, flip = 0; at < toMs; at += period, flip++)
        steps.push({ atMs: at, node, offsetMs: (flip % 2 === 0 ? sign : -sign) * skewMs });
    }
  }
  const touched = [...new Set(steps.map((s) => s.node))];
  return [...steps, ...touched.map((node) => ({ atMs: toMs, node, offsetMs: 0 }))];
}

/** What `--clock` and `--clock-skew-ms` set, and how long each faulty period lasts. */
export interface ClockSettings {
  kind: ClockKind;
  skewMs: number;
  windowMs: number;
}

const offsetsOf = (steps: readonly ClockStep[]): Record<string, number> =>
  Object.fromEntries(steps.map((s) => [s.node, s.offsetMs]));

/**
 * Skews the store's clocks for one faulty period, as `planClock` says: the offsets at the window's
 * start are set at once, a strobe's later flips by timers; `stop` sets every touched node back to
 * 0. The history's events record where the clocks live, the offsets (ms) by node, a strobe's
 * planned flips, and with clients' clocks the processes bound to each skewed node.
 */
export function clockFault(options: FaultOptions): Fault {
  const { db } = options;
  if (!hasClock(db)) throw new UsageError(`store ${db.store} has no clock the nemesis can skew`);
  const where = (nodes: readonly string[]): Record<string, Json> =>
    db.clockLives === 'clients' && db.clockProcesses
      ? {
          clock: 'clients',
          processes: Object.fromEntries(nodes.map((node) => [node, db.clockProcesses?.(node) ?? []])),
        }
      : { clock: db.clockLives };
  const settings = options.clock;
  const nodes = nodeNames(db);
  let timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<void>>();
  let touched: string[] = [];
  const set = (node: string, offsetMs: number): Promise<void> => {
    const call = db.setClock(node, offsetMs).finally(() => inFlight.delete(call));
    inFlight.add(call);
    return call;
  };
  return {
    kind: 'clock',
    startF: NEMESIS_FS.clock.start,
    stopF: NEMESIS_FS.clock.stop,
    async start(): Promise<Json> {
      const steps = planClock({
        kind: settings.kind,
        nodes,
        skewMs: settings.skewMs,
        fromMs: 0,
        toMs: settings.windowMs,
        random: options.random,
      }).filter((s) => s.atMs < settings.windowMs);
      touched = [...new Set(steps.map((s) => s.node))];
      const now = steps.filter((s) => s.atMs === 0);
      const later = steps.filter((s) => s.atMs > 0);
      await Promise.all(now.map((s) => set(s.node, s.offsetMs)));
      timers = later.map((s) =>
        setTimeout(() => {
          set(s.node, s.offsetMs).catch((err: Error) =>
            options.log(`clock: could not set ${s.node} to ${s.offsetMs} ms: ${err.message}`),
          );
        }, s.atMs),
      );
      return {
        kind: settings.kind,
        ...where(touched),
        offsets: offsetsOf(now),
        ...(later.length > 0
          ? { flips: later.map((s) => ({ atMs: s.atMs, node: s.node, offsetMs: s.offsetMs })) }
          : {}),
      };
    },
    async stop(): Promise<Json> {
      for (const timer of timers) clearTimeout(timer);
      timers = [];
      await Promise.allSettled([...inFlight]);
      const restored = touched;
      touched = [];
      await Promise.all(restored.map((node) => set(node, 0)));
      return { ...where(restored), offsets: Object.fromEntries(restored.map((node) => [node, 0])) };
    },
  };
}
