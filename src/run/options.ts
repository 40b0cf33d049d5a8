import { parseEndpoints } from '../docker/swarm/endpoints.js';
import { UsageError } from '../errors.js';
import { MAX_SEED } from '../generator/random.js';
import { CLOCK_KINDS } from '../nemesis/clock.js';
import { PARTITION_SHAPES } from '../nemesis/grudge.js';
import { NEMESIS_KINDS, parseNemesisKinds } from '../nemesis/schedule.js';
import {
  attributeOf,
  type CliValues,
  choice,
  number,
  type OptionSpec,
  type OptionTable,
  optionWords,
  readOptions,
  repeatableOption,
  switchOption,
  text,
  type ValuesOf,
  valueOption,
} from '../options/spec.js';
import { STORE_NAMES, STORES } from '../stores/index.js';
import { parseServerOption } from '../stores/server-options.js';
import { MAX_KEYS, WORKLOAD_OPTIONS, WORKLOADS, workloadName } from '../workloads/index.js';

/**
 * `dscheck run`'s options, as one table: the command line, the help, the defaults, the checks,
 * the matrix presets' keys, the reproduce command and test.json's options all come from it.
 * A store's own options are in its folder (`Store.options`), a workload's in its file
 * (`WORKLOAD_OPTIONS`). Adding a generic option is one line here.
 */

/** `dscheck run`'s options as the command line gives them, by commander attribute (`timeLimit`). */
export type RunCliOptions = CliValues;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

function runName(given: string): string {
  if (!NAME.test(given))
    throw new UsageError(`--name '${given}' must be letters, digits and . _ + - (it names a folder)`);
  return given;
}

/**
 * The Docker engines of one Swarm to spread the nodes over (node i on host i mod H); absent: the
 * local engine. Kept as written (checked here), so the reproduce command repeats it.
 */
export const HOSTS_OPTION = valueOption(
  {
    name: 'hosts',
    value: 'endpoints',
    help: 'Docker engines of one Swarm, comma-separated (ssh://user@host, tcp://host:2376, unix:///path); default: the local engine',
    matrixHelp: 'the Docker engines of one Swarm every run uses (default: the local engine)',
  },
  (given) =>
    parseEndpoints(given)
      .map((e) => e.text)
      .join(','),
);

