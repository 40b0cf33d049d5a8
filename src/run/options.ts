import { basename, extname } from 'node:path';
import { oneOf, UsageError } from '../errors.js';
import { MAX_SEED } from '../generator/random.js';
import { PARTITION_SHAPES, type PartitionShape } from '../nemesis/grudge.js';
import { NEMESIS_KINDS, type NemesisKind, parseNemesisKinds } from '../nemesis/schedule.js';

/** `dscheck run`'s options as the command line gives them (strings; absent when not given). */
export interface RunCliOptions {
  store: string;
  workload: string;
  nemesis: string;
  timeLimit: string;
  seed?: string;
  concurrency: string;
  rate: string;
  keys?: string;
  topology?: string;
  readFrom?: string;
  nodes?: string;
  consistency?: string;
  lwt?: boolean;
  waitReplicas?: string;
  nemesisInterval: string;
  partition: string;
  loss: string;
  recovery: string;
  timeout: string;
  out: string;
  name?: string;
  /** cache-aside (default: the preset's; see workloads/cache-aside.yaml). */
  cacheNodes?: string;
  sharding?: string;
  ttl?: string;
  ttlJitter?: string;
  writePolicy?: string;
  dbTimeout?: string;
  dbPool?: string;
  dbMaxConnections?: string;
  dbQueryMs?: string;
  zipf?: string;
  keyspace?: string;
  prefill?: string;
  warmUp?: string;
  restart?: string;
  dbCapacity?: string;
  maxErrorRate?: string;
}

/** The cache-aside workload's options: RunCliOptions field -> the name the preset and `--` use. */
export const CACHE_ASIDE_CLI = {
  cacheNodes: 'cache-nodes',
  sharding: 'sharding',
  ttl: 'ttl',
  ttlJitter: 'ttl-jitter',
  writePolicy: 'write-policy',
  dbTimeout: 'db-timeout',
  dbPool: 'db-pool',
  dbMaxConnections: 'db-max-connections',
  dbQueryMs: 'db-query-ms',
  zipf: 'zipf',
  keyspace: 'keyspace',
  prefill: 'prefill',
  warmUp: 'warm-up',
  restart: 'restart',
  dbCapacity: 'db-capacity',
  maxErrorRate: 'max-error-rate',
} as const satisfies Partial<Record<keyof RunCliOptions, string>>;

export const RUN_DEFAULTS = {
  store: 'redis',
  workload: 'register',
  nemesis: 'partition',
  timeLimit: '60',
  concurrency: '10',
  rate: '500',
  nemesisInterval: '10',
  partition: 'random-halves',
  loss: '0.2',
  recovery: '5',
  timeout: '1000',
  out: 'reports',
} as const satisfies Partial<RunCliOptions>;

/** A run's settings, checked. Store-specific ones (topology, read-from) are checked against the store later. */
export interface RunConfig {
  store: string;
  workload: string;
  nemesis: NemesisKind[];
  timeLimitS: number;
  seed: number;
  concurrency: number;
  rate: number;
  keys?: number;
  topology?: string;
  readFrom?: string;
  nodes?: number;
  consistency?: string;
  lwt: boolean;
  waitReplicas?: number;
  nemesisIntervalS: number;
  partition: PartitionShape;
  loss: number;
  recoveryS: number;
  timeoutMs: number;
  out: string;
  name: string;
  /** The cache-aside options given on the command line, by name (`ttl-jitter`); the workload checks them. */
  cacheAside: Record<string, string>;
}

/**
 * Checks every option before anything is created; a bad value is a UsageError that names the
 * option and what it accepts. `randomSeed` is called only when no seed was given.
 */
