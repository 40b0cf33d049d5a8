import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import { RUN_DEFAULTS, type RunCliOptions } from './options.js';
import { packageInfo } from './package.js';
import { type ResolvedRun, resolveRun } from './resolve.js';

/**
 * Matrix presets: a grid of runs that differ in a few options, with an explanation of the
 * tradeoff they show and what to look for on the comparison page. YAML files in workloads/ with
 * `kind: matrix`; a user copies one and passes its path. Parsing and planning are pure; only
 * `loadMatrixPreset` reads a file.
 */

/** One option `dscheck run` takes, as its command table declares it. */
export interface RunOptionSpec {
  /** The option's name without dashes, as presets spell it: `time-limit`. */
  key: string;
  /** Its field in RunCliOptions: `timeLimit`. */
  attribute: string;
  /** True for a switch (`--lwt`): a preset gives it true or false. */
  flag: boolean;
}

export interface MatrixVariant {
  /** Short, folder-safe: it names the run (`<preset>-<variant>`). */
  name: string;
  /** The row's name on the page. */
  label: string;
  /** Run options that differ from `common`, by preset key. */
  options: Record<string, string | boolean>;
}

export interface MatrixPreset {
  name: string;
  title: string;
  explanation: string;
  lookFor: string;
  common: Record<string, string | boolean>;
  variants: MatrixVariant[];
  /** The file it came from, for messages. */
  source: string;
}

/** What the command line may set for every run of a grid; it wins over the preset. */
export interface MatrixOverrides {
  timeLimit?: string;
  seed?: string;
  rate?: string;
  concurrency?: string;
  nemesisInterval?: string;
  recovery?: string;
}

export interface PlannedRun {
  variant: MatrixVariant;
  /** `dscheck run`'s options for this run, every one validated by `resolveRun`. */
  cli: RunCliOptions;
  resolved: ResolvedRun;
}

