import { basename } from 'node:path';
import { checkLinearizable, inferModel, type LinearizabilityResult } from '../checker/linearizable/index.js';
import type { ModelName } from '../checker/linearizable/models.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import { readHistory } from '../history/reader.js';
import { HistoryError, type HistoryWarning, type Json } from '../history/types.js';

export interface CheckOptions {
  model?: ModelName;
  initialValue?: string;
  format?: string;
  timeout?: string;
  json?: boolean;
}

/** What checking one file gave: a result, or the bad-input message that stopped it. */
interface FileVerdict {
  file: string;
  result?: LinearizabilityResult;
  inferred?: boolean;
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
}

/** `dscheck check <file...>`: a verdict per file, in order; the exit code is the worst of them. */
export async function check(files: string[], options: CheckOptions, out = process.stdout): Promise<void> {
  const settings: CheckSettings = {
    model: options.model,
    initialValue: parseInitialValue(options.initialValue),
    format: options.format,
    timeoutMs: parseSeconds('--timeout', options.timeout ?? '300') * 1000,
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
        ? `${JSON.stringify(jsonLine(file, v.result))}\n`
        : humanLines(file, v.result, !!v.inferred),
    );
    code = worse(code, verdictCode(v.result));
  }
  if (code !== EXIT.valid) throw new ExitError(code);
}

/** Reads and checks one file; bad input becomes a `problem`, anything else is thrown. */
async function checkFile(file: string, settings: CheckSettings): Promise<FileVerdict> {
  try {
    const history = await readHistory(file, { format: settings.format });
    const model = settings.model ?? inferModel(history.operations);
    const result = await checkLinearizable(history.operations, {
      model,
      initialValue: settings.initialValue,
      timeoutMs: settings.timeoutMs,
    });
    if (history.events === 0) {
      // Nothing was recorded at all (as Porcupine, unlike a run whose clients did nothing).
      result.valid = 'unknown';
      result.unknown.push({ key: null, reason: 'the file holds no events' });
    }
    return { file, result, inferred: settings.model === undefined, warnings: history.warnings };
  } catch (err) {
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

function jsonLine(file: string, r: LinearizabilityResult): Record<string, unknown> {
  const line: Record<string, unknown> = {
    file,
    valid: r.valid,
    model: r.model,
    ops: r.ops,
    keys: r.keys,
    ms: r.ms,
  };
  if (r.failures.length > 0) line.failure = r.failures;
  if (r.unknown.length > 0) line.unknown = r.unknown;
  return line;
}

const UNKNOWN_REASONS: Record<string, string> = {
  timeout: 'gave up: the time budget ran out (raise --timeout)',
  memory: 'gave up: the search would need more memory than allowed',
};

const VERDICT = { true: 'linearizable', false: 'NOT LINEARIZABLE', unknown: 'UNKNOWN' } as const;

function humanLines(file: string, r: LinearizabilityResult, inferred: boolean): string {
  const keyWord = r.keys === 1 ? 'key' : 'keys';
  const model = inferred ? `${r.model} (inferred)` : r.model;
  let text = `${basename(file)}: ${VERDICT[String(r.valid) as keyof typeof VERDICT]} · model ${model} · ${r.ops} ops · ${r.keys} ${keyWord} · ${r.ms} ms\n`;
  const object = {
    register: 'the register',
    'cas-register': 'the register',
    kv: 'the value',
    mutex: 'the lock',
  }[r.model];
  const keyName = (key: string | null): string => (key === null ? object : `key ${JSON.stringify(key)}`);
  for (const f of r.failures) {
    const key = keyName(f.key);
    text += `  ${key}: ${f.explanation}; the longest linearizable prefix has ${f.linearized.length} operations and leaves the state ${f.finalState}\n`;
  }
  for (const u of r.unknown) {
    text += `  ${keyName(u.key)}: ${UNKNOWN_REASONS[u.reason] ?? u.reason}\n`;
  }
  return text;
}
