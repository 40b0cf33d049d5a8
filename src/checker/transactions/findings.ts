import type { Json } from '../../history/types.js';
import type { AnomalyClass, AnomalyExample, Txn, TxnView } from './types.js';

/** Counts anomalies per class and keeps the first example of each (built only when needed). */
export class Findings {
  readonly counts: Partial<Record<AnomalyClass, number>> = {};
  readonly examples: Partial<Record<AnomalyClass, AnomalyExample>> = {};

  add(anomaly: AnomalyClass, example: () => AnomalyExample): void {
    const count = this.counts[anomaly] ?? 0;
    this.counts[anomaly] = count + 1;
    if (count === 0) this.examples[anomaly] = example();
  }
}

/** A transaction as results show it: its operation index, process, outcome and steps. */
export function view(txn: Txn): TxnView {
  return {
    index: txn.index,
    process: txn.process,
    outcome: txn.outcome,
    ops: txn.ops.map((m): [string, Json, Json] => [m.f, m.key, m.value]),
  };
}

/** A list for a sentence: `[1, 2]`, or `[]` for the empty list. */
export function listText(values: readonly Json[]): string {
  return values.length > 8
    ? `[${values.slice(0, 3).join(', ')}, ... ${values.length - 4} more ..., ${values.at(-1)}]`
    : `[${values.join(', ')}]`;
}
