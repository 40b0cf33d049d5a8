/**
 * The dscheck history format (v1), as ../shared/HISTORY.md defines it.
 * One event per line; an invocation and its completion form an operation.
 */

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';
export const EVENT_TYPES: readonly EventType[] = ['invoke', 'ok', 'fail', 'info'];

/** A logical client id, or the nemesis. */
export type ProcessId = number | 'nemesis';

/** Any JSON value a history may carry. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface HistoryEvent {
  process: ProcessId;
  type: EventType;
  f: string;
  /** The object the operation touches; absent or null means the single default object. */
  key?: string | null;
  value: Json;
  /** Nanoseconds since the run started (monotonic), or the event's index for imports. */
  time: number;
  node?: string;
  error?: string;
  id?: number;
  /** A workload's own fields are kept as they are. */
  [extra: string]: unknown;
}

/** How an operation ended. `pending` covers `info` and an invocation never completed. */
export type Outcome = 'ok' | 'fail' | 'info';

/** An invocation paired with its completion. */
export interface Operation {
  /** Position of the operation in the history, in invocation order (0-based). */
  index: number;
  process: number;
  f: string;
  key: string | null;
  /** The argument given at invocation. */
  input: Json;
  /** The result on `ok`; undefined when the operation failed or is pending. */
  output?: Json;
  outcome: Outcome;
  /** True when the operation never completed (an `info`, or no completion at all). */
  pending: boolean;
  call: number;
  /** Line of the invocation in the file it was read from, for messages. */
  line?: number;
  /** Completion time; Infinity while pending (it may take effect at any later time). */
  ret: number;
  /** Time of the `info`/completion line, kept for display even when the op is pending. */
  completedAt?: number;
  node?: string;
  error?: string;
  /** A workload's own fields from the completion (or invocation) line. */
  extra?: Record<string, unknown>;
}

/** Something the nemesis did: start or stop a fault. */
export interface NemesisEvent {
  f: string;
  value: Json;
  time: number;
  type: EventType;
}

/** A problem found while reading a history that did not stop the read. */
export interface HistoryWarning {
  file: string;
  line: number;
  message: string;
}

export interface History {
  file: string;
  operations: Operation[];
  nemesis: NemesisEvent[];
  warnings: HistoryWarning[];
  /** Number of events read. */
  events: number;
  /**
   * Where operations' keys came from: NDJSON's "key" field; none (EDN values taken whole); or
   * Jepsen's [key value] tuples, split on request (--independent).
   */
  keys?: KeySource;
}

/** Everything of a history but its operations: what a streaming pass over it keeps. */
export type HistoryShape = Omit<History, 'operations'> & {
  /** Client operations read. */
  operations: number;
  /** The distinct operation names (`f`) of client operations. */
  fs: string[];
};

export const KEY_SOURCES = ['key-field', 'whole-values', 'tuples'] as const;
export type KeySource = (typeof KEY_SOURCES)[number];

/** Bad input: a message naming the file, line and problem. Exit code 254. */
export class HistoryError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'HistoryError';
  }
}
