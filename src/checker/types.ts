import type { History } from '../history/types.js';

/** A checker's verdict. Results merge with false > unknown > true. */
export type Validity = true | false | 'unknown';

export interface CheckerResult {
  valid: Validity;
  /** Whatever the checker found; JSON-serialisable, stored in results.json. */
  [detail: string]: unknown;
}

/** history -> result. Pure: no I/O. */
export interface Checker {
  readonly name: string;
  check(history: History): Promise<CheckerResult>;
}

export function mergeValidity(results: Iterable<Validity>): Validity {
  let merged: Validity = true;
  for (const v of results) {
    if (v === false) return false;
    if (v === 'unknown') merged = 'unknown';
  }
  return merged;
}
