import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { readYamlFile } from '../io/yaml.js';
import { attributeOf, type OptionSpec } from '../options/spec.js';
import { RUN_DEFAULTS, RUN_OPTIONS, type RunCliOptions } from '../run/options.js';
import { packageInfo } from '../run/package.js';
import { type ResolvedRun, resolveRun } from '../run/resolve.js';

/**
 * Matrix presets: a grid of runs that differ in a few options, with an explanation of the
 * tradeoff they show and what to look for on the comparison page. YAML files in workloads/ with
 * `kind: matrix`; a user copies one and passes its path. Parsing and planning are pure; only
 * `loadMatrixPreset` reads a file.
 */

/** The run options `dscheck matrix` takes for every run of a grid (the table marks them). */
export const MATRIX_OPTIONS: readonly OptionSpec[] = Object.values(RUN_OPTIONS).filter(
  (spec) => spec.matrixHelp !== undefined,
);

export interface MatrixVariant {
  /** Short, folder-safe: it names the run (`<preset>-<variant>`). */
  name: string;
  /** The row's name on the page. */
  label: string;
  /** Run options that differ from `common`, by preset key. */
  options: Record<string, PresetValue>;
}

export interface MatrixPreset {
  name: string;
  title: string;
  explanation: string;
  lookFor: string;
  common: Record<string, PresetValue>;
  variants: MatrixVariant[];
  /** The file it came from, for messages. */
  source: string;
}

/** A run option's value in a preset: text, a switch, or the values of a repeatable option. */
export type PresetValue = string | boolean | readonly string[];

/** What the command line may set for every run of a grid (MATRIX_OPTIONS, by attribute); it wins over the preset. */
export type MatrixOverrides = Readonly<Record<string, string | undefined>>;

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
export function parseMatrixPreset(source: string, doc: unknown, specs: readonly OptionSpec[]): MatrixPreset {
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
  specs: readonly OptionSpec[],
): PlannedRun[] {
  const known = new Set(specs.map((s) => s.name));
  const toCli = (values: Record<string, PresetValue>): RunCliOptions =>
    Object.fromEntries(
      Object.entries(values)
        .filter(([key]) => known.has(key))
        .map(([key, value]) => [attributeOf(key), value]),
    );
  const overrides = Object.fromEntries(
    Object.entries(options.overrides ?? {}).filter(([, v]) => v !== undefined),
  );
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
export const MATRIX_PRESETS = [
  'cap-cassandra',
  'replication-mysql',
  'redis-failover',
  'cold-cache',
  'lock-redis',
  'queue-redis',
  'isolation-mariadb',
  'clock-mysql',
  'clock-cassandra',
] as const;

/** Reads a preset: a built-in name or the path of a YAML file. */
export function loadMatrixPreset(nameOrPath: string, specs: readonly OptionSpec[]): MatrixPreset {
  const isPath = /\.ya?ml$/i.test(nameOrPath);
  if (!isPath && !(MATRIX_PRESETS as readonly string[]).includes(nameOrPath)) {
    throw new UsageError(
      `unknown matrix preset '${nameOrPath}'; valid choices: ${MATRIX_PRESETS.join(', ')} (or the path of a .yaml preset)`,
    );
  }
  const file = isPath ? resolve(nameOrPath) : join(packageInfo().root, 'workloads', `${nameOrPath}.yaml`);
  return parseMatrixPreset(file, readYamlFile(file, 'matrix preset'), specs);
}

function readOptions(
  raw: unknown,
  where: string,
  specs: readonly OptionSpec[],
  problem: (what: string) => UsageError,
): Record<string, PresetValue> {
  if (!isRecord(raw)) throw problem(`${where} must map run options to values`);
  const valid = specs.filter((s) => !MATRIX_OWNED.has(s.name));
  const out: Record<string, PresetValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    const spec = valid.find((s) => s.name === key);
    if (!spec) {
      const owned = MATRIX_OWNED.has(key) ? ` (${key} is set by the matrix)` : '';
      throw problem(
        `${where}: unknown option '${key}'${owned}; valid options: ${valid.map((s) => s.name).join(', ')}`,
      );
    }
    out[key] = presetValue(spec, value, where, problem);
  }
  return out;
}

/** One preset value as the command line would give it; a value of the wrong shape names the option. */
function presetValue(
  spec: OptionSpec,
  value: unknown,
  where: string,
  problem: (what: string) => UsageError,
): PresetValue {
  const key = spec.name;
  if (spec.value === undefined) {
    if (typeof value !== 'boolean')
      throw problem(`${where}: ${key} is a switch: true or false, not ${JSON.stringify(value)}`);
    return value;
  }
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    const texts: string[] = value;
    // A repeatable option takes each; `nemesis: [partition, kill]` reads better than a comma-separated string.
    return spec.repeatable ? texts : texts.join(',');
  }
  throw problem(`${where}: ${key} must be a string or a number, not ${JSON.stringify(value)}`);
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
