import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHistory } from '../../history/reader.js';
import { checkLinearizable, inferModel } from './index.js';

// Real histories with known verdicts (../shared/histories): the golden tests.
const shared = join(import.meta.dirname, '../../../../shared/histories');
const verdicts = { linearizable: true, 'not linearizable': false, unknown: 'unknown' } as const;

describe("Porcupine's test data gets Porcupine's verdicts", () => {
  const rows = readFileSync(join(shared, 'porcupine/EXPECTED.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'));
  it.each(rows)('%s is %s', async (path, expected, ops) => {
    const history = await readHistory(join(shared, 'porcupine', path));
    expect(history.operations.length).toBe(Number(ops));
    const result = await checkLinearizable(history.operations, { model: inferModel(history.operations) });
    // An empty file has nothing to judge; `dscheck check` calls it unknown (tested with the CLI).
    const valid = history.events === 0 ? 'unknown' : result.valid;
    expect(valid).toBe(verdicts[expected as keyof typeof verdicts]);
    if (result.valid === false) {
      const failure = result.failures[0];
      expect(failure.linearized.length).toBeGreaterThan(0);
      expect(history.operations[failure.op.index].process).toBe(failure.op.process);
    }
  });
});

describe("Knossos's test data gets Knossos's verdicts (cas-register, initial value 0)", () => {
  for (const [folder, expected] of [
    ['good', true],
    ['bad', false],
  ] as const) {
    const dir = join(shared, 'knossos/cas-register', folder);
    const files = readdirSync(dir).filter((f) => f.endsWith('.edn'));
    it(`${files.length} ${folder} histories`, async () => {
      expect(files.length).toBeGreaterThan(folder === 'good' ? 100 : 5);
      for (const file of files) {
        const history = await readHistory(join(dir, file));
        const result = await checkLinearizable(history.operations, {
          model: 'cas-register',
          initialValue: 0,
        });
        expect({ file, valid: result.valid }).toEqual({ file, valid: expected });
      }
    });
  }

  it("the multi-register history is linearizable with Knossos's {x 0, y 0}", async () => {
    const history = await readHistory(join(shared, 'knossos/multi-register/good/multi-register.edn'));
    expect(inferModel(history.operations)).toBe('multi-register');
    const result = await checkLinearizable(history.operations, {
      model: 'multi-register',
      initialValue: { x: 0, y: 0 },
    });
    expect(result.valid).toBe(true);
    // With registers that start otherwise, the same reads cannot be explained.
    const other = await checkLinearizable(history.operations, {
      model: 'multi-register',
      initialValue: { x: 1, y: 1 },
    });
    expect(other.valid).toBe(false);
  });

  it('the etcd lock history is not a linearizable mutex', async () => {
    const history = await readHistory(join(shared, 'knossos/mutex/bad/etcd.edn'));
    expect(inferModel(history.operations)).toBe('mutex');
    const result = await checkLinearizable(history.operations, { model: 'mutex' });
    expect(result.valid).toBe(false);
    expect(result.failures[0].op.description).toMatch(/acquire|release/);
  });
});

describe('the result', () => {
  it('is deterministic', async () => {
    const history = await readHistory(join(shared, 'porcupine/kv/c50-bad.jsonl'));
    const a = await checkLinearizable(history.operations, { model: 'kv' });
    const b = await checkLinearizable(history.operations, { model: 'kv' });
    expect(a.valid).toBe(false);
    expect({ ...a, ms: 0 }).toEqual({ ...b, ms: 0 });
  });

  it('turns a hopeless search into unknown within the time budget', async () => {
    const history = await readHistory(join(shared, 'porcupine/kv/c50-bad.jsonl'));
    // Only the keys the first round cannot decide: the search on them is exponential.
    const hard = new Set(['0', '5', '7', '9']);
    const ops = history.operations.filter((op) => hard.has(op.key ?? ''));
    const started = performance.now();
    const result = await checkLinearizable(ops, { model: 'kv', timeoutMs: 300 });
    expect(result.valid).toBe('unknown');
    expect(result.unknown.some((u) => u.reason === 'timeout')).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('turns a search that outgrows its memory into unknown', async () => {
    const history = await readHistory(join(shared, 'porcupine/kv/c50-bad.jsonl'));
    const ops = history.operations.filter((op) => op.key === '0');
    const result = await checkLinearizable(ops, { model: 'kv', maxCacheBytes: 1 << 20 });
    expect(result.valid).toBe('unknown');
    expect(result.unknown[0].reason).toBe('memory');
  });
});
