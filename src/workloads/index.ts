import { basename, extname, join, resolve } from 'node:path';
import { CHECKERS } from '../checkers.js';
import { UsageError } from '../errors.js';
import { keyNames } from '../generator/keys.js';
import { REGISTER_FS } from '../generator/register.js';
import { SET_FS } from '../generator/set.js';
import type { Json } from '../history/types.js';
import { readYamlFile } from '../io/yaml.js';
import type { OptionTable } from '../options/spec.js';
import { packageInfo } from '../run/package.js';
import { CACHE_ASIDE_OPTIONS } from '../stores/cache-aside/options.js';
import { resolveCacheAsideSettings } from '../stores/cache-aside/settings.js';
import { ISOLATION_LEVELS, type IsolationLevel } from '../stores/types.js';
import { CACHE_ASIDE_FS, cacheAsideWorkload, coldCacheOptions } from './cache-aside.js';
import { listAppendWorkload } from './list-append.js';
import { LOCK_OPTIONS, lockWorkload, resolveLockSettings } from './lock.js';
import { QUEUE_OPTIONS, queueWorkload, resolveQueueSettings } from './queue.js';
import { registerWorkload } from './register.js';
import { setWorkload } from './set.js';
import type { CheckerSpecs, Workload } from './types.js';

/** Built-in presets, in workloads/<name>.yaml. */
export const WORKLOADS = ['register', 'set', 'cache-aside', 'list-append', 'lock', 'queue'] as const;
/** Client kinds a preset's `client:` may name. */
const CLIENTS = ['register', 'set', 'cache-aside', 'list-append', 'lock', 'queue'] as const;
type ClientKind = (typeof CLIENTS)[number];
const FINALS = ['read-every-key'] as const;
/** Per client kind: its operations, default mix and keys, and the checkers that can judge it. */
const KINDS = {
  register: {
    fs: REGISTER_FS,
    mix: { read: 1, write: 1, cas: 1 },
    keys: 8,
    checkers: ['linearizable', 'stale-reads', 'perf'],
    defaultCheckers: { linearizable: {}, 'stale-reads': {}, perf: {} },
    // A preset that names the linearizable checker without a model has always meant this one.
    checkerDefaults: { linearizable: { model: 'cas-register' } },
  },
  set: {
    fs: SET_FS,
    mix: { add: 10, 'read-all': 1 },
    keys: 1,
    checkers: ['lost-writes', 'perf'],
    defaultCheckers: { 'lost-writes': {}, perf: {} },
    checkerDefaults: {},
  },
  'cache-aside': {
    fs: CACHE_ASIDE_FS,
    mix: { read: 9, write: 1 },
    keys: 1000,
    checkers: ['cold-cache', 'perf'],
    defaultCheckers: { 'cold-cache': {}, perf: {} },
    checkerDefaults: {},
  },
  'list-append': {
    fs: ['txn'],
    mix: { txn: 1 },
    keys: 8,
    checkers: ['transactions', 'perf'],
    defaultCheckers: { transactions: {}, perf: {} },
    checkerDefaults: {},
  },
  lock: {
    fs: ['acquire', 'write', 'release'],
    mix: {},
    keys: 1,
    checkers: ['lock', 'perf'],
    defaultCheckers: { lock: {}, perf: {} },
    checkerDefaults: {},
  },
  queue: {
    fs: ['enqueue', 'dequeue'],
    mix: {},
    keys: 1,
    checkers: ['queue', 'perf'],
    defaultCheckers: { queue: {}, perf: {} },
    checkerDefaults: {},
  },
} as const satisfies Record<ClientKind, unknown>;

/** Each client kind's own options of `dscheck run` (the help and the checks come from them). */
export const WORKLOAD_OPTIONS: Readonly<Partial<Record<ClientKind, OptionTable>>> = {
  'cache-aside': CACHE_ASIDE_OPTIONS,
  lock: LOCK_OPTIONS,
  queue: QUEUE_OPTIONS,
};

/**
 * The most keys a run may use, from a preset's `keys:` or `--keys` alike: each key is a separate
 * history to check and a value per process to remember.
 */