export function resolveRunConfig(cli: RunCliOptions, randomSeed: () => number): RunConfig {
  const { kinds, unknown } = parseNemesisKinds(cli.nemesis);
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown --nemesis '${unknown.join(',')}'; valid choices: none, or any of ${NEMESIS_KINDS.join(', ')} joined by commas`,
    );
  }
  const partition = cli.partition;
  if (!(PARTITION_SHAPES as readonly string[]).includes(partition)) {
    throw new UsageError(`unknown --partition '${partition}'; valid choices: ${PARTITION_SHAPES.join(', ')}`);
  }
  const workloadName = /\.ya?ml$/i.test(cli.workload)
    ? basename(cli.workload, extname(cli.workload))
    : cli.workload;
  const name = cli.name ?? `${cli.store}-${workloadName}-${kinds.length > 0 ? kinds.join('+') : 'none'}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name)) {
    throw new UsageError(`--name '${name}' must be letters, digits and . _ + - (it names a folder)`);
  }
  return {
    store: cli.store,
    workload: cli.workload,
    nemesis: kinds,
    timeLimitS: numberOption('--time-limit', cli.timeLimit, { min: 1 }),
    seed:
      cli.seed === undefined
        ? randomSeed()
        : numberOption('--seed', cli.seed, { min: 0, max: MAX_SEED, integer: true }),
    concurrency: numberOption('--concurrency', cli.concurrency, { min: 1, max: 1000, integer: true }),
    rate: numberOption('--rate', cli.rate, { min: 0 }),
    keys:
      cli.keys === undefined
        ? undefined
        : numberOption('--keys', cli.keys, { min: 1, max: 100_000, integer: true }),
    topology: cli.topology,
    readFrom: cli.readFrom,
    nodes:
      cli.nodes === undefined
        ? undefined
        : numberOption('--nodes', cli.nodes, { min: 1, max: 9, integer: true }),
    consistency: cli.consistency,
    lwt: cli.lwt === true,
    waitReplicas:
      cli.waitReplicas === undefined
        ? undefined
        : numberOption('--wait-replicas', cli.waitReplicas, { min: 0, max: 8, integer: true }),
    nemesisIntervalS: numberOption('--nemesis-interval', cli.nemesisInterval, { min: 0.1 }),
    partition: partition as PartitionShape,
    loss: numberOption('--loss', cli.loss, { min: 0, max: 1 }),
    recoveryS: numberOption('--recovery', cli.recovery, { min: 0 }),
    timeoutMs: numberOption('--timeout', cli.timeout, { min: 1, integer: true }),
    out: cli.out,
    name,
    cacheAside: Object.fromEntries(
      Object.entries(CACHE_ASIDE_CLI).flatMap(([field, option]) => {
        const value = cli[field as keyof typeof CACHE_ASIDE_CLI];
        return value === undefined ? [] : [[option, String(value)]];
      }),
    ),
  };
}

/**
 * `--consistency` and `--lwt`, checked against the store: its level (the default when not given),
 * or undefined for a store without levels. Asking a store without them is a UsageError that
 * names the stores that have them.
 */
export function resolveConsistency(
  config: RunConfig,
  store: { name: string; consistencyChoices?: readonly string[]; defaultConsistency?: string },
  storesWithLevels: readonly string[],
): string | undefined {
  const choices = store.consistencyChoices;
  if (!choices) {
    const option = config.consistency !== undefined ? '--consistency' : config.lwt ? '--lwt' : undefined;
    if (option)
      throw new UsageError(
        `${option} is not offered by ${store.name}; stores that have it: ${storesWithLevels.join(', ')}`,
      );
    return undefined;
  }
  return oneOf('--consistency', config.consistency ?? store.defaultConsistency ?? choices[0], choices);
}

function numberOption(
  option: string,
  text: string,
  range: { min?: number; max?: number; integer?: boolean },
): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const kind = range.integer ? 'a whole number' : 'a number';
  const bounds = [
    range.min === undefined ? '' : `>= ${range.min}`,
    range.max === undefined ? '' : `<= ${range.max}`,
  ].filter((b) => b !== '');
  const ok =
    Number.isFinite(value) &&
    (!range.integer || Number.isInteger(value)) &&
    (range.min === undefined || value >= range.min) &&
    (range.max === undefined || value <= range.max);
  if (!ok)
    throw new UsageError(
      `${option} must be ${kind}${bounds.length ? ` ${bounds.join(' and ')}` : ''}, not '${text}'`,
    );
  return value;
}

/** The command line that repeats a run: every setting spelled out, the seed included. */
export function reproduceCommand(
  config: RunConfig,
  resolved: { topology: string; readFrom: string; keys: number; nodes: number; consistency?: string },
): string {
  const args = [
    'dscheck',
    'run',
    ['--store', config.store],
    ['--workload', config.workload],
    ['--nemesis', config.nemesis.length > 0 ? config.nemesis.join(',') : 'none'],
    ['--time-limit', config.timeLimitS],
    ['--seed', config.seed],
    ['--concurrency', config.concurrency],
    ['--rate', config.rate],
    ['--keys', resolved.keys],
    ['--topology', resolved.topology],
    ['--read-from', resolved.readFrom],
    ['--nodes', resolved.nodes],
    resolved.consistency === undefined ? [] : ['--consistency', resolved.consistency],
    config.lwt ? ['--lwt'] : [],
    config.waitReplicas === undefined ? [] : ['--wait-replicas', config.waitReplicas],
    ['--nemesis-interval', config.nemesisIntervalS],
    ['--partition', config.partition],
    ['--loss', config.loss],
    ['--recovery', config.recoveryS],
    ['--timeout', config.timeoutMs],
    ['--out', config.out],
    ['--name', config.name],
    Object.entries(config.cacheAside).map(([option, value]) => [`--${option}`, value]),
  ].flat(2);
  return args.map((a) => shellQuote(String(a))).join(' ');
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./,:=+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
