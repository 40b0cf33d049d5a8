import type { Json, Operation } from '../../history/types.js';
import type { CheckerResult, Validity } from '../types.js';
import { type PartitionOutcome, searchPartition } from './engine.js';
import { type CompleteModel, MODELS, type ModelName, misfit, modelOp } from './models.js';

export { inferModel, MODEL_NAMES, type ModelName } from './models.js';

/** Configurations per key in the first round; each later round allows 4 times more (see below). */
const FIRST_ROUND_CONFIGURATIONS = 5_000;
const BUDGET_GROWTH = 4;

export interface LinearizabilityOptions {
  model: ModelName;
  /** The object's initial value per key (default: the model's own, e.g. null for registers). */
  initialValue?: Json;
  /** Give up after this long and answer 'unknown' (default 300 s). */
  timeoutMs?: number;
  /** Bytes the configuration caches may take before the search gives up (default 1 GiB). */
  maxCacheBytes?: number;
  /** Search every key to its verdict; by default the search stops at the first key that fails. */
  allKeys?: boolean;
}

/** One step of a linearization, for the report: the operation and the state around it. */
export interface LinearizedStep {
  index: number;
  process: number;
  description: string;
  before: string;
  after: string;
}

export interface KeyFailure {
  key: string | null;
  /** The operation whose completion no linearization gets past. */
  op: { index: number; process: number; description: string };
  /** The longest linearizable prefix found, in linearization order. */
  linearized: LinearizedStep[];
  /** The state the register was in at the end of that prefix. */
  finalState: string;
  /** Plain-words explanation. */
  explanation: string;
}

export interface LinearizabilityResult extends CheckerResult {
  valid: Validity;
  model: ModelName;
  /** Operations in the history (client operations, failed ones included). */
  ops: number;
  keys: number;
  ms: number;
  failures: KeyFailure[];
  /** Keys the search gave up on, and why. */
  unknown: { key: string | null; reason: string }[];
  /** Keys left undecided because another key had already failed (none with allKeys). */
  skippedKeys: number;
  /** Configurations the search stored: its work. */
  configurations: number;
}

/**
 * Operations grouped by key: in memory, or spilled to disk for a history longer than memory
 * (src/checker/streaming/spill.ts).
 */
export interface KeyPartitions {
  /** Keys in the order the history first names them, with their operation counts. */
  readonly keys: readonly { key: string | null; size: number }[];
  /** A key's operations in invocation order. */
  load(key: string | null): readonly Operation[];
}

/**
 * Checks a history against a model. P-compositionality: operations on different keys are
 * independent, so each key is checked on its own. Failed operations are dropped; pending reads
 * constrain nothing and are dropped; other pending operations stay open to the end.
 */
export async function checkLinearizable(
  operations: readonly Operation[],
  options: LinearizabilityOptions,
): Promise<LinearizabilityResult> {
  const started = performance.now();
  const model = MODELS[options.model];
  // One pass: every key (with its searched operations), and each operation fitted to the model
  // (the first that does not fit, in history order, is the one named).
  const byKey = new Map<string | null, Operation[]>();
  /** Keys with searched operations, in the order the first of those names them. */
  const searchedKeys: (string | null)[] = [];
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i];
    const problem = misfit(model, op);
    if (problem) throw problem;
    let list = byKey.get(op.key);
    if (!list) {
      list = [];
      byKey.set(op.key, list);
    }
    if (!searched(model, op)) continue;
    if (list.length === 0) searchedKeys.push(op.key);
    list.push(op);
  }
  const partitions: KeyPartitions = {
    keys: searchedKeys.map((key) => ({ key, size: byKey.get(key)?.length ?? 0 })),
    load: (key) => byKey.get(key) ?? [],
  };
  return searchPartitions(partitions, { ops: operations.length, keys: byKey.size, started }, options);
}

/** Whether the search needs the operation: failed ones and pending reads constrain nothing. */
export function searched(model: CompleteModel, op: Operation): boolean {
  return op.outcome !== 'fail' && !(op.pending && model.reads.includes(op.f));
}

/**
 * The search over keys already partitioned: `ops` and `keys` count every operation and key of the
 * history (failed ones included), `started` is when checking began (performance.now()).
 */
