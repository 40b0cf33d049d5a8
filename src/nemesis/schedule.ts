import type { Random } from '../generator/random.js';

export const NEMESIS_KINDS = [
  'partition',
  'kill',
  'pause',
  'loss',
  'clock',
  'crash-all',
  'failover',
  'restart-cache',
  'flush-cache',
  'reshard',
] as const;
export type NemesisKind = (typeof NEMESIS_KINDS)[number];
/**
 * Kinds that react to the other faults for the whole run (an operator's failover tool) instead
 * of taking faulty periods of their own.
 */
export const MONITOR_KINDS: readonly NemesisKind[] = ['failover'];

/** One planned action of the nemesis: start or stop a fault `atMs` after the run started. */
export interface NemesisStep {
  atMs: number;
  action: 'start' | 'stop';
  kind: NemesisKind;
  /** Which faulty period (0-based) the step belongs to. */
  period: number;
}

export interface ScheduleOptions {
  kinds: readonly NemesisKind[];
  /** Length of each healthy and each faulty period. */
  intervalMs: number;
  timeLimitMs: number;
  random: Random;
  /** A first stretch with no fault at all (a cache warming up), before the first healthy period. */
  warmUpMs?: number;
}

/**
 * Healthy and faulty periods of `intervalMs` alternate, healthy first so the cluster's normal
 * behaviour is on record before anything breaks. Each faulty period applies one kind; the kinds
 * take turns in an order drawn from the seed, so every selected kind gets its share and one
 * fault's effects are not confused with another's. Steps at or past the time limit are left out:
 * the run's final phase heals whatever is still active.
 */
export function planSchedule(options: ScheduleOptions): NemesisStep[] {
  const { intervalMs, timeLimitMs, random } = options;
  const warmUpMs = options.warmUpMs ?? 0;
  const kinds = options.kinds.filter((kind) => !MONITOR_KINDS.includes(kind));
  if (kinds.length === 0 || !(intervalMs > 0)) return [];
  const order = random.shuffle(kinds);
  const steps: NemesisStep[] = [];
  for (let period = 0; ; period++) {
    const startAt = warmUpMs + (2 * period + 1) * intervalMs;
    if (startAt >= timeLimitMs) break;
    const kind = order[period % order.length];
    steps.push({ atMs: startAt, action: 'start', kind, period });
    const stopAt = startAt + intervalMs;
    if (stopAt < timeLimitMs) steps.push({ atMs: stopAt, action: 'stop', kind, period });
  }
  return steps;
}

/** Parses `--nemesis`: a comma-separated list of kinds, or `none`; names it does not know come back in `unknown`. */
export function parseNemesisKinds(text: string): { kinds: NemesisKind[]; unknown: string[] } {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 1 && names[0] === 'none') return { kinds: [], unknown: [] };
  const kinds: NemesisKind[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    if ((NEMESIS_KINDS as readonly string[]).includes(name)) {
      if (!kinds.includes(name as NemesisKind)) kinds.push(name as NemesisKind);
    } else unknown.push(name);
  }
  if (names.length === 0) unknown.push('');
  return { kinds, unknown };
}
