import type { Json, Operation } from '../../history/types.js';
import type { CheckerResult, Validity } from '../types.js';
import { type PartitionOutcome, searchPartition } from './engine.js';
import { assertFits, type CompleteModel, MODELS, type ModelName } from './models.js';

export { inferModel, MODEL_NAMES, type ModelName } from './models.js';

/** Configurations per key in the first round (see below). */
const FIRST_ROUND_CONFIGURATIONS = 5_000;

export interface LinearizabilityOptions {
  model: ModelName;
  /** The object's initial value per key (default: the model's own, e.g. null for registers). */
  initialValue?: Json;
  /** Give up after this long and answer 'unknown' (default 300 s). */
  timeoutMs?: number;
  /** Bytes the configuration caches may take before the search gives up (default 1 GiB). */
  maxCacheBytes?: number;
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
  /** Configurations the search stored: its work. */
  configurations: number;
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
  assertFits(model, operations);
  const deadline = started + (options.timeoutMs ?? 300_000);
  const maxCacheWords = Math.floor((options.maxCacheBytes ?? 2 ** 30) / 4);
  const initial = model.init(options.initialValue);

  const byKey = new Map<string | null, Operation[]>();
  for (const op of operations) {
    if (op.outcome === 'fail') continue;
    if (op.pending && model.reads.includes(op.f)) continue;
    let list = byKey.get(op.key);
    if (!list) {
      list = [];
      byKey.set(op.key, list);
    }
    list.push(op);
  }
  const keys = new Set(operations.map((op) => op.key)).size;

  // Keys are searched in rounds: first each with a small budget of configurations, so an anomaly
  // on any key is found fast (as Porcupine stops at the first illegal partition); then the keys
  // still undecided with no limit, unless an anomaly was already found. Budgets count
  // configurations, not time, so the result does not depend on the machine.
  const failures: KeyFailure[] = [];
  const unknown: { key: string | null; reason: string }[] = [];
  let configurations = 0;
  let undecided = [...byKey.keys()];
  for (const budget of [FIRST_ROUND_CONFIGURATIONS, Number.POSITIVE_INFINITY]) {
    // A lone key gains nothing from a first round: search it to the end at once.
    const maxConfigurations = undecided.length > 1 ? budget : Number.POSITIVE_INFINITY;
    const still: (string | null)[] = [];
    for (const key of undecided) {
      const outcome = searchPartition(model, initial, byKey.get(key) ?? [], {
        deadline,
        maxCacheWords,
        maxConfigurations,
      });
      configurations += outcome.configurations;
      if (outcome.valid === false) failures.push(describeFailure(model, key, outcome, initial));
      else if (outcome.reason === 'budget') still.push(key);
      else if (outcome.valid === 'unknown') unknown.push({ key, reason: outcome.reason ?? 'timeout' });
    }
    undecided = still;
    if (failures.length > 0) break;
  }
  for (const key of undecided)
    unknown.push({ key, reason: 'not searched further: another key is not linearizable' });
  const valid: Validity = failures.length > 0 ? false : unknown.length > 0 ? 'unknown' : true;
  return {
    valid,
    model: options.model,
    ops: operations.length,
    keys,
    ms: Math.round(performance.now() - started),
    failures,
    unknown,
    configurations,
  };
}

function describeFailure(
  model: CompleteModel,
  key: string | null,
  outcome: PartitionOutcome,
  initial: Json,
): KeyFailure {
  const blocked = outcome.blocked as Operation;
  const prefix = outcome.prefix ?? [];
  const describe = (op: Operation): string =>
    model.describeOperation({
      f: op.f,
      input: op.input,
      output: op.pending ? undefined : op.output,
      pending: op.pending,
    });
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
