import { basename } from 'node:path';
import { InvalidOperation, type ModelName } from '../checker/linearizable/models.js';
import { checkStreaming, large, streamable } from '../checker/streaming/analyze.js';
import { mergeValidity, type RawOptions, type Validity } from '../checker/types.js';
import {
  CHECKER_NAMES,
  CHECKERS,
  type CheckerEntry,
  type CheckOutcome,
  type PlannedCheck,
} from '../checkers.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import { fromJepsen } from '../history/jepsen.js';
import { formatOf, readHistory, STDIN } from '../history/reader.js';
import { streamOperations } from '../history/stream.js';
import {
  type History,
  HistoryError,
  type HistoryWarning,
  type Json,
  type Operation,
} from '../history/types.js';

export interface CheckOptions {
  /** Comma-separated checker names; default: the checkers the history's operations call for. */
  checker?: string;
  model?: ModelName;
  initialValue?: string;
  format?: string;
  timeout?: string;
  json?: boolean;
  allKeys?: boolean;
  independent?: boolean;
}

/** What checking one file gave: the checkers' outcomes, or the bad-input message that stopped it. */
interface FileVerdict {
  file: string;
  outcomes?: CheckOutcome[];
  /** The checkers were chosen from the history's operations, not named with --checker. */
  chosen?: boolean;
  warnings?: HistoryWarning[];
  /** Bad input (exit 254): the message. */
  problem?: string;
}

/**
 * How deep `--initial-value` may nest arrays and objects: far beyond any register's value, and
 * well within what the checkers' recursive comparisons and hashing can follow.
 */
export const MAX_INITIAL_VALUE_DEPTH = 1000;

/** `--initial-value`: JSON nested at most MAX_INITIAL_VALUE_DEPTH deep, or a UsageError. Shared by check and report. */
export function parseInitialValue(text: string | undefined): Json | undefined {
  if (text === undefined) return undefined;
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    const shown = text.length > 80 ? `${text.slice(0, 80)}...` : text;
    throw new UsageError(`--initial-value must be JSON (e.g. 0, null, "x"), got '${shown}'`);
  }
  if (nestingDepth(value) > MAX_INITIAL_VALUE_DEPTH) {
    throw new UsageError(`--initial-value is nested more than ${MAX_INITIAL_VALUE_DEPTH} levels deep`);
  }
  return value;
}

/** Levels of arrays and objects in `value`, counted without recursion (the value may be deep). */
function nestingDepth(value: Json): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [item, depth] = top;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_INITIAL_VALUE_DEPTH) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Options after parsing. */
interface CheckSettings {
  /** The checkers named with --checker; undefined: chosen per file. */
  checkers?: readonly CheckerEntry[];
  /** Checker options given as flags, by option name. */
  flags: RawOptions;
  format?: string;
  timeoutMs: number;
  independent: boolean;
  /** Stop each search at the first key that fails (unless --all-keys). */
  firstFailure: boolean;
}

/** `dscheck check <file...>`: a verdict per file, in order; the exit code is the worst of them. */
export async function check(files: string[], options: CheckOptions, out = process.stdout): Promise<void> {
  const flags = Object.fromEntries(
    Object.entries({
      model: options.model,
      'initial-value': parseInitialValue(options.initialValue),
    }).filter(([, value]) => value !== undefined),
  );
  const settings: CheckSettings = {
    checkers: options.checker === undefined ? undefined : namedCheckers(options.checker),
    flags,
    format: options.format,
    timeoutMs: parseSeconds('--timeout', options.timeout ?? '300') * 1000,
    independent: options.independent === true,
    firstFailure: options.allKeys !== true,
  };
  if (settings.checkers) planChecks(settings.checkers, flags);
  let code: number = EXIT.valid;
  for (const file of files) {
    const v = await checkFile(file, settings);
    for (const w of v.warnings ?? []) process.stderr.write(`${w.file}:${w.line}: warning: ${w.message}\n`);
    if (v.problem !== undefined || !v.outcomes) {
      process.stderr.write(`dscheck: ${v.problem}\n`);
      // A script reading --json gets a line for every file, the refused ones too.
      if (options.json) out.write(`${JSON.stringify({ file, error: v.problem, exitCode: EXIT.usage })}\n`);
      code = worse(code, EXIT.usage);
      continue;
    }
    out.write(options.json ? `${JSON.stringify(jsonLine(file, v.outcomes))}\n` : humanLines(file, v));
    code = worse(code, verdictCode(mergeValidity(v.outcomes.map((o) => o.result.valid))));
  }
  if (code !== EXIT.valid) throw new ExitError(code);
}

/** `--checker a,b`: the table's entries, or a UsageError naming the valid ones. */
function namedCheckers(list: string): CheckerEntry[] {
  const names = list
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0)
    throw new UsageError(`--checker needs a name; valid choices: ${CHECKER_NAMES.join(', ')}`);
  for (const name of names) {
    if (!CHECKER_NAMES.includes(name)) {
      throw new UsageError(`unknown --checker '${name}'; valid choices: ${CHECKER_NAMES.join(', ')}`);
    }
  }
  // In the table's order, as a run reports them.
  return CHECKERS.filter((c) => names.includes(c.name));
}

