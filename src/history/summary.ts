import type { Operation } from './types.js';

/**
 * What the checkers ask of a whole history to decide whether they judge it: the operation names
 * and the types of a workload's own fields. Each checker used to ask with its own pass over the
 * operations (eight passes, a quarter of a second on a million operations); this is one pass,
 * remembered per operations array.
 */
export interface OperationsSummary {
  /** The distinct operation names (`f`). */
  readonly names: ReadonlySet<string>;
  /** For each of a workload's own fields (`extra`), the `typeof` of the values it holds. */
  readonly extraTypes: ReadonlyMap<string, ReadonlySet<string>>;
}

type Summarized = Pick<Operation, 'f' | 'extra'>;

/**
 * Remembered by array; an array that has grown since is summarized again. Operations are not
 * changed in place once read, so the length tells whether the summary still holds.
 */
const remembered = new WeakMap<readonly Summarized[], { length: number; summary: OperationsSummary }>();

export function summarize(operations: readonly Summarized[]): OperationsSummary {
  const known = remembered.get(operations);
  if (known && known.length === operations.length) return known.summary;
  const names = new Set<string>();
  const extraTypes = new Map<string, Set<string>>();
  let last: string | undefined;
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i];
    if (op.f !== last) {
      names.add(op.f);
      last = op.f;
    }
    const extra = op.extra;
    if (extra === undefined) continue;
    for (const name in extra) {
      const value = extra[name];
      if (value === undefined) continue;
      let types = extraTypes.get(name);
      if (!types) {
        types = new Set();
        extraTypes.set(name, types);
      }
      types.add(typeof value);
    }
  }
  const summary: OperationsSummary = { names, extraTypes };
  remembered.set(operations, { length: operations.length, summary });
  return summary;
}

/** Whether some operation names `f`. */
export function hasOperation(operations: readonly Summarized[], ...fs: string[]): boolean {
  const { names } = summarize(operations);
  return fs.some((f) => names.has(f));
}