/** The options that say what runs and on which cluster (the reproduce command gives them first). */
const CLUSTER_OPTIONS = {
  store: valueOption(
    { name: 'store', value: 'store', help: `the data store: ${STORE_NAMES.join(', ')}`, default: 'redis' },
    text,
  ),
  workload: valueOption(
    {
      name: 'workload',
      value: 'workload',
      help: `a preset (${WORKLOADS.join(', ')}) or the path of a .yaml preset`,
      default: 'register',
    },
    text,
  ),
  nemesis: valueOption(
    {
      name: 'nemesis',
      value: 'kinds',
      help: `faults, comma-separated: ${NEMESIS_KINDS.join(', ')}; or none`,
      default: 'partition',
    },
    (given) => {
      const { kinds, unknown } = parseNemesisKinds(given);
      if (unknown.length > 0) {
        throw new UsageError(
          `unknown --nemesis '${unknown.join(',')}'; valid choices: none, or any of ${NEMESIS_KINDS.join(', ')} joined by commas`,
        );
      }
      return kinds;
    },
  ),
  timeLimitS: valueOption(
    {
      name: 'time-limit',
      value: 'seconds',
      help: 'how long the clients run',
      default: '60',
      matrixHelp: "every run's time limit (default: the preset's)",
    },
    number({ min: 1 }),
  ),
  seed: valueOption(
    {
      name: 'seed',
      value: 'n',
      help: 'random seed (0..4294967295); the same seed gives the same operations and faults (default: random, printed)',
      matrixHelp: "the seed of every run (default: the preset's, or random, printed)",
    },
    number({ min: 0, max: MAX_SEED, integer: true }),
  ),
  concurrency: valueOption(
    {
      name: 'concurrency',
      value: 'n',
      help: 'concurrent client processes',
      default: '10',
      matrixHelp: "every run's client processes (default: the preset's)",
    },
    number({ min: 1, max: 1000, integer: true }),
  ),
  rate: valueOption(
    {
      name: 'rate',
      value: 'ops/s',
      help: 'total operations per second; 0 = as fast as the store answers',
      default: '500',
      matrixHelp: "every run's total operations per second (default: the preset's)",
    },
    number({ min: 0 }),
  ),
  keys: valueOption(
    { name: 'keys', value: 'n', help: "number of keys (default: the workload's)" },
    number({ min: 1, max: MAX_KEYS, integer: true }),
  ),
  topology: valueOption(
    {
      name: 'topology',
      value: 'topology',
      help: `cluster topology (default: the store's; ${perStore((s) => s.topologies)})`,
    },
    text,
  ),
  readFrom: valueOption(
    {
      name: 'read-from',
      value: 'where',
      help: `where clients read (default: the store's first choice; ${perStore((s) => s.readFromChoices)})`,
    },
    text,
  ),
  nodes: valueOption(
    { name: 'nodes', value: 'n', help: "number of store nodes, 1..9 (default: the store's; 3)" },
    number({ min: 1, max: 9, integer: true }),
  ),
  hosts: HOSTS_OPTION,
  serverOptions: repeatableOption(
    {
      name: 'server-option',
      value: 'name=value',
      help: "a line of the store's server configuration (MariaDB [mysqld], redis.conf, cassandra.yaml), repeatable; the server checks it at start-up",
    },
    parseServerOption,
  ),
} satisfies OptionTable;

/** The fault schedule and where results go (the reproduce command gives them after the store's). */
const SCHEDULE_OPTIONS = {
  nemesisIntervalS: valueOption(
    {
      name: 'nemesis-interval',
      value: 'seconds',
      help: 'length of each healthy and each faulty period',
      default: '10',
      matrixHelp: "every run's healthy and faulty periods (default: the preset's)",
    },
    number({ min: 0.1 }),
  ),
  partition: valueOption(
    {
      name: 'partition',
      value: 'shape',
      help: `partition shape: ${PARTITION_SHAPES.join(', ')}`,
      default: 'random-halves',
    },
    choice(PARTITION_SHAPES),
  ),
  loss: valueOption(
    {
      name: 'loss',
      value: 'share',
      help: 'share of packets dropped by the loss nemesis (0..1)',
      default: '0.2',
    },
    number({ min: 0, max: 1 }),
  ),
  clock: valueOption(
    {
      name: 'clock',
      value: 'kind',
      help: `clock fault: ${CLOCK_KINDS.join(', ')} (one node jumps by ±skew; one node set back by the skew; one node set ahead by it; every node off by up to the skew; one node flips between +skew and -skew every second)`,
      default: 'bump',
    },
    choice(CLOCK_KINDS),
  ),
  clockSkewMs: valueOption(
    {
      name: 'clock-skew-ms',
      value: 'ms',
      help: 'largest clock offset of the clock nemesis',
      default: '5000',
    },
    number({ min: 1, integer: true }),
  ),
  recoveryS: valueOption(
    {
      name: 'recovery',
      value: 'seconds',
      help: 'wait after healing before the final reads',
      default: '5',
      matrixHelp: "every run's wait after healing (default: the preset's)",
    },
    number({ min: 0 }),
  ),
  timeoutMs: valueOption(
    { name: 'timeout', value: 'ms', help: 'client operation timeout', default: '1000' },
    number({ min: 1, integer: true }),
  ),
  out: valueOption({ name: 'out', value: 'dir', help: 'where run folders go', default: 'reports' }, text),
  name: valueOption(
    { name: 'name', value: 'name', help: 'run name (default: <store>-<workload>-<nemesis>)' },
    runName,
  ),
} satisfies OptionTable;

