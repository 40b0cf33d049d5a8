import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEdn } from './edn.js';
import { LIMITS } from './limits.js';
import { OperationCollector, toEvent } from './operations.js';
import { NdjsonParser } from './parse.js';
import { parseHistory, readHistory } from './reader.js';
import { ByteJson } from './scan.js';
import { HistoryError } from './types.js';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'dscheck-limits-'));
let n = 0;
function file(content: string | Buffer, ext = '.ndjson'): string {
  const path = join(dir, `h${n++}${ext}`);
  writeFileSync(path, content);
  return path;
}
const line = (e: Record<string, unknown>): string => `${JSON.stringify(e)}\n`;
const invoke = (process: number, time: number, f = 'write', value: unknown = 1, key = 'k') =>
  line({ process, type: 'invoke', f, key, value, time });
const ok = (process: number, time: number, f = 'write', value: unknown = 1, key = 'k') =>
  line({ process, type: 'ok', f, key, value, time });

function problem(run: () => unknown): HistoryError {
  try {
    run();
  } catch (err) {
    if (err instanceof HistoryError) return err;
    throw err;
  }
  throw new Error('no HistoryError');
}

describe('the byte-level NDJSON scanner', () => {
  it('reads every JSON value as JSON.parse does, __proto__ keys included', () => {
    const json = new ByteJson();
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        // Long digit runs may be doubles printed with more digits than they hold: refused on purpose.
        fc.pre(!/\d{16}/.test(text));
        expect(json.parse(Buffer.from(text), 0, Buffer.byteLength(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
    const proto = json.parse(Buffer.from('{"__proto__":{"x":1}}'), 0, 21) as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__']);
  });

  it('gives the same history whatever the chunk boundaries', () => {
    const text = Buffer.from(
      `\ufeff${invoke(0, 1, 'write', { a: ['é', 2.5, null] })}${ok(0, 2, 'write', { a: ['é', 2.5, null] })}\r\n` +
        `${invoke(1, 3, 'read', null, 'ü\\"')}\n\n${ok(1, 4, 'read', 'x', 'ü\\"')}`,
    );
    const whole = new NdjsonParser('h');
    whole.push(text);
    const expected = whole.finish();
    expect(expected.operations).toHaveLength(2);
    expect(expected.warnings).toEqual([]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 6 }), (cuts) => {
        const parser = new NdjsonParser('h');
        let at = 0;
        for (const cut of [...cuts.sort((a, b) => a - b), text.length]) {
          parser.push(Buffer.from(text.subarray(at, cut)));
          at = cut;
        }
        expect(parser.finish()).toEqual(expected);
      }),
    );
  });

  it('reads event lines straight into fields exactly as the general path reads them', () => {
    // The general path: an event object per line, checked by toEvent, added whole.
    const general = (text: string) => {
      const json = new ByteJson();
      const collector = new OperationCollector('h');
      const bytes = Buffer.from(text);
      let start = 0;
      let lineNo = 0;
      try {
        for (let nl = bytes.indexOf(10); nl !== -1; start = nl + 1, nl = bytes.indexOf(10, start)) {
          lineNo++;
          collector.add(toEvent(json.parseEvent(bytes, start, nl)), lineNo);
        }
      } catch (err) {
        return { line: lineNo, problem: (err as Error).message };
      }
      return { operations: collector.operations, nemesis: collector.nemesis, warnings: collector.warnings };
    };
    const fast = (text: string) => {
      try {
        const h = parseHistory(text, { file: 'h' });
        return { operations: h.operations, nemesis: h.nemesis, warnings: h.warnings };
      } catch (err) {
        if (!(err instanceof HistoryError)) throw err;
        return { line: err.line, problem: err.problem };
      }
    };
    const value = fc.oneof(
      fc.constantFrom(null, 1, 2, 'a', 'é', [1, 2], { a: 1 }, 1.5, true),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const field = fc.oneof(
      fc.record({
        name: fc.constantFrom('process'),
        value: fc.oneof(fc.integer({ min: -1, max: 2 }), fc.constantFrom('nemesis', 1.5, '0')),
      }),
      fc.record({
        name: fc.constantFrom('type'),
        value: fc.constantFrom('invoke', 'ok', 'fail', 'info', 'oops', 1),
      }),
      fc.record({ name: fc.constantFrom('f'), value: fc.constantFrom('read', 'write', 'cas', 3) }),
      fc.record({ name: fc.constantFrom('key'), value: fc.constantFrom('k', 'j', null, 5) }),
      fc.record({ name: fc.constantFrom('value', 'node', 'error', 'id', 'extra', '__proto__'), value }),
      fc.record({
        name: fc.constantFrom('time'),
        value: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(1.5, '3', null)),
      }),
    );
    const valid = fc.record(
      {
        process: fc.integer({ min: 0, max: 2 }),
        type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
        f: fc.constantFrom('read', 'write'),
        key: fc.constantFrom('k', 'j'),
        value: fc.constantFrom(null, 1, 2),
        time: fc.integer({ min: 0, max: 20 }),
      },
      { requiredKeys: ['process', 'type', 'f', 'value', 'time'] },
    );
    // A valid event with some fields dropped, replaced or repeated, in any order.
    const odd = fc
      .tuple(valid, fc.array(field, { maxLength: 3 }), fc.array(fc.nat(), { maxLength: 2 }))
      .map(([base, extra, drops]) => {
        const fields = Object.entries(base).map(([name, v]) => ({ name, value: v as unknown }));
        for (const d of drops) if (fields.length > 0) fields.splice(d % fields.length, 1);
        for (const f of extra) fields.splice(f.name.length % (fields.length + 1), 0, f);
        return `{${fields.map(({ name, value: v }) => `${JSON.stringify(name)}:${JSON.stringify(v)}`).join(',')}}`;
      });
    const event = fc.oneof(
      { weight: 4, arbitrary: valid.map((e) => JSON.stringify(e)) },
      { weight: 3, arbitrary: odd },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '[]',
          '{}',
          '{"process":0',
          ' {"process":0,"type":"invoke","f":"read","value":null,"time":1e999}',
          '{"process":0,"type":"invoke","f":"read","value":9007199254740993,"time":1}',
          '{"process":0,"type":"invoke","f":"read","value":null,"time":1.50}',
          '{"process":0,"type":"invoke","f":"r\\u0065ad","k\\u0065y":"\\u00e9","value":null,"time":1}',
        ),
      },
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), (lines) => {
        const text = lines.map((l) => `${l}\n`).join('');
        expect(fast(text)).toEqual(general(text));
      }),
      { numRuns: 300 },
    );
    // Lines one at a time, after an open write: a history stops at its first problem.
    const open = `${invoke(0, 0)}${invoke(1, 0, 'read', null)}`;
    fc.assert(
      fc.property(event, (l) => {
        expect(fast(`${open}${l}\n`)).toEqual(general(`${open}${l}\n`));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses a line over the limit while reading it, naming the line', () => {
    const parser = new NdjsonParser('long.ndjson');
    parser.push(Buffer.from(invoke(0, 1)));
    const piece = Buffer.alloc(2 ** 20, 0x20);
    const err = problem(() => {
      for (let sent = 0; sent <= LIMITS.lineBytes; sent += piece.length) parser.push(piece);
    });
    expect(err.line).toBe(2);
    expect(err.problem).toMatch(/longer than 64 MiB/);
  });

  it('refuses values nested too deep, in NDJSON and EDN, without a RangeError', () => {
    const deep = `{"process":0,"type":"invoke","f":"write","value":${'['.repeat(100_000)}${']'.repeat(100_000)},"time":1}\n`;
    expect(problem(() => parseHistory(deep)).problem).toMatch(/nested more than 256 deep/);
    expect(() => parseEdn('['.repeat(100_000))).toThrow(/nested more than 256 deep/);
    const fine = `{"process":0,"type":"invoke","f":"write","value":${'['.repeat(200)}${']'.repeat(200)},"time":1}\n`;
    expect(parseHistory(fine).operations).toHaveLength(1);
  });

  it('says what is wrong with a time', () => {
    for (const time of ['1e999', '1.5', '"3"', '-1e400']) {
      const err = problem(() =>
        parseHistory(`{"process":0,"type":"invoke","f":"read","value":null,"time":${time}}\n`),
      );
      expect(err.problem).toMatch(/"time" must be a finite integer/);
    }
  });
});