export const MAX_KEYS = 100_000;

/** Fields every workload preset may have; each client kind adds its own (`KIND_FIELDS`). */
const COMMON_FIELDS = ['name', 'description', 'client', 'keys', 'mix', 'final', 'checkers'] as const;
const KIND_FIELDS: Readonly<Record<ClientKind, readonly string[]>> = {
  register: [],
  set: [],
  'cache-aside': ['cache-aside'],
  'list-append': ['max-txn-length', 'isolation'],
  lock: ['lock'],
  queue: ['queue'],
};

/**
 * A `--workload` value's name: a built-in preset's, or a .yaml file's base name. Anything else is
 * a UsageError naming `--workload` and the valid choices.
 */
export function workloadName(nameOrPath: string): string {
  if (/\.ya?ml$/i.test(nameOrPath)) return basename(nameOrPath, extname(nameOrPath));
  if ((WORKLOADS as readonly string[]).includes(nameOrPath)) return nameOrPath;
  throw new UsageError(
    `unknown --workload '${nameOrPath}'; valid choices: ${WORKLOADS.join(', ')} (or the path of a .yaml preset)`,
  );
}

export interface WorkloadOverrides {
  keys?: number;
  /** The workload's own options from the command line, by option name without dashes (`ttl-jitter`). */
  options?: Readonly<Record<string, string | undefined>>;
}

/**
 * Loads a workload preset: a built-in name (workloads/<name>.yaml) or the path of a YAML file a
 * user copied and edited. Every problem in the file is a UsageError naming the field and the
 * valid choices.
 */
export function loadWorkload(nameOrPath: string, overrides: WorkloadOverrides = {}): Workload {
  const isPath = workloadName(nameOrPath) !== nameOrPath;
  const file = isPath ? resolve(nameOrPath) : join(packageInfo().root, 'workloads', `${nameOrPath}.yaml`);
  return fromDefinition(file, readYamlFile(file, 'workload preset'), overrides);
}

function fromDefinition(file: string, doc: unknown, overrides: WorkloadOverrides): Workload {
  const problem = (what: string) => new UsageError(`${file}: ${what}`);
  if (!isRecord(doc)) throw problem('expected a mapping of workload fields');
  const client = doc.client ?? 'register';
  if (!(CLIENTS as readonly unknown[]).includes(client)) {
    throw problem(`unknown client '${String(client)}'; valid choices: ${CLIENTS.join(', ')}`);
  }
  const kind = KINDS[client as ClientKind];
  const fields = [...COMMON_FIELDS, ...KIND_FIELDS[client as ClientKind]];
  for (const field of Object.keys(doc)) {
    if (!fields.includes(field)) {
      throw problem(
        `unknown field '${field}' for client ${String(client)}; valid fields: ${fields.join(', ')}`,
      );
    }
  }
  refuseOthersOptions(client as ClientKind, overrides.options ?? {});
  if (client === 'cache-aside') return cacheAsideFromDefinition(file, doc, overrides, problem);
  if (client === 'lock' || client === 'queue')
    return lessonFromDefinition(client, doc, overrides, problem, file);
  const keyCount = overrides.keys ?? doc.keys ?? kind.keys;
  if (typeof keyCount !== 'number' || !Number.isInteger(keyCount) || keyCount < 1 || keyCount > MAX_KEYS) {
    throw problem(
      `keys must be a whole number from 1 to ${MAX_KEYS} (as --keys), not ${JSON.stringify(keyCount)}`,
    );
  }
  const mix = readMix(doc.mix, kind.fs, kind.mix, problem);
  const final = doc.final ?? 'read-every-key';
  if (!(FINALS as readonly unknown[]).includes(final)) {
    throw problem(`unknown final '${String(final)}'; valid choices: ${FINALS.join(', ')}`);
  }
  const checkers = readCheckers(
    doc.checkers ?? kind.defaultCheckers,
    kind.checkers,
    problem,
    kind.checkerDefaults,
  );
  const definition = { ...(doc as Record<string, Json>), keys: keyCount, mix: { ...mix } } as Json;
  const def = { keys: keyNames(keyCount), checkers, source: file, definition };
  if (client === 'list-append') return listAppendFromDefinition(doc, def, problem);
  return client === 'set'
    ? setWorkload({ ...def, mix: mix as Record<(typeof SET_FS)[number], number> })
    : registerWorkload({ ...def, mix: mix as Record<(typeof REGISTER_FS)[number], number> });
}