/** Every generic option of `dscheck run`, keyed by its field in RunConfig. */
export const RUN_OPTIONS = { ...CLUSTER_OPTIONS, ...SCHEDULE_OPTIONS };

/**
 * How `dscheck run` answers, not what it runs: kept out of RunConfig, so test.json, the reproduce
 * command and matrix presets never hold them.
 */
export const RUN_MODE_OPTIONS = {
  json: switchOption({
    name: 'json',
    help: 'print one JSON object on stdout at the end (verdict, exit code, folder, checkers), or a JSON error; progress stays on stderr',
  }),
  dryRun: switchOption({
    name: 'dry-run',
    help: 'resolve and check every option, print the plan (reproduce command, test.json options) and exit 0 without starting anything',
  }),
  checkpointMin: valueOption(
    {
      name: 'checkpoint',
      value: 'minutes',
      help: 'every this many minutes, check what was recorded so far and refresh results.json and the page, so a run that is killed still leaves a verdict (0: never)',
      default: '10',
    },
    number({ min: 0 }),
  ),
} satisfies OptionTable;

/** The stores' own options, each name once (two stores may share one); help prefixed by the stores. */
export function storeOptionSpecs(): OptionSpec[] {
  return mergeByName(Object.values(STORES).map((s) => ({ owner: s.name, table: s.options })));
}

/** The workloads' own options, each name once; help prefixed by the workloads. */
export function workloadOptionSpecs(): OptionSpec[] {
  return mergeByName(Object.entries(WORKLOAD_OPTIONS).map(([owner, table]) => ({ owner, table })));
}

/** Every option `dscheck run` takes, in help order: generic, then per store, then per workload. */
export function runOptionSpecs(): OptionSpec[] {
  return [...Object.values(RUN_OPTIONS), ...storeOptionSpecs(), ...workloadOptionSpecs()];
}

/** What `dscheck run` declares: its run options, then how it answers. */
export function runCommandSpecs(): OptionSpec[] {
  return [...runOptionSpecs(), ...Object.values(RUN_MODE_OPTIONS)];
}

/** The generic options' defaults, by attribute (what commander would give without arguments). */
export const RUN_DEFAULTS: RunCliOptions = Object.fromEntries(
  Object.values(RUN_OPTIONS).flatMap((spec) =>
    spec.default === undefined ? [] : [[attributeOf(spec.name), spec.default]],
  ),
);

/** A run's settings, checked. The store's and the workload's own options are kept raw, by name. */
export type RunConfig = Omit<ValuesOf<typeof RUN_OPTIONS>, 'seed' | 'name'> & {
  seed: number;
  name: string;
  /** What the user gave of the stores' own options (checked against the store by `validateRun`). */
  storeOptions: CliValues;
  /** The workload options given on the command line, by name; the workload checks them. */
  workloadOptions: Record<string, string>;
};

/**
 * Checks every generic option before anything is created; a bad value is a UsageError that
 * names the option and what it accepts. `randomSeed` is called only when no seed was given.
 */
export function resolveRunConfig(cli: RunCliOptions, randomSeed: () => number): RunConfig {
  const values = readOptions(RUN_OPTIONS, cli);
  const derivedName = `${values.store}-${workloadName(values.workload)}-${values.nemesis.length > 0 ? values.nemesis.join('+') : 'none'}`;
  return {
    ...values,
    seed: values.seed ?? randomSeed(),
    name: values.name ?? runName(derivedName),
    storeOptions: Object.fromEntries(
      storeOptionSpecs().map((spec) => [attributeOf(spec.name), cli[attributeOf(spec.name)]]),
    ),
    workloadOptions: Object.fromEntries(
      workloadOptionSpecs().flatMap((spec) => {
        const value = cli[attributeOf(spec.name)];
        return value === undefined ? [] : [[spec.name, String(value)]];
      }),
    ),
  };
}