describe('what the reader accepts and refuses', () => {
  it('reads a BOM, CRLF line ends and a last line without a newline', async () => {
    const h = await readHistory(file(`\ufeff${invoke(0, 1).replace('\n', '\r\n')}${ok(0, 2).trimEnd()}`));
    expect(h.operations).toMatchObject([{ outcome: 'ok', output: 1 }]);
    expect(h.warnings).toEqual([]);
    const one = await readHistory(file(invoke(0, 1).trimEnd()));
    expect(one.operations).toHaveLength(1);
    expect(one.warnings).toEqual([]);
    const edn = await readHistory(file('\ufeff[{:process 0 :type :invoke :f :read :value nil}]', '.edn'));
    expect(edn.operations).toHaveLength(1);
  });

  it('tells a missing file, a directory and a pipe apart', async () => {
    await expect(readHistory(join(dir, 'missing.ndjson'))).rejects.toThrow(/no such history file/);
    const folder = join(dir, 'folder.ndjson');
    mkdirSync(folder);
    await expect(readHistory(folder)).rejects.toThrow(/is a directory, not a history file/);
    const fifo = join(dir, 'fifo.ndjson');
    execFileSync('mkfifo', [fifo]);
    await expect(readHistory(fifo)).rejects.toThrow(/not a regular file .* give -/);
  });

  it('reads standard input for -', async () => {
    const r = await execa('node', [join(root, 'bin/dscheck.js'), 'check', '-'], {
      input: invoke(0, 1) + ok(0, 2) + invoke(1, 3, 'read', null) + ok(1, 4, 'read', 1),
      reject: false,
    });
    expect(r.stdout).toMatch(/-/);
    expect(r.exitCode).toBe(0);
  });

  it('refuses completions that do not echo a write or cas argument', () => {
    const write = problem(() =>
      parseHistory(invoke(0, 1, 'write', 1) + line({ ...JSON.parse(ok(0, 2)), value: 2 })),
    );
    expect(write.line).toBe(2);
    expect(write.problem).toMatch(/with value 2 but was invoked with 1/);
    const cas = problem(() =>
      parseHistory(
        invoke(0, 1, 'cas', [1, 2]) +
          line({ process: 0, type: 'info', f: 'cas', key: 'k', value: [1, 3], time: 2 }),
      ),
    );
    expect(cas.problem).toMatch(/a cas echoes its argument/);
    const same = parseHistory(invoke(0, 1, 'write', { a: 1, b: 2 }) + ok(0, 2, 'write', { b: 2, a: 1 }));
    expect(same.operations[0].outcome).toBe('ok');
  });

  it('refuses a process whose invocation comes before its previous completion', () => {
    const err = problem(() => parseHistory(invoke(0, 5) + ok(0, 6) + invoke(0, 4)));
    expect(err.line).toBe(3);
    expect(err.problem).toMatch(
      /invokes 'write' at time 4, before its previous operation completed at time 6/,
    );
  });

  it('warns in the words of what the checkers do when time goes backwards across processes', () => {
    const h = parseHistory(invoke(0, 5) + invoke(1, 3) + ok(0, 6) + ok(1, 7));
    expect(h.warnings).toMatchObject([{ line: 2 }]);
    expect(h.warnings[0].message).toMatch(/checkers order operations by their times, not by their lines/);
  });

  it('refuses more operations or keys than the limits', () => {
    const collector = new OperationCollector('h', undefined, { operations: 2, keys: 2 });
    const event = (process: number, key: string) =>
      ({ process, type: 'invoke', f: 'read', key, value: null, time: process }) as const;
    collector.add(event(0, 'a'), 1);
    collector.add(event(1, 'b'), 2);
    expect(() => collector.add(event(2, 'c'), 3)).toThrow(/more than 2 operations/);
    const keys = new OperationCollector('h', undefined, { operations: 10, keys: 2 });
    keys.add(event(0, 'a'), 1);
    keys.add(event(1, 'b'), 2);
    keys.add(event(2, 'a'), 3);
    expect(() => keys.add(event(3, 'c'), 4)).toThrow(/more than 2 distinct keys/);
  });

  it('reads EDN discards before a closing bracket and keeps :__proto__ an ordinary key', () => {
    expect(parseEdn('[1 2 #_ 3]')).toEqual([1, 2]);
    expect(parseEdn('{:a 1 #_ :b}')).toEqual({ a: 1 });
    const h = parseHistory('[{:process 0 :type :invoke :f :read :value nil} #_ {:x 1}]', { format: 'edn' });
    expect(h.operations).toHaveLength(1);
    const map = parseEdn('{:__proto__ {:x 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(map.x).toBeUndefined();
    expect(Object.keys(map)).toEqual(['__proto__']);
  });
});