/**
 * The cache-aside preset: its settings under `cache-aside:` (command-line options win), the key
 * count is the keyspace (`--keys` is taken as `--keyspace`).
 */
function cacheAsideFromDefinition(
  file: string,
  doc: Record<string, unknown>,
  overrides: WorkloadOverrides,
  problem: (what: string) => UsageError,
): Workload {
  const preset = doc['cache-aside'] ?? {};
  if (!isRecord(preset)) throw problem('cache-aside must be a mapping of settings');
  const cli = { ...overrides.options };
  if (overrides.keys !== undefined) {
    if (cli.keyspace !== undefined && Number(cli.keyspace) !== overrides.keys) {
      throw new UsageError(
        `--keys ${overrides.keys} and --keyspace ${cli.keyspace} disagree: give one of them`,
      );
    }
    cli.keyspace = String(overrides.keys);
  }
  // The preset alone first, so that its mistakes name the file, then the command line's options.
  resolveCacheAsideSettings([preset], problem);
  const withCli = resolveCacheAsideSettings(
    [preset, cli],
    (what) => new UsageError(what.startsWith('unknown ') ? `unknown --${what.slice(8)}` : `--${what}`),
  );
  const mix = readMix(doc.mix, CACHE_ASIDE_FS, KINDS['cache-aside'].mix, problem);
  // The cold-cache checker's options follow from the scenario's settings, whatever the preset says.
  const checkers = readCheckers(
    doc.checkers ?? KINDS['cache-aside'].defaultCheckers,
    KINDS['cache-aside'].checkers,
    problem,
    {},
    { 'cold-cache': coldCacheOptions(withCli) },
  );
  const definition = {
    ...(doc as Record<string, Json>),
    keys: withCli.keyspace,
    mix: { ...mix },
    'cache-aside': { ...withCli } as unknown as Json,
  } as Json;
  return cacheAsideWorkload({
    mix: mix as Record<(typeof CACHE_ASIDE_FS)[number], number>,
    settings: withCli,
    checkers,
    source: file,
    definition,
  });
}

/**
 * The lock and queue presets: their settings under `lock:` / `queue:` (command-line options win);
 * the queue checker holds the history to the delivery the run promised.
 */
function lessonFromDefinition(
  client: 'lock' | 'queue',
  doc: Record<string, unknown>,
  overrides: WorkloadOverrides,
  problem: (what: string) => UsageError,
  file: string,
): Workload {
  const preset = doc[client] ?? {};
  if (!isRecord(preset)) throw problem(`${client} must be a mapping of settings`);
  // The preset alone first, so that its mistakes name the file.
  try {
    (client === 'lock' ? resolveLockSettings : resolveQueueSettings)([preset]);
  } catch (err) {
    throw err instanceof UsageError ? problem(err.message) : err;
  }
  const layers = [preset, { ...overrides.options }];
  const kind = KINDS[client];
  if (client === 'lock') {
    const settings = resolveLockSettings(layers);
    const checkers = readCheckers(doc.checkers ?? kind.defaultCheckers, kind.checkers, problem, {});
    const definition = { ...(doc as Record<string, Json>), lock: { ...settings } } as Json;
    return lockWorkload({ settings, checkers, source: file, definition });
  }
  const settings = resolveQueueSettings(layers);
  const checkers = readCheckers(
    doc.checkers ?? kind.defaultCheckers,
    kind.checkers,
    problem,
    {},
    {
      queue: { promised: settings.delivery },
    },
  );
  const definition = { ...(doc as Record<string, Json>), queue: { ...settings } } as Json;
  return queueWorkload({ settings, checkers, source: file, definition });
}

