import { basename } from 'node:path';
import { summarize } from '../history/summary.js';
import type { History, Json, KeySource } from '../history/types.js';
import {
  checkLinearizable,
  inferModel,
  type KeyFailure,
  type LinearizabilityResult,
  MODEL_NAMES,
  type ModelName,
} from './linearizable/index.js';
import { LinearizableStream } from './streaming/linearizable.js';
import type { Checker } from './types.js';

export interface LinearizableOptions {
  /** The object's model; undefined: inferred from the history's operations. */
  model?: ModelName;
  initialValue?: Json;
}

/** The search's result, and how the file's values were read into keys (EDN verdicts say it). */
export type LinearizableResult = LinearizabilityResult & { keySource?: KeySource };

/** Steps of each failure's linearizable prefix kept in results.json: the ones leading to the failure. */
const PREFIX_STEPS_KEPT = 100;

const UNKNOWN_REASONS: Record<string, string> = {
  timeout: 'gave up: the time budget ran out (raise --timeout)',
  memory: 'gave up: the search would need more memory than allowed',
};

const VERDICT = { true: 'linearizable', false: 'NOT LINEARIZABLE', unknown: 'UNKNOWN' } as const;

/** Linearizability against a model (register, cas-register, kv, mutex), key by key. */
export const linearizableChecker: Checker<LinearizableOptions, LinearizableResult, LinearizableDigest> = {
  name: 'linearizable',
  optionNames: ['model', 'initial-value'],
  appliesTo(history) {
    const { names, extraTypes } = summarize(history.operations);
    // A cache read answers from a cache, which no model describes: the cold-cache checker's.
    if (extraTypes.has('hit')) return false;
    // Transactions of appends are list-append (the transactions checker's), not Knossos's registers.
    if (names.has('txn') && history.operations.some((op) => op.f === 'txn' && isListAppend(op.input))) {
      return false;
    }
    try {
      inferModel(namedOperations(names));
      return true;
    } catch {
      return false;
    }
  },
  options(raw, problem) {
    const model = raw.model;
    if (model !== undefined && !isModelName(model)) {
      throw problem(
        `unknown linearizable model '${String(model)}'; valid choices: ${MODEL_NAMES.join(', ')}`,
      );
    }
    return {
      model,
      initialValue: raw['initial-value'] as Json | undefined,
    };
  },
  async check(history: History, options, context) {
    const result = await checkLinearizable(history.operations, {
      model: options.model ?? inferModel(namedOperations(summarize(history.operations).names)),
      initialValue: options.initialValue,
      timeoutMs: context.timeoutMs,
      allKeys: context.firstFailure !== true,
    });
    return withHistoryWords(result, history);
  },
  stream(shape, options, context) {
    const search = new LinearizableStream({
      model: options.model ?? inferModel(shape.fs.map((f) => ({ f }))),
      initialValue: options.initialValue,
      timeoutMs: context.timeoutMs,
      allKeys: context.firstFailure !== true,
    });
    return {
      add: (op) => search.add(op),
      finish: () => withHistoryWords(search.finish(), shape),
    };
  },
  stored: (result) => ({ ...result, failures: result.failures.map(trimPrefix) }),
  summary: (r) => [summaryWords(r)],
  checkOutput: checkWords,
  jsonLine(r) {
    const line: Record<string, unknown> = {
      valid: r.valid,
      model: r.model,
      ops: r.ops,
      keys: r.keys,
      ms: r.ms,
    };
    // Values are taken whole unless tuples were split on request; say so when they were.
    if (r.keySource === 'tuples') line.keySource = r.keySource;
    if (r.failures.length > 0) line.failure = r.failures;
    if (r.unknown.length > 0) line.unknown = r.unknown;
    if (r.skippedKeys > 0) line.skippedKeys = r.skippedKeys;
    return line;
  },
  found: (r) => [foundWords(r)],
  compare: {
    column: 'linearizable',
    digest: (r) => ({ valid: r.valid, failingKeys: r.failures?.length ?? 0, keys: r.keys ?? 0 }),
    cell: (d) =>
      d.valid === true ? 'yes' : d.valid === false ? `no (${d.failingKeys} of ${d.keys} keys)` : 'unknown',
  },
};

