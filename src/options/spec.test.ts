import { describe, expect, it } from 'vitest';
import { buildProgram, commanderOption } from '../cli.js';
import { UsageError } from '../errors.js';
import { MATRIX_OPTIONS } from '../matrix/plan.js';
import { runCommandSpecs } from '../run/options.js';
import {
  attributeOf,
  choice,
  number,
  optionWords,
  readOptions,
  repeatableOption,
  switchOption,
  text,
  valueOption,
} from './spec.js';

/** A table as a later option would add it: each kind one line. */
const table = {
  isolation: valueOption(
    { name: 'isolation', value: 'level', help: 'h', default: 'serializable' },
    choice(['read-committed', 'serializable'] as const),
  ),
  maxTxnLength: valueOption(
    { name: 'max-txn-length', value: 'n', help: 'h' },
    number({ min: 1, integer: true }),
  ),
  serverOptions: repeatableOption(
    { name: 'server-option', value: 'name=value', help: 'h' },
    (given, flag) => {
      const [name, ...value] = given.split('=');
      if (!name || value.length === 0) throw new UsageError(`${flag} must be NAME=VALUE, not '${given}'`);
      return { name, value: value.join('=') };
    },
  ),
  lwt: switchOption({ name: 'lwt', help: 'h' }),
  out: valueOption({ name: 'out', value: 'dir', help: 'h', default: 'reports' }, text),
};

describe('an option table', () => {
  it('gives typed values with the defaults, by field', () => {
    const values = readOptions(table, { maxTxnLength: '4', serverOption: ['a=1', 'b=x=y'], lwt: true });
    expect(values).toEqual({
      isolation: 'serializable',
      maxTxnLength: 4,
      serverOptions: [
        { name: 'a', value: '1' },
        { name: 'b', value: 'x=y' },
      ],
      lwt: true,
      out: 'reports',
    });
    expect(readOptions(table, {}).maxTxnLength).toBeUndefined();
    expect(readOptions(table, {}).serverOptions).toEqual([]);
  });

  it('refuses a bad value naming the option and what it accepts', () => {
    expect(() => readOptions(table, { isolation: 'dirty' })).toThrow(
      "unknown --isolation 'dirty'; valid choices: read-committed, serializable",
    );
    expect(() => readOptions(table, { serverOption: ['nope'] })).toThrow(
      "--server-option must be NAME=VALUE, not 'nope'",
    );
    expect(() => readOptions(table, { lwt: 'yes' })).toThrow(/--lwt is a switch/);
    expect(() => readOptions(table, { maxTxnLength: true })).toThrow('--max-txn-length takes a value (n)');
  });

  it('spells a value back as command-line words', () => {
    expect(optionWords(table.lwt, true)).toEqual(['--lwt']);
    expect(optionWords(table.lwt, false)).toEqual([]);
    expect(optionWords(table.maxTxnLength, undefined)).toEqual([]);
    expect(optionWords(table.serverOptions, ['a=1', 'b=2'])).toEqual([
      '--server-option',
      'a=1',
      '--server-option',
      'b=2',
    ]);
    expect(attributeOf('max-txn-length')).toBe('maxTxnLength');
  });
});

describe('the commands built from the tables', () => {
  const command = (name: string) => {
    const found = buildProgram().commands.find((c) => c.name() === name);
    if (!found) throw new Error(`no ${name} command`);
    return found;
  };
  it('run takes exactly the table options: generic, per store, per workload', () => {
    const longs = command('run').options.map((o) => o.long);
    expect(longs).toEqual(runCommandSpecs().map((s) => `--${s.name}`));
    expect(longs).toContain('--consistency');
    expect(longs).toContain('--wait-replicas');
    expect(longs).toContain('--ttl-jitter');
  });
  it('matrix takes the options the table marks for a grid, and --out', () => {
    const longs = command('matrix').options.map((o) => o.long);
    expect(longs.sort()).toEqual(['--out', ...MATRIX_OPTIONS.map((s) => `--${s.name}`)].sort());
  });
  it('a repeatable option keeps every value the command line gives, in order', async () => {
    const { Command } = await import('commander');
    const probe = new Command('probe').exitOverride().action(() => {});
    probe.addOption(commanderOption(table.serverOptions)).addOption(commanderOption(table.lwt));
    await probe.parseAsync(['--server-option', 'a=1', '--lwt', '--server-option', 'b=2'], { from: 'user' });
    expect(readOptions(table, probe.opts()).serverOptions).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
    ]);
    expect(probe.opts().lwt).toBe(true);
  });
});
