import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parseHistory, readHistory } from './reader.js';
import { HistoryError } from './types.js';
import { HistoryWriter } from './writer.js';

const dir = mkdtempSync(join(tmpdir(), 'dscheck-reader-'));
let n = 0;
function file(text: string, ext = '.ndjson'): string {
  const path = join(dir, `h${n++}${ext}`);
  writeFileSync(path, text);
  return path;
}
const line = (e: Record<string, unknown>): string => `${JSON.stringify(e)}\n`;

describe('NDJSON histories', () => {
  it('pairs completions with the latest open invoke of their process', async () => {
    const h = await readHistory(
      file(
        line({ process: 1, type: 'invoke', f: 'write', key: 'k', value: 3, time: 10, id: 0 }) +
          line({ process: 2, type: 'invoke', f: 'read', value: null, time: 11 }) +
          line({ process: 1, type: 'ok', f: 'write', key: 'k', value: 3, time: 20, node: 'n2', id: 0 }) +
          line({ process: 'nemesis', type: 'info', f: 'start-partition', value: { n1: ['n2'] }, time: 21 }) +
          line({ process: 2, type: 'ok', f: 'read', value: 3, time: 30, hit: true }),
      ),
    );
    expect(h.events).toBe(5);
    expect(h.nemesis).toEqual([{ f: 'start-partition', value: { n1: ['n2'] }, time: 21, type: 'info' }]);
    const [w, r] = h.operations;
    expect(w).toMatchObject({
      index: 0,
      process: 1,
      key: 'k',
      input: 3,
      output: 3,
      outcome: 'ok',
      call: 10,
      ret: 20,
    });
    expect(w.node).toBe('n2');
    expect(r).toMatchObject({ key: null, output: 3, pending: false, extra: { hit: true } });
  });

  it('keeps info and never-completed operations pending to the end', async () => {
    const h = await readHistory(
      file(
        line({ process: 1, type: 'invoke', f: 'write', value: 1, time: 1 }) +
          line({ process: 1, type: 'info', f: 'write', value: 1, time: 5, error: 'timeout' }) +
          line({ process: 11, type: 'invoke', f: 'write', value: 2, time: 6 }) +
          line({ process: 2, type: 'invoke', f: 'cas', value: [1, 2], time: 7 }) +
          line({ process: 2, type: 'fail', f: 'cas', value: [1, 2], time: 8 }),
      ),
    );
    const [info, open, failed] = h.operations;
    expect(info).toMatchObject({
      outcome: 'info',
      pending: true,
      ret: Number.POSITIVE_INFINITY,
      completedAt: 5,
    });
    expect(info.error).toBe('timeout');
    expect(info.output).toBeUndefined();
    expect(open).toMatchObject({ outcome: 'info', pending: true, ret: Number.POSITIVE_INFINITY });
    expect(failed).toMatchObject({ outcome: 'fail', pending: false, ret: 8 });
  });

  it('reports a cut-off last line and ignores it', async () => {
    const h = await readHistory(
      file(`${line({ process: 1, type: 'invoke', f: 'read', value: null, time: 1 })}{"process":1,"type":"o`),
    );
    expect(h.operations).toHaveLength(1);
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toMatchObject({ line: 2 });
    expect(h.warnings[0].message).toMatch(/cut off/);
  });

  it.each([
    ['{"process":1,"type":"invoke"\n{}\n', 1, /not valid JSON/],
    [line({ process: 1, type: 'begin', f: 'read', value: null, time: 1 }), 1, /"type" must be one of/],
    [line({ process: 'x', type: 'invoke', f: 'read', value: null, time: 1 }), 1, /"process"/],
    [line({ process: 1, type: 'invoke', f: 'read', time: 1 }), 1, /"value" is required/],
    [line({ process: 1, type: 'ok', f: 'read', value: 1, time: 1 }), 1, /without an open invoke/],
    [
      line({ process: 1, type: 'invoke', f: 'read', value: null, time: 1 }) +
        line({ process: 1, type: 'invoke', f: 'read', value: null, time: 2 }),
      2,
      /still open/,
    ],
    [
      line({ process: 1, type: 'invoke', f: 'read', value: null, time: 1, id: 4 }) +
        line({ process: 1, type: 'ok', f: 'read', value: null, time: 2, id: 5 }),
      2,
      /does not match/,
    ],
  ])('names the file and line of bad input: %#', async (text, lineNo, problem) => {
    const path = file(text);
    const err = await readHistory(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as HistoryError).line).toBe(lineNo);
    expect((err as Error).message).toContain(`${path}:${lineNo}:`);
    expect((err as Error).message).toMatch(problem);
  });

  it('refuses unknown extensions and missing files with a usage error', async () => {
    await expect(readHistory(file('', '.txt'))).rejects.toThrow(UsageError);
    await expect(readHistory(join(dir, 'missing.ndjson'))).rejects.toThrow(/no such history file/);
    await expect(readHistory(file('', '.txt'), { format: 'ndjson' })).resolves.toMatchObject({ events: 0 });
  });

  it('reads back what the writer wrote, even before it is closed', async () => {
    const path = join(dir, 'written.ndjson');
    const writer = new HistoryWriter(path, 10);
    writer.append({ process: 0, type: 'invoke', f: 'write', key: 'a', value: 1, time: 1 });
    writer.append({ process: 0, type: 'ok', f: 'write', key: 'a', value: 1, time: 2 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await readHistory(path)).operations).toHaveLength(1);
    writer.append({ process: 0, type: 'invoke', f: 'read', key: 'a', value: null, time: 3 });
    writer.close();
    expect((await readHistory(path)).operations).toHaveLength(2);
  });

  it.runIf(existsSync('/dev/full'))(
    'ends the history on a full disk instead of throwing from its timer',
    () => {
      const errors: string[] = [];
      const writer = new HistoryWriter('/dev/full', 60_000, (err) => errors.push(String(err)));
      writer.append({ process: 0, type: 'invoke', f: 'write', key: 'a', value: 1, time: 1 });
      expect(() => writer.flush()).not.toThrow();
      writer.append({ process: 0, type: 'ok', f: 'write', key: 'a', value: 1, time: 2 });
      writer.close();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('ENOSPC');
      expect(writer.failure).toBeDefined();
    },
  );
});

