import { basename } from 'node:path';
import { coldCacheChecker } from './checker/cold-cache.js';
import { linearizableChecker } from './checker/linearizable.js';
import { lockChecker } from './checker/lock.js';
import { lostWritesChecker } from './checker/lost-writes.js';
import { perfChecker } from './checker/perf.js';
import { queueChecker } from './checker/queue.js';
import { staleReadsChecker } from './checker/stale-reads.js';
import { transactionsChecker } from './checker/transactions/index.js';
import {
  type CheckContext,
  type Checker,
  type CheckerResult,
  type Named,
  type OptionProblem,
  type RawOptions,
  rejectUnknownOptions,
  resultOf,
  type StreamCheck,
  typedResult,
} from './checker/types.js';
import type { History, HistoryShape } from './history/types.js';
import { coldCacheSection } from './report/sections/cold-cache.js';
import { linearizableSection } from './report/sections/linearizable.js';
import { lockSection } from './report/sections/lock.js';
import { lostWritesSection } from './report/sections/lost-writes.js';
import { perfSection } from './report/sections/perf.js';
import { queueSection } from './report/sections/queue.js';
import { staleReadsSection } from './report/sections/stale-reads.js';
import { transactionsSection } from './report/sections/transactions.js';
import type { ReportContext, ReportSection } from './report/sections/types.js';

/** Results by checker name, as results.json holds them. */
export type Results = Readonly<Record<string, CheckerResult>>;

/** One checker with its options checked, ready to judge histories. */
export interface PlannedCheck {
  readonly name: string;
  /** The options after checking and defaults, as data (they are plain JSON values). */
  readonly options: unknown;
  run(history: History, context: CheckContext): Promise<CheckOutcome>;
  /**
   * The same check one operation at a time, for histories too long to hold (see
   * src/checker/streaming/analyze.ts); undefined when the checker needs the whole history.
   */
  readonly stream?: (shape: HistoryShape, context: CheckContext) => StreamCheck<CheckOutcome>;
}

/** What one checker found on one history, and its words for it. */
export interface CheckOutcome {
  readonly name: string;
  /** The whole result, as `dscheck check --json` gives it. */
  readonly result: CheckerResult;
  /** The result as results.json keeps it. */
  readonly stored: CheckerResult;
  /** What `dscheck check` prints for the file. */
  checkOutput(file: string): string;
  /** Whether that output names the checker (and what it chose) itself. */
  readonly namesItself: boolean;
  /** The line `dscheck check --json` writes when this is the only checker; undefined: the whole result. */
  jsonLine(): Record<string, unknown> | undefined;
}

/**
 * A checker of the table with its types closed over: everything the run, `dscheck check`, the
 * report and the comparison page need, taking results by name (as results.json stores them).
 */
export interface CheckerEntry {
  readonly name: string;
  readonly optionNames: readonly string[];
  appliesTo(history: Pick<History, 'operations'>): boolean;
  plan(raw: RawOptions, problem: OptionProblem): PlannedCheck;
  /** Terminal lines for its result among `results`; none when it did not run. */
  summary(results: Results): string[];
  /** The report verdict's sentences for its result; none when it did not run. */
  found(results: Results): string[];
  readonly section: ReportSection;
  /** The comparison page's column, if it has one. */
  readonly compare?: {
    readonly column: string;
    digest(results: Results): unknown;
    /** The cell for a digest this entry made (undefined: the run did not have this checker). */
    cell(digest: unknown): string | undefined;
  };
}

/** Pairs a checker with its report section; the types of its options and result stay inside. */
function entry<Options, Result extends CheckerResult, Digest>(
  checker: Checker<Options, Result, Digest>,
  section: ReportSection<Result>,
): CheckerEntry {
  const typed = (results: Results): Result | undefined => resultOf(checker, results);
  const { compare } = checker;
  return {
    name: checker.name,
    optionNames: checker.optionNames,
    appliesTo: (history) => checker.appliesTo(history),
    plan(raw, problem) {
      rejectUnknownOptions(checker.name, raw, checker.optionNames, problem);
      const options = checker.options(raw, problem);
      const outcome = (result: Result): CheckOutcome => ({
        name: checker.name,
        result,
        stored: checker.stored?.(result) ?? result,
        checkOutput: (file) =>
          checker.checkOutput?.(file, result, options) ??
          summaryOutput(file, checker.name, result.valid, checker.summary(result)),
        namesItself: checker.checkOutput !== undefined,
        jsonLine: () => checker.jsonLine?.(result),
      });
      const { stream } = checker;
      return {
        name: checker.name,
        options,
        run: async (history, context) => outcome(await checker.check(history, options, context)),
        stream:
          stream &&
          ((shape, context) => {
            const check = stream(shape, options, context);
            return { add: (op) => check.add(op), finish: async () => outcome(await check.finish()) };
          }),
      };
    },
    summary(results) {
      const result = typed(results);
      return result ? checker.summary(result) : [];
    },
    found(results) {
      const result = typed(results);
      return result ? checker.found(result) : [];
    },
    section: {
      id: section.id,
      title: section.title,
      script: section.script,
      render: (context) => section.render(typedContext(checker, context)),
      data: section.data && ((context) => section.data?.(typedContext(checker, context))),
    },
    compare: compare && {
      column: compare.column,
      digest(results) {
        const result = typed(results);
        return result ? compare.digest(result) : undefined;
      },
      // A digest is what this entry's `digest` made, kept in the comparison page's data.
      cell: (digest) => (digest === undefined ? undefined : compare.cell(digest as Digest)),
    },
  };
}

/** A checker's summary under the file's name; a checker with nothing to say gives its verdict. */
function summaryOutput(
  file: string,
  name: string,
  valid: CheckerResult['valid'],
  summary: readonly string[],
): string {
  const [first = `${name}: ${valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown'}`, ...rest] =
    summary;
  return `${basename(file)}: ${first}\n${rest.map((line) => `  ${line.trim()}\n`).join('')}`;
}

function typedContext<Result extends CheckerResult>(
  checker: Named<Result>,
  context: ReportContext,
): ReportContext<Result> {
  return { ...context, result: typedResult(checker, context.result) };
}

/**
 * Every checker, in the order of the report's sections (the statistics last). A new checker is a
 * file in src/checker/, its section in src/report/sections/, and a line here.
 */
export const CHECKERS: readonly CheckerEntry[] = [
  entry(linearizableChecker, linearizableSection),
  entry(staleReadsChecker, staleReadsSection),
  entry(lostWritesChecker, lostWritesSection),
  entry(coldCacheChecker, coldCacheSection),
  entry(transactionsChecker, transactionsSection),
  entry(lockChecker, lockSection),
  entry(queueChecker, queueSection),
  entry(perfChecker, perfSection),
];

export const CHECKER_NAMES: readonly string[] = CHECKERS.map((c) => c.name);

/** The entry of a checker by name; undefined for a name the table does not hold. */
export function checkerNamed(name: string): CheckerEntry | undefined {
  return CHECKERS.find((c) => c.name === name);
}
