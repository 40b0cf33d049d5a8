import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInitialValue } from '../commands/check.js';
import { UsageError } from '../errors.js';
import { loadMatrixPreset } from '../matrix/plan.js';
import { storedResults } from '../report/json-fields.js';
import { runOptionSpecs } from '../run/options.js';
import { loadWorkload, MAX_KEYS, workloadName } from '../workloads/index.js';
import { MAX_PRESET_BYTES, readYamlFile } from './yaml.js';

const dir = mkdtempSync(join(tmpdir(), 'dscheck-yaml-'));
let counter = 0;
function file(text: string): string {
  const path = join(dir, `preset-${counter++}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** An alias bomb: each level repeats the one before nine times (9^6 leaves from a few lines). */
const BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  ...['b', 'c', 'd', 'e', 'f'].map((name, i) => {
    const prev = 'abcdef'[i];
    return `${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`;
  }),
  'client: register',
].join('\n');

describe('preset YAML: refused as a class, with the file named', () => {
  it.each([
    ['an alias bomb', BOMB, /not valid YAML: .*alias/i],
    ['an alias that refers to itself', 'a: &a [*a]\nclient: register\n', /refers to itself/],
    ['a mapping alias inside itself', 'a: &a\n  b: *a\n', /refers to itself/],
    ['nesting deeper than a preset needs', `a: ${'['.repeat(40)}${']'.repeat(40)}\n`, /deeper than 32/],
    ['a key given twice', 'keys: 1\nkeys: 2\n', /not valid YAML: .*unique/i],
    ['invalid UTF-8', Buffer.from([0x6b, 0x3a, 0x20, 0xff, 0x0a]), /not valid UTF-8/],
  ])('%s', (_what, text, message) => {
    const path = join(dir, `case-${counter++}.yaml`);
    writeFileSync(path, text);
    expect(() => readYamlFile(path, 'workload preset')).toThrow(UsageError);
    expect(() => readYamlFile(path, 'workload preset')).toThrow(message);
    expect(() => readYamlFile(path, 'workload preset')).toThrow(path);
  });
  it('a file beyond the size limit is refused before it is parsed', () => {
    const path = file(`# ${'x'.repeat(MAX_PRESET_BYTES)}\nclient: register\n`);
    expect(() => loadWorkload(path)).toThrow(new RegExp(`limited to ${MAX_PRESET_BYTES} bytes`));
  });
  it('a folder or a missing file is a usage error naming it', () => {
    const folder = join(dir, 'folder.yaml');
    mkdirSync(folder);
    expect(() => loadWorkload(folder)).toThrow(/not a regular file/);
    expect(() => loadWorkload(join(dir, 'missing.yaml'))).toThrow(/no such file or folder/);
  });
  it('a matrix preset goes through the same reader', () => {
    expect(() => loadMatrixPreset(file('a: &a [*a]\nkind: matrix\n'), runOptionSpecs())).toThrow(
      /refers to itself/,
    );
  });
});

describe('workload presets: fields and limits as the command line', () => {
  it('an unknown field is refused with the valid ones named', () => {
    expect(() => loadWorkload(file('client: register\nkeyz: 3\n'))).toThrow(
      /unknown field 'keyz' for client register; valid fields: name, description, client, keys, mix, final, checkers/,
    );
    // A field of another client kind is unknown to this one.
    expect(() => loadWorkload(file('client: set\nmax-txn-length: 3\n'))).toThrow(
      /unknown field 'max-txn-length'/,
    );
    expect(loadWorkload(file('client: list-append\nmax-txn-length: 3\n')).name).toBe('list-append');
  });
  it('keys beyond the --keys limit are refused, as --keys refuses them', () => {
    expect(() => loadWorkload(file('client: register\nkeys: 1e9\n'))).toThrow(
      new RegExp(`keys must be a whole number from 1 to ${MAX_KEYS}`),
    );
    expect(() =>
      runOptionSpecs()
        .find((s) => s.name === 'keys')
        ?.read(String(MAX_KEYS + 1)),
    ).toThrow(new RegExp(`<= ${MAX_KEYS}`));
    expect(loadWorkload(file(`client: register\nkeys: ${MAX_KEYS}\n`)).keys).toHaveLength(MAX_KEYS);
  });
  it('a --workload that is neither a preset nor a .yaml file blames --workload', () => {
    expect(() => workloadName('/x/y.json')).toThrow(/unknown --workload '\/x\/y.json'/);
    expect(workloadName('./mine.yml')).toBe('mine');
    expect(workloadName('set')).toBe('set');
  });
});

describe('results.json read as typed fields', () => {
  it('refuses wrong types in the fields the pages rely on, naming the file and the field', () => {
    const read = (parsed: Record<string, unknown>) => () => storedResults('r.json', parsed);
    expect(read({ valid: 'yes' })).toThrow(/r.json: valid must be true, false or "unknown"/);
    expect(read({ checkers: [1] })).toThrow(/checkers must be a mapping/);
    expect(read({ checkers: { perf: 3 } })).toThrow(/checkers.perf must be a checker result/);
    expect(read({ checkers: { perf: { valid: 1 } } })).toThrow(/checkers.perf/);
    expect(read({ nemesisErrors: 'boom' })).toThrow(/nemesisErrors must be a list of strings/);
    expect(read({ stats: [] })).toThrow(/stats must be a mapping/);
  });
  it('reads a well-formed one as it is', () => {
    expect(
      storedResults('r.json', {
        valid: false,
        checkers: { perf: { valid: true, ops: 3 } },
        nemesisErrors: ['x'],
        interrupted: true,
      }),
    ).toEqual({
      valid: false,
      checkers: { perf: { valid: true, ops: 3 } },
      nemesisErrors: ['x'],
      interrupted: true,
      stats: undefined,
    });
  });
});

describe('--initial-value nesting', () => {
  it('is refused beyond 1000 levels, without a stack overflow', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(() => parseInitialValue(deep(100_000))).toThrow(/nested more than 1000 levels/);
    expect(parseInitialValue(deep(1000))).toBeDefined();
  });
});