describe('EDN histories', () => {
  it('reads Jepsen maps: keywords become strings, order gives time, :nemesis is the nemesis', async () => {
    const h = await readHistory(
      file(
        `[{:process 0, :type :invoke, :f :cas, :value [1 2], :time 99}
 {:process :nemesis, :type :info, :f :start, :value "cut"} ; a comment
 {:process 0, :type :ok, :f :cas, :value [1 2], :error nil, :time 7}]`,
        '.edn',
      ),
    );
    expect(h.operations[0]).toMatchObject({ f: 'cas', input: [1, 2], output: [1, 2], call: 0, ret: 2 });
    expect(h.nemesis[0]).toMatchObject({ f: 'start', value: 'cut', time: 1 });
  });

  it("turns Jepsen's independent [key value] tuples into key + value", async () => {
    const h = await readHistory(
      file(
        `({:process 0, :type :invoke, :f :read, :value [3 nil]}
{:process 0, :type :ok, :f :read, :value [3 5]}
{:process 1, :type :invoke, :f :cas, :value [:k [1 2]]}
{:process 1, :type :fail, :f :cas, :value [:k [1 2]]})`,
        '.edn',
      ),
      { independent: true },
    );
    expect(h.operations[0]).toMatchObject({ key: '3', input: null, output: 5 });
    expect(h.operations[1]).toMatchObject({ key: 'k', input: [1, 2], outcome: 'fail' });
  });

  it('keeps plain cas histories as they are', async () => {
    const h = await readHistory(
      file(
        '{:process 0, :type :invoke, :f :cas, :value [1 2]}\n{:process 0, :type :ok, :f :cas, :value [1 2]}',
        '.edn',
      ),
    );
    expect(h.operations[0]).toMatchObject({ key: null, input: [1, 2] });
  });

  it('treats a read of nil as an unknown value, as Knossos does', async () => {
    const h = await readHistory(
      file(
        '[{:process 0 :type :invoke :f :read :value nil} {:process 0 :type :ok :f :read :value nil}]',
        '.edn',
      ),
    );
    expect(h.operations[0]).toMatchObject({ pending: true, outcome: 'info' });
    expect(h.warnings[0].message).toMatch(/nil/);
  });

  it('names the line of an EDN syntax error', async () => {
    const err = await readHistory(
      file('[{:process 0 :type :invoke\n :f :read :value nil}\n{:process 1 :type', '.edn'),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as HistoryError).line).toBe(3);
  });
});