/** What the verdict says of the file as a whole: how keys were read, and an empty file. */
function withHistoryWords(
  search: LinearizabilityResult,
  history: Pick<History, 'keys' | 'events'>,
): LinearizableResult {
  const result: LinearizableResult = search;
  if (history.keys !== undefined) result.keySource = history.keys;
  if (history.events === 0) {
    // Nothing was recorded at all (as Porcupine, unlike a run whose clients did nothing).
    result.valid = 'unknown';
    result.unknown.push({ key: null, reason: 'the file holds no events' });
  }
  return result;
}

/** The operation names as inferModel takes them. */
function namedOperations(names: ReadonlySet<string>): { f: string }[] {
  return [...names].map((f) => ({ f }));
}

function isListAppend(value: Json): boolean {
  return Array.isArray(value) && value.some((step) => Array.isArray(step) && step[0] === 'append');
}

function isModelName(x: unknown): x is ModelName {
  return (MODEL_NAMES as readonly unknown[]).includes(x);
}

export interface LinearizableDigest {
  valid: LinearizabilityResult['valid'];
  failingKeys: number;
  keys: number;
}

/**
 * A failure's prefix can hold every operation of a key (tens of thousands in a fast run); what
 * explains the failure is its end. `dscheck check --json` on the history gives the whole prefix.
 */
function trimPrefix(failure: KeyFailure): KeyFailure & { linearizedOmitted: number } {
  const omitted = Math.max(0, failure.linearized.length - PREFIX_STEPS_KEPT);
  return { ...failure, linearized: failure.linearized.slice(omitted), linearizedOmitted: omitted };
}

function summaryWords(r: LinearizabilityResult): string {
  if (r.valid === true) {
    return `linearizable: no anomaly in ${r.ops} operations on ${r.keys} keys (model ${r.model}, ${r.ms} ms to check)`;
  }
  if (r.valid === false) {
    const [first] = r.failures;
    const key = first.key === null ? 'the register' : `key ${first.key}`;
    const more = r.failures.length > 1 ? ` (and ${r.failures.length - 1} more keys)` : '';
    return `NOT linearizable: on ${key}, ${first.explanation}${more}`;
  }
  const reasons = [...new Set(r.unknown.map((u) => u.reason))].join(', ');
  return `linearizability unknown: the search gave up on ${r.unknown.length} keys (${reasons})`;
}

/** How the file's values were read into keys. */
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

function checkWords(file: string, r: LinearizableResult, options: LinearizableOptions): string {
  const keyWord = r.keys === 1 ? 'key' : 'keys';
  const model = options.model === undefined ? `${r.model} (inferred)` : r.model;
  // EDN prints a [key value] tuple like any vector, so EDN verdicts say how values were read.
  const source = r.keySource && r.keySource !== 'key-field' ? ` · ${KEY_SOURCE_WORDS[r.keySource]}` : '';
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

function foundWords(r: LinearizabilityResult): string {
  if (r.valid === true) {
    return `Linearizable: every one of ${r.ops.toLocaleString('en')} operations on ${r.keys} key${r.keys === 1 ? '' : 's'} fits a single order (model ${r.model}).`;
  }
  if (r.valid === false) {
    const first = r.failures[0];
    if (!first) return 'Not linearizable.';
    const key = first.key === null ? 'the register' : `key ${JSON.stringify(first.key)}`;
    const more = r.failures.length > 1 ? ` ${r.failures.length - 1} more key(s) fail too.` : '';
    return `Not linearizable on ${key}: process ${first.op.process}'s ${first.op.description} cannot be explained by any order of the operations before it.${more}`;
  }
  const reasons = [...new Set(r.unknown.map((u) => u.reason))].join('; ');
  return `Linearizability unknown: the search gave up on ${r.unknown.length} key(s) (${reasons}).`;
}
