import type { History, Operation } from './types.js';

/**
 * Jepsen's operation names where they differ from dscheck's, in one place. Jepsen's `set` and
 * `set-full` workloads `:add` elements and `:read` the whole set; `set` reads once at the end,
 * `set-full` throughout. dscheck calls that read `read-all` and marks the read after healing
 * `final: true`: here the last successful read of each set is taken as its final read. Histories
 * without adds (registers, mutexes) are returned as they are. Pure.
 */
export function fromJepsen(history: History): History {
  if (!history.operations.some((op) => op.f === 'add')) return history;
  const lastRead = new Map<string | null, number>();
  for (const op of history.operations) {
    if (isSetRead(op) && op.outcome === 'ok') lastRead.set(op.key, op.index);
  }
  const finals = new Set(lastRead.values());
  const operations = history.operations.map((op): Operation => {
    if (!isSetRead(op)) return op;
    const final = finals.has(op.index) ? { final: true } : {};
    return { ...op, f: 'read-all', extra: { ...op.extra, ...final } };
  });
  return { ...history, operations };
}

/** A Jepsen set read: `read` whose result, if any, is the whole set. */
function isSetRead(op: Operation): boolean {
  return op.f === 'read' && (op.output === undefined || op.output === null || Array.isArray(op.output));
}
