import type { History, HistoryShape, Operation } from '../history/types.js';

/** A checker's verdict. Results merge with false > unknown > true. */
export type Validity = true | false | 'unknown';

export interface CheckerResult {
  valid: Validity;
  /** Whatever the checker found; JSON-serialisable, stored in results.json. */
  [detail: string]: unknown;
}

/** What every checker may use besides the history and its own options. */
export interface CheckContext {
  /** How long a searching checker may take before it answers unknown. */
  timeoutMs: number;
  /**
   * Whether a searching checker stops at the first part (key) it finds broken, as Porcupine does:
   * `dscheck check` does unless --all-keys; a run searches every part, for its report.
   */
  firstFailure?: boolean;
}

/** Turns a problem with a checker's options into the caller's error (naming the file or flag). */
export type OptionProblem = (what: string) => Error;

/** A checker's options as a workload preset or `dscheck check`'s flags give them, not yet checked. */
export type RawOptions = Readonly<Record<string, unknown>>;

/** How the comparison page shows a checker's result in its column. */
export interface CompareDigest<Result, Digest> {
  /** The column's header. */
  readonly column: string;
  /** The few numbers the page keeps of the result. */
  digest(result: Result): Digest;
  /** The digest in a table cell, in few words. */
  cell(digest: Digest): string;
}

/**
 * One checker: history -> result, and the words that present the result outside the report
 * section (terminal, report verdict, comparison page). Pure: no I/O. The table of checkers
 * (src/checkers.ts) pairs each with its report section.
 */
export interface Checker<Options, Result extends CheckerResult, Digest = unknown> {
  readonly name: string;
  /** Whether the history's operations are what this checker judges: `dscheck check`'s default set. */
  appliesTo(history: Pick<History, 'operations'>): boolean;
  /** The names its options go by in a preset's mapping and as `dscheck check` flags (without dashes). */
  readonly optionNames: readonly string[];
  /** Options from a workload's `checkers:` entry or `dscheck check`'s flags, defaults filled in. */
  options(raw: RawOptions, problem: OptionProblem): Options;
  check(history: History, options: Options, context: CheckContext): Result | Promise<Result>;
  /**
   * The same check over a history too long to hold in memory: `shape` (a first pass) holds all
   * but the operations, which then come one at a time in completion order. The result must equal
   * `check`'s on the same history.
   */
  stream?(shape: HistoryShape, options: Options, context: CheckContext): StreamCheck<Result>;
  /** The result as results.json keeps it (e.g. shortened); default: as it is. */
  stored?(result: Result): Result;
  /** The finding in plain words for the terminal, one line each. */
  summary(result: Result): string[];
  /** What `dscheck check` prints for one file; default: the file name and the summary lines. */
  checkOutput?(file: string, result: Result, options: Options): string;
  /** The JSON line `dscheck check --json` writes when it is the only checker; default: the whole result. */
  jsonLine?(result: Result): Record<string, unknown>;
  /** Sentences for the report's verdict box ("what the checkers found"). */
  found(result: Result): string[];
  readonly compare?: CompareDigest<Result, Digest>;
}

/** A check fed one operation at a time, then asked for its result. */
export interface StreamCheck<Result> {
  add(op: Operation): void;
  finish(): Result | Promise<Result>;
}

/** Enough of a checker to know its name and its result's type. */
export type Named<Result extends CheckerResult> = Pick<Checker<never, Result, unknown>, 'name' | 'summary'>;

/**
 * A result stored under a checker's name (in results.json, or just computed) is that checker's
 * result: the one place where a stored result takes its checker's type.
 */
export function typedResult<Result extends CheckerResult>(
  _checker: Named<Result>,
  result: CheckerResult,
): Result {
  return result as Result;
}

/** The checker's result among a run's results, typed; undefined when it did not run. */
export function resultOf<Result extends CheckerResult>(
  checker: Named<Result>,
  results: Readonly<Record<string, CheckerResult>> | undefined,
): Result | undefined {
  const result = results?.[checker.name];
  return result === undefined ? undefined : typedResult(checker, result);
}

/**
 * A checker's digest among a comparison run's digests (by checker name), typed: the table made it
 * with this checker's own `compare.digest`.
 */
export function digestOf<Digest>(
  checker: Pick<Checker<never, never, Digest>, 'name' | 'compare'>,
  digests: Readonly<Record<string, unknown>>,
): Digest | undefined {
  return digests[checker.name] as Digest | undefined;
}

export function mergeValidity(results: Iterable<Validity>): Validity {
  let merged: Validity = true;
  for (const v of results) {
    if (v === false) return false;
    if (v === 'unknown') merged = 'unknown';
  }
  return merged;
}

/** An object without arrays: the shape of every options mapping. */
export function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A UsageError-like problem for options a checker does not know. */
export function rejectUnknownOptions(
  checker: string,
  raw: RawOptions,
  known: readonly string[],
  problem: OptionProblem,
): void {
  for (const name of Object.keys(raw)) {
    if (!known.includes(name)) {
      throw problem(
        `unknown option '${name}' of checker ${checker}; valid options: ${known.length > 0 ? known.join(', ') : 'none'}`,
      );
    }
  }
}