describe('exact input', () => {
  const edn = (text: string, independent = false) =>
    parseHistory(text, { file: 'h.edn', format: 'edn', independent });
  const problem = (run: () => unknown): HistoryError => {
    try {
      run();
    } catch (err) {
      if (err instanceof HistoryError) return err;
      throw err;
    }
    throw new Error('no HistoryError');
  };

  it('parses text without touching files', () => {
    const h = parseHistory(
      line({ process: 0, type: 'invoke', f: 'write', value: { a: 1 }, time: 1 }) +
        line({ process: 0, type: 'ok', f: 'write', value: { a: 1 }, time: 2 }),
    );
    expect(h.operations[0]).toMatchObject({ input: { a: 1 }, output: { a: 1 }, line: 1 });
    expect(h.keys).toBe('key-field');
  });

  it('keeps EDN vector values whole unless asked to split tuples', () => {
    const text = `[{:process 0, :type :invoke, :f :write, :value [1 2]}
{:process 0, :type :ok, :f :write, :value [1 2]}
{:process 1, :type :invoke, :f :write, :value [5 2]}
{:process 1, :type :ok, :f :write, :value [5 2]}]`;
    const whole = edn(text);
    expect(whole.keys).toBe('whole-values');
    expect(whole.operations.map((op) => [op.key, op.input])).toEqual([
      [null, [1, 2]],
      [null, [5, 2]],
    ]);
    const split = edn(text, true);
    expect(split.keys).toBe('tuples');
    expect(split.operations.map((op) => [op.key, op.input])).toEqual([
      ['1', 2],
      ['5', 2],
    ]);
  });

  it('never splits a txn, whose value is a list of micro-operations', () => {
    const h = edn(
      '[{:process 0 :type :invoke :f :txn :value [[:r :x nil] [:w :y 2]]} {:process 0 :type :ok :f :txn :value [[:r :x 1] [:w :y 2]]}]',
      true,
    );
    expect(h.operations[0]).toMatchObject({
      key: null,
      input: [
        ['r', 'x', null],
        ['w', 'y', 2],
      ],
    });
  });

  it('refuses tuple keys that would merge, and values that are not tuples', () => {
    const merged = `[{:process 0 :type :invoke :f :write :value ["3" 1]} {:process 0 :type :ok :f :write :value ["3" 1]}
{:process 1 :type :invoke :f :write :value [3 1]}]`;
    expect(problem(() => edn(merged, true)).line).toBe(2);
    expect(problem(() => edn('[{:process 0 :type :invoke :f :write :value 3}]', true)).problem).toMatch(
      /\[key value\] tuple/,
    );
  });

  it('refuses integers a double cannot hold, naming the line', () => {
    const big = `${line({ process: 0, type: 'invoke', f: 'write', value: 1, time: 1 })}{"process":0,"type":"ok","f":"write","value":9007199254740993,"time":2}\n`;
    const err = problem(() => parseHistory(big, { file: 'big.ndjson' }));
    expect(err.message).toMatch(/^big\.ndjson:2: .*9007199254740993/);
    // 2^53 itself is exact, and long digit runs inside strings are not numbers.
    const exact = `{"process":0,"type":"invoke","f":"write","key":"12345678901234567890","value":9007199254740992,"time":1}\n`;
    expect(parseHistory(exact).operations[0].input).toBe(2 ** 53);
    expect(problem(() => edn('[{:process 0 :type :invoke :f :write :value 9007199254740993N}]')).line).toBe(
      1,
    );
    expect(
      problem(() => parseHistory('{"process":0,"type":"invoke","f":"write","value":1e999,"time":1}\n')).line,
    ).toBe(1);
  });

  it('refuses a completion whose key differs from its invocation, or that comes before it', () => {
    const key = problem(() =>
      parseHistory(
        line({ process: 0, type: 'invoke', f: 'write', key: 'a', value: 1, time: 1 }) +
          line({ process: 0, type: 'ok', f: 'write', key: 'b', value: 1, time: 2 }),
      ),
    );
    expect(key.line).toBe(2);
    expect(key.problem).toMatch(/key "b" but invoked it on key "a"/);
    const early = problem(() =>
      parseHistory(
        line({ process: 0, type: 'invoke', f: 'write', value: 1, time: 5 }) +
          line({ process: 0, type: 'ok', f: 'write', value: 1, time: 4 }),
      ),
    );
    expect(early.problem).toMatch(/completes at time 4, before its invocation at time 5/);
  });

  it('refuses a file that is not UTF-8 instead of merging keys', async () => {
    const path = join(dir, 'bad-utf8.ndjson');
    const good = line({ process: 0, type: 'invoke', f: 'write', key: 'k', value: 1, time: 1 });
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from(good),
        Buffer.from('{"process":1,"type":"invoke","f":"write","key":"k'),
        Buffer.from([0xff]),
        Buffer.from('","value":1,"time":2}\n'),
      ]),
    );
    const err = await readHistory(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as HistoryError).line).toBe(2);
    expect((err as HistoryError).problem).toMatch(/UTF-8/);
  });
});
