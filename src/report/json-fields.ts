import type { CheckerResult, Validity } from '../checker/types.js';
import { UsageError } from '../errors.js';
import type { EarlyStop } from '../run/disk.js';

/** Typed reads of fields from parsed JSON (test.json, results.json): undefined when absent or of another type. */

export function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A results.json as the report and the comparison read it: the fields they rely on, typed. */
export interface StoredResults {
  valid: Validity;
  checkers: Record<string, CheckerResult>;
  interrupted: boolean;
  nemesisErrors: string[];
  stats?: Record<string, unknown>;
  /** Set while the run was going: what the checkpoint covered (see src/run/checkpoint.ts). */
  checkpoint?: Checkpoint;
  /** Set when the clients stopped before the time limit: the disk was nearly full (src/run/disk.ts). */
  stoppedEarly?: EarlyStop;
}

/** A verdict on the prefix of a run recorded so far. */
export interface Checkpoint {
  /** Seconds of the run the checked history covers. */
  atS: number;
  operations: number;
}

/**
 * Reads a parsed results.json, refusing (UsageError naming `file`) the fields of a wrong type that
 * the pages would trip over, instead of failing deep inside them. Absent optional fields are fine.
 */
export function storedResults(file: string, parsed: Record<string, unknown>): StoredResults {
  const wrong = (what: string) =>
    new UsageError(`${file}: ${what} (was it edited? \`dscheck check\` on the history checks it again)`);
  const valid = parsed.valid === undefined ? 'unknown' : validity(parsed.valid);
  if (valid === undefined)
    throw wrong(`valid must be true, false or "unknown", not ${JSON.stringify(parsed.valid)}`);
  const checkers: Record<string, CheckerResult> = {};
  const rawCheckers = parsed.checkers ?? {};
  if (record(rawCheckers) === undefined) throw wrong('checkers must be a mapping of checker results');
  for (const [name, raw] of Object.entries(rawCheckers)) {
    const result = record(raw);
    const resultValid = validity(result?.valid);
    if (result === undefined || resultValid === undefined) {
      throw wrong(`checkers.${name} must be a checker result with valid: true, false or "unknown"`);
    }
    checkers[name] = { ...result, valid: resultValid };
  }
  const errors = parsed.nemesisErrors ?? [];
  if (!Array.isArray(errors) || !errors.every((e) => typeof e === 'string')) {
    throw wrong('nemesisErrors must be a list of strings');
  }
  if (parsed.stats !== undefined && record(parsed.stats) === undefined)
    throw wrong('stats must be a mapping');
  return {
    valid,
    checkers,
    interrupted: parsed.interrupted === true,
    nemesisErrors: errors,
    stats: record(parsed.stats),
    checkpoint: checkpointOf(parsed.checkpoint),
    stoppedEarly: earlyStopOf(parsed.stoppedEarly),
  };
}

function earlyStopOf(value: unknown): EarlyStop | undefined {
  const s = record(value);
  const [atS, freeBytes, reserveBytes, historyBytes] = [
    s?.atS,
    s?.freeBytes,
    s?.reserveBytes,
    s?.historyBytes,
  ].map(number);
  if (s?.reason !== 'disk-full' || atS === undefined || freeBytes === undefined) return undefined;
  return {
    reason: 'disk-full',
    atS,
    freeBytes,
    reserveBytes: reserveBytes ?? 0,
    historyBytes: historyBytes ?? 0,
  };
}

function checkpointOf(value: unknown): Checkpoint | undefined {
  const c = record(value);
  const atS = number(c?.atS);
  const operations = number(c?.operations);
  return atS === undefined || operations === undefined ? undefined : { atS, operations };
}

function validity(value: unknown): Validity | undefined {
  return value === true || value === false || value === 'unknown' ? value : undefined;
}

/**
 * Runs `render` on results read from `file`: a checker's details are trusted to have that
 * checker's shape, so a TypeError here means a results.json edited or written by something else,
 * refused with a message (exit 254) rather than a stack trace.
 */
export async function renderingStored<T>(file: string | undefined, render: () => T | Promise<T>): Promise<T> {
  try {
    return await render();
  } catch (err) {
    if (file === undefined || !(err instanceof TypeError)) throw err;
    throw new UsageError(
      `${file}: a checker result has fields of the wrong type (${err.message}); was it edited? \`dscheck check\` on the history checks it again`,
    );
  }
}
