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
  const tally = new SummaryTally();
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i];
    tally.name(op.f);
    if (op.extra !== undefined) tally.extra(op.extra);
  }
  const summary = tally.summary();
  remember(operations, summary);
  return summary;
}

/** Records the summary of `operations` made while reading them, saving `summarize` its pass. */
export function remember(operations: readonly Summarized[], summary: OperationsSummary): void {
  remembered.set(operations, { length: operations.length, summary });
}

/** A summary built operation by operation, as the reader or `summarize` meets them. */
export class SummaryTally {
  private readonly names = new Set<string>();
  private readonly extraTypes = new Map<string, Set<string>>();
  private last: string | undefined;

  name(f: string): void {
    if (f === this.last) return;
    this.names.add(f);
    this.last = f;
  }

  /** A workload's own fields of an operation (absent ones are undefined and not counted). */
  extra(fields: Readonly<Record<string, unknown>>): void {
    for (const name in fields) this.field(name, fields[name]);
  }

  /** One of a workload's own fields. */
  field(name: string, value: unknown): void {
    if (value === undefined) return;
    let types = this.extraTypes.get(name);
    if (!types) {
      types = new Set();
      this.extraTypes.set(name, types);
    }
    types.add(typeof value);
  }

  summary(): OperationsSummary {
    return { names: this.names, extraTypes: this.extraTypes };
  }
}

/** Whether some operation names `f`. */
export function hasOperation(operations: readonly Summarized[], ...fs: string[]): boolean {
  const { names } = summarize(operations);
  return fs.some((f) => names.has(f));
}
