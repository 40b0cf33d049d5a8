import type { Json, Operation, Outcome } from '../../history/types.js';

/** A transaction for tests and benchmarks: its steps as the completion reports them. */
export interface TxnSpec {
  process: number;
  outcome?: Outcome;
  ops: Json[];
  /** Invocation and completion times; by default each transaction runs alone, one after another. */
  call?: number;
  ret?: number;
  final?: boolean;
}

/** Operations as the history reader would pair them: invocations carry null reads. */
export function txnOperations(specs: readonly TxnSpec[]): Operation[] {
  return specs.map((s, index) => {
    const outcome = s.outcome ?? 'ok';
    const call = s.call ?? 2 * index;
    const op: Operation = {
      index,
      process: s.process,
      f: 'txn',
      key: null,
      input: s.ops.map((m) => (Array.isArray(m) && m[0] === 'r' ? [m[0], m[1], null] : m)),
      outcome,
      pending: outcome === 'info',
      call,
      ret: outcome === 'info' ? Number.POSITIVE_INFINITY : (s.ret ?? call + 1),
    };
    if (outcome === 'ok') op.output = s.ops;
    if (s.final) op.extra = { final: true };
    return op;
  });
}
