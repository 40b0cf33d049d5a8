import { UsageError } from '../errors.js';
import type { Random } from '../generator/random.js';

/**
 * Clock faults, the pure half: which node's clock is off by how much, and when it changes.
 *
 * Containers share the host's clock, so a node's clock is skewed inside its server process only:
 * Debian's libfaketime is preloaded into the server (LD_PRELOAD=FAKETIME_LIBRARY) and reads its
 * offset from a file (FAKETIME_TIMESTAMP_FILE) that the nemesis rewrites; FAKETIME_NO_CACHE=1
 * makes every clock read look at the file again, so a change takes effect at once. What to
 * write there is `faketimeOffset`. The JVM also needs FAKETIME_DONT_FAKE_MONOTONIC=1 (its
 * timers run on the monotonic clock; faking that stalls them).
 *
 * Kinds, after Jepsen's clock nemesis:
 * - bump: one node (drawn from the seed) jumps by +skew or -skew (sign drawn) for the fault window;
 * - scatter: every node gets its own offset drawn from [-skew, +skew];
 * - strobe: one node flips between +skew and -skew every `strobeMs` for the window: time goes
 *   back and forth, as with a broken NTP daemon stepping the clock.
 * The window ends with every offset back at 0.
 */

export const FAKETIME_LIBRARY = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
export const FAKETIME_FILE = '/var/lib/dscheck/faketime';

/** Environment of a server process whose clock the nemesis may skew. */
export function faketimeEnvironment(jvm: boolean): Record<string, string> {
  return {
    LD_PRELOAD: FAKETIME_LIBRARY,
    FAKETIME_TIMESTAMP_FILE: FAKETIME_FILE,
    FAKETIME_NO_CACHE: '1',
    ...(jvm ? { FAKETIME_DONT_FAKE_MONOTONIC: '1' } : {}),
  };
}

/** libfaketime's relative offset in seconds: "+1.500", "-5.000", "+0.000". */
export function faketimeOffset(offsetMs: number): string {
  const seconds = (Math.abs(offsetMs) / 1000).toFixed(3);
  return `${offsetMs < 0 ? '-' : '+'}${seconds}`;
}

export const CLOCK_KINDS = ['bump', 'scatter', 'strobe'] as const;
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
    const sign = random.chance(0.5) ? 1 : -1;
    if (kind === 'bump') steps.push({ atMs: fromMs, node, offsetMs: sign * skewMs });
    else {
      const period = options.strobeMs ?? 1000;
      for (let at = fromMs, flip = 0; at < toMs; at += period, flip++)
        steps.push({ atMs: at, node, offsetMs: (flip % 2 === 0 ? sign : -sign) * skewMs });
    }
  }
  const touched = [...new Set(steps.map((s) => s.node))];
  return [...steps, ...touched.map((node) => ({ atMs: toMs, node, offsetMs: 0 }))];
}
