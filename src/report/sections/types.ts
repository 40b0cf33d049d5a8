import type { PerfResult } from '../../checker/perf.js';
import type { CheckerResult } from '../../checker/types.js';
import type { History, Operation } from '../../history/types.js';
import type { PageDigest, TimeAxis } from '../data.js';
import type { FaultSpan } from '../faults.js';

/**
 * A history as the page reads it: held whole, or, too long to hold, what a streaming pass kept of
 * it (see src/report/digest.ts): then `operations` holds only the timeline's operations.
 */
export type ReportHistory = Pick<History, 'operations' | 'nemesis' | 'events'> & {
  /** The plots, the timeline and the writes during faults, computed over the whole history. */
  digest?: PageDigest;
  /** Each failing key's operations kept for its counterexample (see CounterexampleTally). */
  keyOperations?: ReadonlyMap<string | null, KeyOperations>;
};

/** The last operations of a key up to its counterexample, and how many earlier ones were left out. */
export interface KeyOperations {
  ops: readonly Operation[];
  hiddenBefore: number;
  /** The operation no linearization gets past. */
  blocked: Operation;
}

/** What a section sees: its checker's result, and the history and faults it judged. */
export interface ReportContext<R extends CheckerResult = CheckerResult> {
  /** The checker this section presents. */
  name: string;
  result: R;
  /** Every checker's result, for sections that relate to others. */
  results: Readonly<Record<string, CheckerResult>>;
  history: ReportHistory;
  spans: readonly FaultSpan[];
  axis: TimeAxis;
  /** Performance of the history (the perf checker's own result, or computed for the page). */
  perf: PerfResult;
}

/**
 * A checker's part of the report. The page iterates the results and takes each checker's section
 * from the table of checkers (src/checkers.ts): a new checker brings its section without touching
 * the page.
 */
export interface ReportSection<R extends CheckerResult = CheckerResult> {
  /** Used as the section's element id; letters, digits and dashes. */
  readonly id: string;
  readonly title: string;
  /** The section's body: HTML in which every value from the history is escaped. */
  render(context: ReportContext<R>): string;
  /** Data for `script`, embedded in the page as JSON. */
  data?(context: ReportContext<R>): unknown;
  /**
   * The section's browser code, run once the page has loaded: the name of its module in
   * src/report/browser/sections/, whose `draw(root, data, dscheck)` gets the section's element,
   * what `data` returned, and the page's helpers (colours, tooltip, time format, plots).
   */
  readonly script?: string;
}