/** Options of other workloads are a UsageError naming the workloads that have them. */
function refuseOthersOptions(client: ClientKind, given: Readonly<Record<string, string | undefined>>): void {
  const own = new Set(Object.values(WORKLOAD_OPTIONS[client] ?? {}).map((spec) => spec.name));
  const foreign = Object.keys(given).filter((name) => given[name] !== undefined && !own.has(name));
  if (foreign.length === 0) return;
  const owners = Object.entries(WORKLOAD_OPTIONS)
    .filter(([, table]) => Object.values(table ?? {}).some((spec) => foreign.includes(spec.name)))
    .map(([kind]) => `--workload ${kind}`);
  throw new UsageError(
    `${foreign.map((k) => `--${k}`).join(', ')} only apply to ${owners.join(' or ') || 'no workload'}, not to ${client}`,
  );
}

function readMix(
  raw: unknown,
  fs: readonly string[],
  defaults: Readonly<Record<string, number>>,
  problem: (what: string) => UsageError,
): Record<string, number> {
  if (raw === undefined) return { ...defaults };
  if (!isRecord(raw)) throw problem('mix must map operations to weights');
  const mix: Record<string, number> = Object.fromEntries(fs.map((f) => [f, 0]));
  for (const [f, weight] of Object.entries(raw)) {
    if (!fs.includes(f)) {
      throw problem(`unknown operation '${f}' in mix; valid choices: ${fs.join(', ')}`);
    }
    if (typeof weight !== 'number' || !(weight >= 0))
      throw problem(`mix weight of ${f} must be a number >= 0`);
    mix[f] = weight;
  }
  if (Object.values(mix).reduce((a, b) => a + b, 0) <= 0)
    throw problem('mix weights must add up to more than 0');
  return mix;
}

/**
 * The preset's `checkers:` mapping as planned checks, in the table's order: each checker checks
 * its own options, over the client kind's defaults and under the settings that override them.
 */
function readCheckers(
  raw: unknown,
  valid: readonly string[],
  problem: (what: string) => UsageError,
  defaults: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  overrides: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
): CheckerSpecs {
  if (!isRecord(raw)) throw problem(`checkers must be a mapping; valid names: ${valid.join(', ')}`);
  for (const name of Object.keys(raw)) {
    if (!valid.includes(name)) throw problem(`unknown checker '${name}'; valid choices: ${valid.join(', ')}`);
  }
  return CHECKERS.filter((checker) => checker.name in raw).map((checker) => {
    const given = raw[checker.name];
    const options = {
      ...defaults[checker.name],
      ...(isRecord(given) ? given : {}),
      ...overrides[checker.name],
    };
    return checker.plan(options, problem);
  });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The list-append preset's own fields: `max-txn-length` (a whole number of at least 1) and
 * `isolation` (the level each transaction asks for; `default` leaves the server's).
 */
function listAppendFromDefinition(
  doc: Record<string, unknown>,
  def: { keys: string[]; checkers: CheckerSpecs; source: string; definition: Json },
  problem: (what: string) => UsageError,
): Workload {
  const maxTxnLength = doc['max-txn-length'] ?? 4;
  if (typeof maxTxnLength !== 'number' || !Number.isInteger(maxTxnLength) || maxTxnLength < 1) {
    throw problem(`max-txn-length must be a whole number of at least 1, not ${JSON.stringify(maxTxnLength)}`);
  }
  const isolation = doc.isolation ?? 'default';
  if (isolation === 'default') return listAppendWorkload({ ...def, keys: def.keys.length, maxTxnLength });
  if (!(ISOLATION_LEVELS as readonly unknown[]).includes(isolation)) {
    throw problem(
      `unknown isolation '${String(isolation)}'; valid choices: default, ${ISOLATION_LEVELS.join(', ')}`,
    );
  }
  return listAppendWorkload({
    ...def,
    keys: def.keys.length,
    maxTxnLength,
    txn: { isolation: isolation as IsolationLevel },
  });
}
