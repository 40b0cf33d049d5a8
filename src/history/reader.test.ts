import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { readHistory } from './reader.js';
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
