import { oneOf, UsageError } from '../errors.js';

/**
 * Command-line options as data. A table of OptionSpecs (an object whose keys are the typed
 * config's fields) gives the commander options, the help, the defaults, the checks, the matrix
 * presets' keys and the reproduce command; `readOptions` turns what a user gave into the typed
 * config. Pure: no I/O.
 */

/** What the command line or a preset gives for one option: text, a switch, or repeated texts. */
export type RawValue = string | boolean | readonly string[];

/** The options a user gave, by commander attribute (`timeLimit` for `--time-limit`). */
export type CliValues = Readonly<Record<string, RawValue | undefined>>;

export interface OptionSpec<T = unknown> {
  /** Without dashes, as presets spell it: `time-limit`. */
  readonly name: string;
  /** The value's placeholder in the help (`seconds`); absent for a switch. */
  readonly value?: string;
  /** Given more than once, each value kept (`--server-option a=1 --server-option b=2`). */
  readonly repeatable?: boolean;
  readonly help: string;
  /** The text used when the option is absent, shown in the help. */
  readonly default?: string;
  /** `dscheck matrix` takes it too and applies it to every run of the grid: its help there. */
  readonly matrixHelp?: string;
  /** The typed value; `raw` undefined when absent. A bad value is a UsageError naming the option. */
  read(raw: RawValue | undefined): T;
}

/** A table of options: each key is the field its typed value goes to. */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The typed values of a table, one field per option. */
export type ValuesOf<T extends OptionTable> = { -readonly [K in keyof T]: ReturnType<T[K]['read']> };

interface Described<D extends string | undefined> {
  name: string;
  value?: string;
  help: string;
  default?: D;
  matrixHelp?: string;
}

/** An option with a value, parsed by `parse` (which throws a UsageError naming `--name`). */
export function valueOption<T, D extends string | undefined = undefined>(
  def: Described<D> & { value: string },
  parse: (text: string, flag: string) => T,
): OptionSpec<D extends string ? T : T | undefined> {
  const flag = `--${def.name}`;
  return {
    ...def,
    read(raw) {
      const text = raw ?? def.default;
      if (text === undefined) return undefined as D extends string ? T : T | undefined;
      if (typeof text !== 'string') throw new UsageError(`${flag} takes a value (${def.value})`);
      return parse(text, flag);
    },
  };
}

/** A switch: false unless given. */
export function switchOption(def: Omit<Described<undefined>, 'value' | 'default'>): OptionSpec<boolean> {
  return {
    ...def,
    read(raw) {
      if (raw === undefined || raw === false || raw === 'false') return false;
      if (raw === true || raw === 'true') return true;
      throw new UsageError(`--${def.name} is a switch: given or not (true or false in a preset)`);
    },
  };
}

/** An option that may be given more than once; every value parsed, in order. */
export function repeatableOption<T>(
  def: Described<undefined> & { value: string },
  parse: (text: string, flag: string) => T,
): OptionSpec<T[]> {
  const flag = `--${def.name}`;
  return {
    ...def,
    repeatable: true,
    read(raw) {
      if (raw === undefined || raw === false) return [];
      const texts = typeof raw === 'string' ? [raw] : raw === true ? [] : raw;
      return texts.map((text) => parse(text, flag));
    },
  };
}

/** Parses a number in a range; the message names the option, the range and the text. */
export function number(range: { min?: number; max?: number; integer?: boolean }) {
  return (text: string, flag: string): number => {
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
        `${flag} must be ${kind}${bounds.length ? ` ${bounds.join(' and ')}` : ''}, not '${text}'`,
      );
    return value;
  };
}

/** Parses one of `choices`. */
export function choice<C extends string>(choices: readonly C[]) {
  return (text: string, flag: string): C => oneOf(flag, text, choices);
}

/** Any text. */
export const text = (value: string): string => value;

/** A spec's commander attribute: `time-limit` -> `timeLimit` (as commander names it). */
export function attributeOf(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The typed values of `table` from what the user gave (by attribute); each checked. */
export function readOptions<T extends OptionTable>(table: T, given: CliValues): ValuesOf<T> {
  return Object.fromEntries(
    Object.entries(table).map(([field, spec]) => [field, spec.read(given[attributeOf(spec.name)])]),
  ) as ValuesOf<T>;
}

/** The options of `table` the user gave (by attribute), as the table's specs. */
export function givenOptions(table: OptionTable, given: CliValues): OptionSpec[] {
  return Object.values(table).filter((spec) => {
    const raw = given[attributeOf(spec.name)];
    return raw !== undefined && raw !== false;
  });
}

/** The command-line words that give `value` to `spec` (none for an absent value or an unset switch). */
export function optionWords(spec: OptionSpec, value: unknown): string[] {
  const flag = `--${spec.name}`;
  if (value === undefined || value === null || value === false) return [];
  if (spec.value === undefined) return [flag];
  if (Array.isArray(value)) return value.flatMap((v) => [flag, String(v)]);
  return [flag, String(value)];
}
