import { faultWindows } from '../checker/perf.js';
import type { Json, NemesisEvent } from '../history/types.js';
import { faultEdge } from '../nemesis/events.js';
import { shortJson } from './escape.js';

/** A fault as the report draws it: a shaded, labelled span on every time axis. */
export interface FaultSpan {
  kind: string;
  /** What the fault did, in a few words: the partition's sides, the node killed ... */
  label: string;
  /** History time (ns, or event index for imported histories). */
  start: number;
  end: number;
  /** True when no stop was recorded: the fault lasted to the end of the history. */
  open: boolean;
}

/**
 * Fault windows from the nemesis's events: start-X/stop-X, kill/restart and pause/resume pairs,
 * as the perf checker pairs them (so the plots and the availability numbers agree). A fault
 * never stopped is drawn up to `historyEnd`.
 */
export function faultSpans(events: readonly NemesisEvent[], historyEnd: number): FaultSpan[] {
  const startValues = new Map<string, Json[]>();
  for (const event of [...events].sort((a, b) => a.time - b.time)) {
    const edge = faultEdge(event.f);
    if (edge?.edge !== 'start') continue;
    const key = `${edge.kind}@${event.time}`;
    startValues.set(key, [...(startValues.get(key) ?? []), event.value]);
  }
  return faultWindows(events).map((w) => {
    const open = !Number.isFinite(w.end);
    const values = startValues.get(`${w.kind}@${w.start}`) ?? [];
    const detail = values.length > 0 ? describeFaultValue(values[0]) : '';
    const kind = w.kind === '' ? 'fault' : w.kind;
    return {
      kind,
      label: detail ? `${kind}: ${detail}` : kind,
      start: w.start,
      end: open ? Math.max(historyEnd, w.start) : w.end,
      open,
    };
  });
}

/**
 * A nemesis value in a few words. A grudge (node -> nodes it drops) becomes its sides, e.g.
 * "n1 n2 | n3"; a node or list of nodes is listed; clock offsets read "n1 +5000 ms" ("clients of n1 -5000 ms" where the clients' clocks are skewed); anything
 * else is shown as short JSON.
 */
export function describeFaultValue(value: Json): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(' ');
  if (typeof value === 'object' && !Array.isArray(value)) {
    const offsets = clockOffsets(value.offsets, value.clock === 'clients' ? 'clients of ' : '');
    if (offsets) return `${offsets}${Array.isArray(value.flips) ? ', flipping sign' : ''}`;
    const entries = Object.entries(value);
    if (entries.length > 0 && entries.every(([, v]) => Array.isArray(v))) return grudgeSides(entries);
  }
  return shortJson(value, 40);
}

/** A clock fault's offsets by node, e.g. "n1 +5000 ms"; undefined for anything else. */
function clockOffsets(offsets: Json | undefined, prefix: string): string | undefined {
  if (offsets === null || typeof offsets !== 'object' || Array.isArray(offsets)) return undefined;
  const entries = Object.entries(offsets);
  if (entries.length === 0 || !entries.every(([, ms]) => typeof ms === 'number')) return undefined;
  return entries.map(([node, ms]) => `${prefix}${node} ${(ms as number) > 0 ? '+' : ''}${ms} ms`).join(', ');
}

function grudgeSides(entries: [string, Json][]): string {
  // Nodes that drop exactly the same peers are on the same side of the partition.
  const sides = new Map<string, string[]>();
  for (const [node, dropped] of entries) {
    const signature = (dropped as Json[]).map(String).sort().join(',');
    sides.set(signature, [...(sides.get(signature) ?? []), node]);
  }
  const groups = [...sides.values()].map((nodes) => nodes.sort().join(' '));
  return groups.sort().join(' | ');
}
