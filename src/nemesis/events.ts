import type { NemesisKind } from './schedule.js';

/** The history's `f` names of each fault kind's start and stop, as HISTORY.md lists them. */
export const NEMESIS_FS: Readonly<Record<NemesisKind, { start: string; stop: string }>> = {
  partition: { start: 'start-partition', stop: 'stop-partition' },
  kill: { start: 'kill', stop: 'restart' },
  // Every node at once; the stop is the whole cluster's recovery (Galera: a new bootstrap).
  'crash-all': { start: 'crash-all', stop: 'recover-all' },
  pause: { start: 'pause', stop: 'resume' },
  // Server clocks off by the recorded offsets (ms, by node) until the stop sets them back to 0.
  clock: { start: 'start-clock', stop: 'stop-clock' },
  loss: { start: 'start-loss', stop: 'stop-loss' },
  // From a promotion to the old primary's return: the window in which two nodes may take writes.
  failover: { start: 'failover', stop: 'rejoin' },
  // Cache faults act at their start (nodes come back empty, the map changes); the window is the cold spell.
  'restart-cache': { start: 'restart-cache', stop: 'restart-cache-end' },
  'flush-cache': { start: 'flush-cache', stop: 'flush-cache-end' },
  reshard: { start: 'reshard', stop: 'reshard-back' },
};

/**
 * Whether a nemesis event opens or closes a fault, and of which kind. Known names come from the
 * table; others (imported Jepsen histories say `start`/`stop`, or `start-clock` ...) by prefix.
 */
export function faultEdge(f: string): { kind: string; edge: 'start' | 'stop' } | null {
  for (const [kind, names] of Object.entries(NEMESIS_FS)) {
    if (f === names.start) return { kind, edge: 'start' };
    if (f === names.stop) return { kind, edge: 'stop' };
  }
  const match = /^(start|stop)(?:-(.+))?$/.exec(f);
  if (match) return { kind: match[2] ?? '', edge: match[1] as 'start' | 'stop' };
  return null;
}