const TOP_KEYS = ['kind', 'name', 'title', 'explanation', 'look-for', 'common', 'variants'] as const;
const VARIANT_KEYS = ['name', 'label', 'options'] as const;
/** Set by the matrix itself: every run of a grid goes under its --out, named after its variant. */
const MATRIX_OWNED = new Set(['out', 'name']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** Parses and checks a preset's document (no run options checked yet: see `planMatrix`). */
export function parseMatrixPreset(
  source: string,
  doc: unknown,
  specs: readonly RunOptionSpec[],
): MatrixPreset {
  const problem = (what: string) => new UsageError(`${source}: ${what}`);
  if (!isRecord(doc)) throw problem('expected a mapping with kind: matrix, name, title, common and variants');
  unknownKeys(doc, TOP_KEYS, '', problem);
  if (doc.kind !== 'matrix') {
    throw problem(
      `kind must be 'matrix', not ${JSON.stringify(doc.kind)} (a workload preset goes to --workload)`,
    );
  }
  const name = requiredText(doc, 'name', problem);
  if (!NAME.test(name))
    throw problem(`name '${name}' must be letters, digits and . _ + - (it names folders)`);
  const common = readOptions(doc.common ?? {}, 'common', specs, problem);
  if (!Array.isArray(doc.variants) || doc.variants.length === 0) {
    throw problem('variants must be a list of {name, label, options}, at least one');
  }
  const seen = new Set<string>();
  const variants = doc.variants.map((raw, i): MatrixVariant => {
    const where = `variants[${i}]`;
    if (!isRecord(raw)) throw problem(`${where} must be a mapping with name, label and options`);
    unknownKeys(raw, VARIANT_KEYS, `${where}.`, problem);
    const variantName = requiredText(raw, 'name', problem, where);
    if (!NAME.test(variantName)) {
      throw problem(`${where}.name '${variantName}' must be letters, digits and . _ + - (it names the run)`);
    }
    if (seen.has(variantName)) throw problem(`${where}.name '${variantName}' is used twice`);
    seen.add(variantName);
    return {
      name: variantName,
      label: typeof raw.label === 'string' && raw.label.trim() !== '' ? raw.label : variantName,
      options: readOptions(raw.options ?? {}, `variant '${variantName}' options`, specs, problem),
    };
  });
  return {
    name,
    title: requiredText(doc, 'title', problem),
    explanation: requiredText(doc, 'explanation', problem),
    lookFor: requiredText(doc, 'look-for', problem),
    common,
    variants,
    source,
  };
}

/**
 * Every run of the grid with its options: defaults < common < variant < command line. Each run is
 * validated exactly as `dscheck run` validates it; a bad value is a UsageError naming the file,
 * the variant and the option. All variants share one seed (the same operations and fault
 * schedule) unless one sets its own.
 */
export function planMatrix(
  preset: MatrixPreset,
  options: { out: string; overrides?: MatrixOverrides; seed: number },
  specs: readonly RunOptionSpec[],
): PlannedRun[] {
  const byKey = new Map(specs.map((s) => [s.key, s]));
  const toCli = (values: Record<string, string | boolean>): Partial<RunCliOptions> =>
    Object.fromEntries(
      Object.entries(values).map(([key, value]) => [byKey.get(key)?.attribute ?? key, value]),
    ) as Partial<RunCliOptions>;
  const overrides = Object.fromEntries(
    Object.entries(options.overrides ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<RunCliOptions>;
  return preset.variants.map((variant) => {
    const cli: RunCliOptions = {
      ...RUN_DEFAULTS,
      seed: String(options.seed),
      ...toCli(preset.common),
      ...toCli(variant.options),
      ...overrides,
      out: options.out,
      name: `${preset.name}-${variant.name}`,
    };
    try {
      return { variant, cli, resolved: resolveRun(cli, () => options.seed) };
    } catch (err) {
      if (err instanceof UsageError) {
        throw new UsageError(`${preset.source}: variant '${variant.name}': ${err.message}`);
      }
      throw err;
    }
  });
}

/** The built-in presets' names: workloads/*.yaml files with kind: matrix. */
export const MATRIX_PRESETS = ['cap-cassandra', 'replication-mysql', 'redis-failover', 'cold-cache'] as const;

/** Reads a preset: a built-in name or the path of a YAML file. */
export function loadMatrixPreset(nameOrPath: string, specs: readonly RunOptionSpec[]): MatrixPreset {
  const isPath = /\.ya?ml$/i.test(nameOrPath);
  if (!isPath && !(MATRIX_PRESETS as readonly string[]).includes(nameOrPath)) {
    throw new UsageError(
      `unknown matrix preset '${nameOrPath}'; valid choices: ${MATRIX_PRESETS.join(', ')} (or the path of a .yaml preset)`,
    );
  }
  const file = isPath ? resolve(nameOrPath) : join(packageInfo().root, 'workloads', `${nameOrPath}.yaml`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read matrix preset ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  return parseMatrixPreset(file, doc, specs);
}

function readOptions(
  raw: unknown,
  where: string,
  specs: readonly RunOptionSpec[],
  problem: (what: string) => UsageError,
): Record<string, string | boolean> {
  if (!isRecord(raw)) throw problem(`${where} must map run options to values`);
  const valid = specs.filter((s) => !MATRIX_OWNED.has(s.key));
  const out: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(raw)) {
    const spec = valid.find((s) => s.key === key);
    if (!spec) {
      const owned = MATRIX_OWNED.has(key) ? ` (${key} is set by the matrix)` : '';
      throw problem(
        `${where}: unknown option '${key}'${owned}; valid options: ${valid.map((s) => s.key).join(', ')}`,
      );
    }
    if (spec.flag) {
      if (typeof value !== 'boolean')
        throw problem(`${where}: ${key} is a switch: true or false, not ${JSON.stringify(value)}`);
      out[key] = value;
    } else if (typeof value === 'string' || typeof value === 'number') {
      out[key] = String(value);
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      // `nemesis: [partition, kill]` reads better in YAML than a comma-separated string.
      out[key] = value.join(',');
    } else {
      throw problem(`${where}: ${key} must be a string or a number, not ${JSON.stringify(value)}`);
    }
  }
  return out;
}

function unknownKeys(
  doc: Record<string, unknown>,
  valid: readonly string[],
  prefix: string,
  problem: (what: string) => UsageError,
): void {
  for (const key of Object.keys(doc)) {
    if (!valid.includes(key)) throw problem(`unknown key '${prefix}${key}'; valid keys: ${valid.join(', ')}`);
  }
}

function requiredText(
  doc: Record<string, unknown>,
  key: string,
  problem: (what: string) => UsageError,
  where = '',
): string {
  const value = doc[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw problem(`${where ? `${where}.` : ''}${key} is required: a non-empty string`);
  }
  return value.trim();
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
