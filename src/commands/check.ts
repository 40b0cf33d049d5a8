import { basename } from 'node:path';
import { checkLinearizable, inferModel, type LinearizabilityResult } from '../checker/linearizable/index.js';
import { InvalidOperation, type ModelName } from '../checker/linearizable/models.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import { readHistory } from '../history/reader.js';
import { HistoryError, type HistoryWarning, type Json, type KeySource } from '../history/types.js';

export interface CheckOptions {
  model?: ModelName;
  initialValue?: string;
  format?: string;
  timeout?: string;
  json?: boolean;
  allKeys?: boolean;
  independent?: boolean;
}

/** What checking one file gave: a result, or the bad-input message that stopped it. */
interface FileVerdict {
  file: string;
  result?: LinearizabilityResult;
  inferred?: boolean;
  keySource?: KeySource;
  warnings?: HistoryWarning[];
  /** Bad input (exit 254): the message. */
  problem?: string;
}

/** Options after parsing. */
/** `--initial-value`: JSON, or a UsageError. Shared by check and report. */
export function parseInitialValue(text: string | undefined): Json | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new UsageError(`--initial-value must be JSON (e.g. 0, null, "x"), got '${text}'`);
  }
}

interface CheckSettings {
  model?: ModelName;
  initialValue?: Json;
  format?: string;
  timeoutMs: number;
  allKeys: boolean;
  independent: boolean;
}

/** `dscheck check <file...>`: a verdict per file, in order; the exit code is the worst of them. */
export async function check(files: string[], options: CheckOptions, out = process.stdout): Promise<void> {
  const settings: CheckSettings = {
    model: options.model,
    initialValue: parseInitialValue(options.initialValue),
    format: options.format,
    timeoutMs: parseSeconds('--timeout', options.timeout ?? '300') * 1000,
    allKeys: options.allKeys === true,
    independent: options.independent === true,
  };
  let code: number = EXIT.valid;
  for (const file of files) {
    const v = await checkFile(file, settings);
    for (const w of v.warnings ?? []) process.stderr.write(`${w.file}:${w.line}: warning: ${w.message}\n`);
    if (v.problem !== undefined || !v.result) {
      process.stderr.write(`dscheck: ${v.problem}\n`);
      code = worse(code, EXIT.usage);
      continue;
    }
    out.write(
      options.json
        ? `${JSON.stringify(jsonLine(file, v.result, v.keySource))}\n`
        : humanLines(file, v.result, !!v.inferred, v.keySource),
    );
    code = worse(code, verdictCode(v.result));
  }
  if (code !== EXIT.valid) throw new ExitError(code);
}

/** Reads and checks one file; bad input becomes a `problem`, anything else is thrown. */
async function checkFile(file: string, settings: CheckSettings): Promise<FileVerdict> {
  try {
    const history = await readHistory(file, { format: settings.format, independent: settings.independent });
    const model = settings.model ?? inferModel(history.operations);
    const result = await checkLinearizable(history.operations, {
      model,
      initialValue: settings.initialValue,
      timeoutMs: settings.timeoutMs,
      allKeys: settings.allKeys,
    });
    if (history.events === 0) {
      // Nothing was recorded at all (as Porcupine, unlike a run whose clients did nothing).
      result.valid = 'unknown';
      result.unknown.push({ key: null, reason: 'the file holds no events' });
    }
    return {
      file,
      result,
      inferred: settings.model === undefined,
      keySource: history.keys,
      warnings: history.warnings,
    };
  } catch (err) {
    if (err instanceof InvalidOperation) {
      return { file, problem: `${file}:${err.op.line ?? '?'}: ${err.problem}` };
    }
    if (err instanceof UsageError || err instanceof HistoryError) return { file, problem: err.message };
    throw err;
  }
}

function verdictCode(result: LinearizabilityResult): number {
  return result.valid === true ? EXIT.valid : result.valid === false ? EXIT.invalid : EXIT.unknown;
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

function jsonLine(file: string, r: LinearizabilityResult, keySource?: KeySource): Record<string, unknown> {
  const line: Record<string, unknown> = {
    file,
    valid: r.valid,
    model: r.model,
    ops: r.ops,
    keys: r.keys,
    ms: r.ms,
  };
  // Values are taken whole unless tuples were split on request; say so when they were.
  if (keySource === 'tuples') line.keySource = keySource;
  if (r.failures.length > 0) line.failure = r.failures;
  if (r.unknown.length > 0) line.unknown = r.unknown;
  if (r.skippedKeys > 0) line.skippedKeys = r.skippedKeys;
  return line;
}

const UNKNOWN_REASONS: Record<string, string> = {
  timeout: 'gave up: the time budget ran out (raise --timeout)',
  memory: 'gave up: the search would need more memory than allowed',
};

const VERDICT = { true: 'linearizable', false: 'NOT LINEARIZABLE', unknown: 'UNKNOWN' } as const;

/** How the file's values were read into keys: every verdict line says it. */
const KEY_SOURCE_WORDS: Record<KeySource, string> = {
  'key-field': 'keys from the "key" field',
  'whole-values': 'values taken whole (--independent splits [key value] tuples)',
  tuples: '[key value] tuples split into keys (--independent)',
};

const OBJECT_WORDS: Record<ModelName, string> = {
  register: 'the register',
  'cas-register': 'the register',
  kv: 'the value',
  mutex: 'the lock',
  'multi-register': 'the registers',
};

function humanLines(
  file: string,
  r: LinearizabilityResult,
  inferred: boolean,
  keySource?: KeySource,
): string {
  const keyWord = r.keys === 1 ? 'key' : 'keys';
  const model = inferred ? `${r.model} (inferred)` : r.model;
  // EDN prints a [key value] tuple like any vector, so EDN verdicts say how values were read.
  const source = keySource && keySource !== 'key-field' ? ` · ${KEY_SOURCE_WORDS[keySource]}` : '';
  let text = `${basename(file)}: ${VERDICT[String(r.valid) as keyof typeof VERDICT]} · model ${model} · ${r.ops} ops · ${r.keys} ${keyWord}${source} · ${r.ms} ms\n`;
  const object = OBJECT_WORDS[r.model];
  const keyName = (key: string | null): string => (key === null ? object : `key ${JSON.stringify(key)}`);
  for (const f of r.failures) {
    const key = keyName(f.key);
    text += `  ${key}: ${f.explanation}; the longest linearizable prefix has ${f.linearized.length} operations and leaves the state ${f.finalState}\n`;
  }
  for (const u of r.unknown) {
    text += `  ${keyName(u.key)}: ${UNKNOWN_REASONS[u.reason] ?? u.reason}\n`;
  }
  if (r.skippedKeys > 0) {
    text += `  ${r.skippedKeys} other ${r.skippedKeys === 1 ? 'key' : 'keys'} not searched to the end after the first failing key (--all-keys searches every key)\n`;
  }
  return text;
}
