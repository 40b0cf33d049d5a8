import type { Json, Outcome } from '../../history/types.js';
import type { CheckerResult, Validity } from '../types.js';

/** A key or an appended element: what list-append histories use (numbers, or strings from EDN). */
export type Atom = string | number;

/** One step of a transaction: append `value` to `key`'s list, or read the list (`value` is what it returned). */
export type MicroOp = { f: 'append'; key: Atom; value: Atom } | { f: 'r'; key: Atom; value: Atom[] | null };

/** A transaction: one `f: "txn"` operation of the history. */
export interface Txn {
  /** Dense number used by the graph (0..n-1). */
  id: number;
  /** The operation's index in the history, which names it in results and error messages. */
  index: number;
  process: number;
  outcome: Outcome;
  call: number;
  /** Completion time; Infinity while pending. */
  ret: number;
  /** The steps, with reads filled in when the transaction committed (`ok`). */
  ops: MicroOp[];
  /** True for the reads after healing that say what survived (`final: true` on the event). */
  final: boolean;
}

/** Dependency kinds, as bits so that one edge between two transactions can carry several. */
export const EDGE = { ww: 1, wr: 2, rw: 4, process: 8, realtime: 16 } as const;
export type EdgeKind = keyof typeof EDGE;
export const EDGE_KINDS = Object.keys(EDGE) as EdgeKind[];

/** The anomaly classes, with Elle's names. */
export const CYCLE_ANOMALIES = [
  'G0',
  'G1c',
  'G-single',
  'G2-item',
  'G0-process',
  'G1c-process',
  'G-single-process',
  'G2-item-process',
  'G0-realtime',
  'G1c-realtime',
  'G-single-realtime',
  'G2-item-realtime',
] as const;
export const OTHER_ANOMALIES = [
  'G1a',
  'G1b',
  'lost-update',
  'duplicate-elements',
  'internal',
  'future-read',
  'incompatible-order',
  'garbage',
  'lost',
] as const;
export type CycleAnomaly = (typeof CYCLE_ANOMALIES)[number];
export type AnomalyClass = CycleAnomaly | (typeof OTHER_ANOMALIES)[number];

/** A transaction as examples show it: the history's operation index names it. */
export interface TxnView {
  index: number;
  process: number;
  outcome: Outcome;
  ops: [string, Json, Json][];
}

/** One edge of a cycle and why it holds. */
export interface CycleStep {
  /** Operation indexes of the two transactions. */
  from: number;
  to: number;
  kind: EdgeKind;
  /** The key and values that justify a data edge: for ww, `value` was appended right before `next`;
   * for wr, `to` read `value` as the last element; for rw, `from` read up to `value` (null: the
   * empty list) and `to` appended `next`, the version right after. */
  key?: Atom;
  value?: Atom | null;
  next?: Atom;
}

/** One witness of an anomaly: the transactions involved, and for cycles the steps around it. */
export interface AnomalyExample {
  txns: TxnView[];
  steps?: CycleStep[];
  key?: Atom;
  /** For non-cycle anomalies: what was expected and what was seen, in words. */
  explanation: string;
}

export interface TransactionsResult extends CheckerResult {
  valid: Validity;
  anomalies: Partial<Record<AnomalyClass, number>>;
  examples: Partial<Record<AnomalyClass, AnomalyExample>>;
  /** Consistency models the anomalies rule out, weakest first (Elle's names). */
  notOk: string[];
  stats: {
    txns: number;
    ok: number;
    fail: number;
    info: number;
    keys: number;
    /** Dependency edges between distinct transactions (pairs, several kinds counted once). */
    edges: number;
    /** Strongly connected components with more than one transaction (all edge kinds). */
    cyclicComponents: number;
    /** Appends of pending (info) transactions that reads show did happen. */
    recovered: number;
    ms: number;
  };
}
