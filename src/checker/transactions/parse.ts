import { UsageError } from '../../errors.js';
import type { Json, Operation } from '../../history/types.js';
import type { Atom, MicroOp, Txn } from './types.js';

/** Bad input in a transaction: names the operation so the caller can point at its line. */
export class TxnInputError extends UsageError {
  constructor(
    readonly operation: number,
    readonly problem: string,
  ) {
    super(`operation ${operation}: ${problem}`);
  }
}

const isAtom = (v: Json | undefined): v is Atom => typeof v === 'string' || typeof v === 'number';

/**
 * The history's `f: "txn"` operations as transactions. A committed one carries its completion's
 * value (reads filled in); a failed or pending one its invocation's (reads unknown).
 */
export function toTransactions(operations: readonly Operation[]): Txn[] {
  const txns: Txn[] = [];
  for (const op of operations) {
    if (op.f !== 'txn') continue;
    const value = op.outcome === 'ok' && Array.isArray(op.output) ? op.output : op.input;
    txns.push({
      id: txns.length,
      index: op.index,
      process: op.process,
      outcome: op.outcome,
      call: op.call,
      ret: op.ret,
      ops: microOps(op.index, value, op.outcome === 'ok'),
      final: op.extra?.final === true,
    });
  }
  return txns;
}

function microOps(index: number, value: Json | undefined, committed: boolean): MicroOp[] {
  if (!Array.isArray(value)) {
    throw new TxnInputError(
      index,
      `a txn's value must be a list of micro-operations, got ${JSON.stringify(value)}`,
    );
  }
  return value.map((m) => microOp(index, m, committed));
}

function microOp(index: number, m: Json, committed: boolean): MicroOp {
  if (!Array.isArray(m) || m.length !== 3) {
    throw new TxnInputError(index, `a micro-operation must be [f, key, value], got ${JSON.stringify(m)}`);
  }
  const [f, key, value] = m;
  if (!isAtom(key))
    throw new TxnInputError(index, `a key must be a number or string, got ${JSON.stringify(key)}`);
  if (f === 'append') {
    if (!isAtom(value)) {
      throw new TxnInputError(
        index,
        `an appended value must be a number or string, got ${JSON.stringify(value)}`,
      );
    }
    return { f, key, value };
  }
  if (f === 'r') {
    // A committed read of a key that does not exist yet returns null (Jepsen's nil): the empty list.
    if (value === null) return { f, key, value: committed ? [] : null };
    if (Array.isArray(value) && value.every(isAtom)) return { f, key, value: value as Atom[] };
    if (!committed) return { f, key, value: null };
    throw new TxnInputError(
      index,
      `a read of key ${JSON.stringify(key)} returned ${JSON.stringify(value)}; expected a list or null`,
    );
  }
  throw new TxnInputError(index, `unknown micro-operation ${JSON.stringify(f)}; valid: append, r`);
}
