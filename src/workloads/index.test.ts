import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { Random } from '../generator/random.js';
import { loadWorkload } from './index.js';

function preset(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dscheck-workload-')), 'mine.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadWorkload', () => {
  it('loads the register preset: 8 keys, cas-register from null, perf, final reads of every key', () => {
    const w = loadWorkload('register');
    expect(w.name).toBe('register');
    expect(w.keys).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
    expect(w.checkers).toEqual({ linearizable: { model: 'cas-register', initialValue: null }, perf: {} });
    expect(w.finalOps()).toEqual(w.keys.map((key) => ({ f: 'read', key, value: null })));
  });
  it('--keys overrides the preset', () => {
    expect(loadWorkload('register', { keys: 3 }).keys).toEqual(['k0', 'k1', 'k2']);
  });
  it('reads an edited copy from a path', () => {
    const w = loadWorkload(preset('client: register\nkeys: 2\nmix: {read: 0, write: 1, cas: 0}\n'));
    const source = w.generator(0, 1, Random.fromSeed(1));
    for (let i = 0; i < 20; i++) expect(source.next().f).toBe('write');
  });
  it.each([
    ['set', /unknown --workload 'set'; valid choices: register/],
    [preset('mix: {read: 1, scan: 2}\n'), /unknown operation 'scan' in mix; valid choices: read, write, cas/],
    [
      preset('checkers: {lost-writes: {}}\n'),
      /unknown checker 'lost-writes'; valid choices: linearizable, perf/,
    ],
    [
      preset('checkers: {linearizable: {model: queue}}\n'),
      /unknown linearizable model 'queue'; valid choices/,
    ],
    [preset('keys: many\n'), /keys must be a whole number/],
    [preset('client: [\n'), /not valid YAML/],
  ])('rejects %s with a usage error naming the choices', (input, message) => {
    expect(() => loadWorkload(input)).toThrow(UsageError);
    expect(() => loadWorkload(input)).toThrow(message);
  });
});