/** Each checker with the flags among its options; a flag no chosen checker takes is a UsageError. */
function planChecks(checkers: readonly CheckerEntry[], flags: RawOptions): PlannedCheck[] {
  for (const flag of Object.keys(flags)) {
    if (!checkers.some((c) => c.optionNames.includes(flag))) {
      const takers = CHECKERS.filter((c) => c.optionNames.includes(flag)).map((c) => c.name);
      throw new UsageError(
        `--${flag} applies to the ${takers.join(', ')} checker, which is not among those chosen`,
      );
    }
  }
  return checkers.map((c) =>
    c.plan(
      Object.fromEntries(Object.entries(flags).filter(([name]) => c.optionNames.includes(name))),
      (what) => new UsageError(what),
    ),
  );
}

/**
 * The checkers for a history nobody named any for: those its operations call for, plus those the
 * flags given are options of.
 */
function defaultCheckers(history: Pick<History, 'operations' | 'file'>, flags: RawOptions): CheckerEntry[] {
  const chosen = CHECKERS.filter(
    (c) => c.appliesTo(history) || Object.keys(flags).some((flag) => c.optionNames.includes(flag)),
  );
  if (chosen.length > 0) return chosen;
  const fs = [...new Set(history.operations.map((op) => op.f))].sort();
  throw new UsageError(
    `no checker judges the operations of ${history.file} (${fs.join(', ')}) by default; ` +
      `name one with --checker: ${CHECKER_NAMES.join(', ')}`,
  );
}

/**
 * The default checkers of a history too long to hold, chosen as `defaultCheckers` chooses them on
 * a sample that answers their questions the same way: the first operation of each name, and the
 * first cache read. Undefined for transactions (their checker reads histories whole).
 */
async function streamedDefaults(file: string, flags: RawOptions): Promise<PlannedCheck[] | undefined> {
  const sample = new Map<string, Operation>();
  await streamOperations(file, (op) => {
    const kind = op.extra?.hit !== undefined ? 'cache read' : op.f;
    if (!sample.has(kind)) sample.set(kind, op);
  });
  const operations = [...sample.values()].sort((a, b) => a.index - b.index);
  if (operations.some((op) => op.f === 'txn')) return undefined;
  const history: Pick<History, 'operations' | 'file'> = { operations, file };
  return planChecks(defaultCheckers(history, flags), flags);
}

/** Reads and checks one file; bad input becomes a `problem`, anything else is thrown. */
async function checkFile(file: string, settings: CheckSettings): Promise<FileVerdict> {
  try {
    const context = { timeoutMs: settings.timeoutMs, firstFailure: settings.firstFailure };
    const named = settings.checkers && planChecks(settings.checkers, settings.flags);
    // Checkers that can all stream read a large NDJSON history in bounded memory.
    if (file !== STDIN && formatOf(file, settings.format) === 'ndjson' && large(file)) {
      const planned = named ?? (await streamedDefaults(file, settings.flags));
      if (planned && streamable(planned, file)) {
        const { outcomes, shape } = await checkStreaming(file, planned, context);
        return { file, outcomes, chosen: named === undefined, warnings: shape.warnings };
      }
    }
    const read = await readHistory(file, { format: settings.format, independent: settings.independent });
    const history = formatOf(file, settings.format) === 'edn' ? fromJepsen(read) : read;
    const checkers = settings.checkers ?? defaultCheckers(history, settings.flags);
    const outcomes: CheckOutcome[] = [];
    for (const planned of named ?? planChecks(checkers, settings.flags)) {
      outcomes.push(await planned.run(history, context));
    }
    return { file, outcomes, chosen: settings.checkers === undefined, warnings: history.warnings };
  } catch (err) {
    if (err instanceof InvalidOperation) {
      return { file, problem: `${file}:${err.op.line ?? '?'}: ${err.problem}` };
    }
    if (err instanceof UsageError || err instanceof HistoryError) return { file, problem: err.message };
    throw err;
  }
}

function verdictCode(valid: Validity): number {
  return valid === true ? EXIT.valid : valid === false ? EXIT.invalid : EXIT.unknown;
}

/** Bad input outranks an anomaly, which outranks a checker that gave up. */
function worse(a: number, b: number): number {
  const rank = (c: number): number => [EXIT.valid, EXIT.unknown, EXIT.invalid, EXIT.usage].indexOf(c as 0);
  return rank(b) > rank(a) ? b : a;
}

function parseSeconds(option: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${option} must be a positive number of seconds, got '${text}'`);
  return n;
}

/** A lone checker with a line of its own keeps it; otherwise every checker's whole result. */
function jsonLine(file: string, outcomes: readonly CheckOutcome[]): Record<string, unknown> {
  const own = outcomes.length === 1 ? outcomes[0].jsonLine() : undefined;
  if (own) return { file, ...own };
  return {
    file,
    valid: mergeValidity(outcomes.map((o) => o.result.valid)),
    checkers: Object.fromEntries(outcomes.map((o) => [o.name, o.result])),
  };
}

/**
 * Each checker's words for the file. Which checkers were chosen is said unless a lone checker's
 * own line names it (linearizability names its inferred model there).
 */
function humanLines(file: string, v: FileVerdict): string {
  const outcomes = v.outcomes ?? [];
  const named = outcomes.length === 1 && outcomes[0].namesItself;
  const chosen =
    v.chosen && !named
      ? `${basename(file)}: checkers ${outcomes.map((o) => o.name).join(', ')} (chosen from the operations; name others with --checker)\n`
      : '';
  return chosen + outcomes.map((o) => o.checkOutput(file)).join('');
}