/** What a run resolved to, beyond its config: the values the store and workload settled on. */
export interface ResolvedValues {
  topology: string;
  readFrom: string;
  keys: number;
  nodes: number;
  store: { readonly options: OptionTable };
  /** The store's own options with their defaults, by field of `store.options`. */
  storeValues: Readonly<Record<string, unknown>>;
}

/** Options that only a nemesis kind reads, by option name: a reproduce command leaves them out without it. */
export const NEMESIS_ONLY_OPTIONS: Readonly<Record<string, string>> = {
  partition: 'partition',
  loss: 'loss',
  clock: 'clock',
  'clock-skew-ms': 'clock',
};

/** Options of the fault schedule: idle when a run has no nemesis at all. */
const SCHEDULE_ONLY_OPTIONS = new Set(['nemesis-interval']);

/**
 * A command's words without the options of nemeses it does not run (`--partition` of a run with
 * no partition, `--nemesis-interval` of a run with no nemesis), for commands stored before the
 * reproduce command left them out.
 */
export function withoutIdleOptions(words: readonly string[], nemesis: readonly string[]): string[] {
  return words.filter((word, i) => {
    const idle = (w: string | undefined) => {
      const name = w?.startsWith('--') ? w.slice(2) : undefined;
      if (name === undefined) return false;
      if (SCHEDULE_ONLY_OPTIONS.has(name)) return nemesis.length === 0;
      const kind = NEMESIS_ONLY_OPTIONS[name];
      return kind !== undefined && !nemesis.includes(kind);
    };
    return !idle(word) && !idle(words[i - 1]);
  });
}

/** The command line that repeats a run: every setting spelled out, the seed included. */
export function reproduceCommand(config: RunConfig, resolved: ResolvedValues): string {
  return reproduceArgs(config, resolved)
    .map((a) => shellQuote(a))
    .join(' ');
}

/** The reproduce command's words (`dscheck`, `run`, then the options), unquoted. */
export function reproduceArgs(config: RunConfig, resolved: ResolvedValues): string[] {
  const effective: Record<string, unknown> = {
    ...config,
    nemesis: config.nemesis.length > 0 ? config.nemesis.join(',') : 'none',
    keys: resolved.keys,
    topology: resolved.topology,
    readFrom: resolved.readFrom,
    nodes: resolved.nodes,
  };
  const generic = (table: OptionTable) =>
    Object.entries(table).flatMap(([field, spec]) => optionWords(spec, effective[field]));
  const args = [
    'dscheck',
    'run',
    ...generic(CLUSTER_OPTIONS),
    ...Object.entries(resolved.store.options).flatMap(([field, spec]) =>
      optionWords(spec, resolved.storeValues[field]),
    ),
    ...withoutIdleOptions(generic(SCHEDULE_OPTIONS), config.nemesis),
    ...Object.entries(config.workloadOptions).flatMap(([name, value]) => [`--${name}`, value]),
  ];
  return args.map(String);
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./,:=+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function perStore(choices: (store: (typeof STORES)[string]) => readonly string[]): string {
  return Object.values(STORES)
    .map((s) => `${s.name}: ${choices(s).join(', ')}`)
    .join('; ');
}

/** One spec per option name; the help says which stores or workloads have it. */
function mergeByName(owners: readonly { owner: string; table: OptionTable }[]): OptionSpec[] {
  const merged = new Map<string, { spec: OptionSpec; owners: string[] }>();
  for (const { owner, table } of owners) {
    for (const spec of Object.values(table)) {
      const seen = merged.get(spec.name);
      if (seen) seen.owners.push(owner);
      else merged.set(spec.name, { spec, owners: [owner] });
    }
  }
  return [...merged.values()].map(({ spec, owners: names }) => ({
    ...spec,
    help: `${names.join(', ')}: ${spec.help}`,
  }));
}