export function searchPartitions(
  partitions: KeyPartitions,
  counts: { ops: number; keys: number; started: number },
  options: LinearizabilityOptions,
): LinearizabilityResult {
  const model = MODELS[options.model];
  const search = searchKeys(model, model.init(options.initialValue), partitions, {
    deadline: counts.started + (options.timeoutMs ?? 300_000),
    maxCacheWords: Math.floor((options.maxCacheBytes ?? 2 ** 30) / 4),
    allKeys: options.allKeys === true,
  });
  const { failures, unknown } = search;
  const valid: Validity = failures.length > 0 ? false : unknown.length > 0 ? 'unknown' : true;
  return {
    valid,
    model: options.model,
    ops: counts.ops,
    keys: counts.keys,
    ms: Math.round(performance.now() - counts.started),
    failures,
    unknown,
    skippedKeys: search.skipped,
    configurations: search.configurations,
  };
}

interface KeySearch {
  failures: KeyFailure[];
  unknown: { key: string | null; reason: string }[];
  skipped: number;
  configurations: number;
}

/**
 * Keys are searched in rounds of growing budgets: first each key with a small budget of
 * configurations, then the keys still undecided with 4 times more, and so on. An anomaly on an
 * easy key is then found fast even when other keys are hard, and the search stops at the first
 * key that fails (as Porcupine stops at the first illegal partition) unless every key is wanted.
 * Total work stays within a constant factor of searching each key once to its end. Budgets count
 * configurations, not time, so the result does not depend on the machine.
 */
function searchKeys(
  model: CompleteModel,
  initial: Json,
  partitions: KeyPartitions,
  limits: { deadline: number; maxCacheWords: number; allKeys: boolean },
): KeySearch {
  const result: KeySearch = { failures: [], unknown: [], skipped: 0, configurations: 0 };
  // Short keys first: their searches are cheap, and an anomaly on one ends the search early.
  const sizes = new Map(partitions.keys.map(({ key, size }) => [key, size]));
  let undecided = [...sizes.keys()].sort((a, b) => (sizes.get(a) ?? 0) - (sizes.get(b) ?? 0));
  for (let budget = FIRST_ROUND_CONFIGURATIONS; undecided.length > 0; budget *= BUDGET_GROWTH) {
    // A lone key gains nothing from rounds: search it to the end at once.
    const maxConfigurations = undecided.length > 1 ? budget : Number.POSITIVE_INFINITY;
    const still: (string | null)[] = [];
    for (let i = 0; i < undecided.length; i++) {
      const key = undecided[i];
      const outcome = searchPartition(model, initial, partitions.load(key), {
        deadline: limits.deadline,
        maxCacheWords: limits.maxCacheWords,
        maxConfigurations,
      });
      result.configurations += outcome.configurations;
      if (outcome.valid === false) {
        result.failures.push(describeFailure(model, key, outcome, initial));
        if (!limits.allKeys) {
          result.skipped = still.length + undecided.length - i - 1;
          return result;
        }
      } else if (outcome.reason === 'budget') still.push(key);
      else if (outcome.valid === 'unknown') result.unknown.push({ key, reason: outcome.reason ?? 'timeout' });
    }
    undecided = still;
  }
  return result;
}

function describeFailure(
  model: CompleteModel,
  key: string | null,
  outcome: PartitionOutcome,
  initial: Json,
): KeyFailure {
  const blocked = outcome.blocked as Operation;
  const prefix = outcome.prefix ?? [];
  const describe = (op: Operation): string => model.describeOperation(modelOp(op));
  const finalState = model.describeState(prefix.length > 0 ? prefix[prefix.length - 1].after : initial);
  const opDescription = describe(blocked);
  return {
    key,
    op: { index: blocked.index, process: blocked.process, description: opDescription },
    linearized: prefix.map(({ op, before, after }) => ({
      index: op.index,
      process: op.process,
      description: describe(op),
      before: model.describeState(before),
      after: model.describeState(after),
    })),
    finalState,
    explanation:
      `process ${blocked.process}'s ${opDescription} (operation ${blocked.index}) cannot be linearized: ` +
      `no order of the operations before its completion, each taking effect between its invocation and ` +
      `completion, explains what it returned`,
  };
}
