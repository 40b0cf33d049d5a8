import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { checkLostWrites } from '../checker/lost-writes.js';
import { checkStaleReads } from '../checker/stale-reads.js';
import { readHistory } from '../history/reader.js';

// Runs the built CLI (npm test builds first), as a user or a CI script would.
const root = join(import.meta.dirname, '../..');
const shared = join(root, '../shared/histories');
const dscheck = (...args: string[]) =>
  execa('node', [join(root, 'bin/dscheck.js'), ...args], { reject: false });
const dir = mkdtempSync(join(tmpdir(), 'dscheck-check-'));

describe('dscheck check', () => {
  it('exits 0 for a linearizable history and says which model it inferred', async () => {
    const r = await dscheck('check', join(shared, 'porcupine/etcd/etcd_002.jsonl'));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      /^etcd_002\.jsonl: linearizable · model cas-register \(inferred\) · 77 ops · 1 key · \d+ ms$/,
    );
  });

  it('exits 1 for a history that is not, naming the operation that broke it', async () => {
    const r = await dscheck('check', join(shared, 'porcupine/etcd/etcd_000.jsonl'));
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/NOT LINEARIZABLE/);
    expect(r.stdout).toMatch(/process \d+'s read \d+ \(operation \d+\) cannot be linearized/);
  });

  it('exits 2 when it cannot decide (an empty history)', async () => {
    const r = await dscheck('check', join(shared, 'porcupine/etcd/etcd_095.jsonl'));
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/UNKNOWN/);
  });

  it('gives one JSON object per file with --json, and the worst exit code', async () => {
    const r = await dscheck(
      'check',
      '--json',
      '--initial-value',
      '0',
      join(shared, 'knossos/cas-register/good/memstress3-4.edn'),
      join(shared, 'knossos/cas-register/bad/rethink-fail-minimal.edn'),
    );
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ valid: true, model: 'cas-register', keys: 1 });
    expect(Object.keys(lines[0]).sort()).toEqual(['file', 'keys', 'model', 'ms', 'ops', 'valid']);
    expect(lines[1]).toMatchObject({ valid: false, model: 'register' });
    expect(lines[1].failure[0].op).toMatchObject({ index: 1 });
  });

  it.each([
    [['check', '--model', 'queue', 'x.ndjson'], /Allowed choices are register, cas-register, kv, mutex/],
    [
      ['check', '--initial-value', '{bad', join(shared, 'porcupine/etcd/etcd_000.jsonl')],
      /--initial-value must be JSON/,
    ],
    [['check', 'missing.ndjson'], /no such history file: missing\.ndjson/],
    [['check', '--format', 'xml', 'x'], /Allowed choices are ndjson, edn/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [
      ['check', '--checker', 'lost-writes,serializable', 'x.ndjson'],
      /unknown --checker 'serializable'; valid choices: linearizable, stale-reads, lost-writes, cold-cache, transactions, lock, queue, perf/,
    ],
    [
      [
        'check',
        '--checker',
        'lost-writes',
        '--model',
        'register',
        join(shared, 'porcupine/etcd/etcd_000.jsonl'),
      ],
      /--model applies to the linearizable checker/,
    ],
  ])('exits 254 with a message and no stack trace for bad input: %j', async (args, message) => {
    const r = await dscheck(...args);
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 254 for a malformed line, naming the file and line', async () => {
    const path = join(dir, 'bad.ndjson');
    writeFileSync(path, '{"process":0,"type":"invoke","f":"read","value":null,"time":0}\n[1,2]\n{}\n');
    const r = await dscheck('check', path);
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toContain(`${path}:2: an event must be a JSON object`);
  });

  it('exits 254 when the model does not fit the operations', async () => {
    const r = await dscheck('check', '--model', 'mutex', join(shared, 'porcupine/etcd/etcd_000.jsonl'));
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toMatch(/operation '\w+' .* is not part of the mutex model/);
  });

  it('takes EDN vector values whole unless --independent, and says which it did', async () => {
    const path = join(dir, 'vectors.edn');
    writeFileSync(
      path,
      `[{:process 0 :type :invoke :f :write :value [1 2]} {:process 0 :type :ok :f :write :value [1 2]}
{:process 1 :type :invoke :f :write :value [5 2]} {:process 1 :type :ok :f :write :value [5 2]}
{:process 2 :type :invoke :f :read :value [1 nil]} {:process 2 :type :ok :f :read :value [1 2]}]`,
    );
    const whole = await dscheck('check', path);
    expect(whole.exitCode).toBe(1);
    expect(whole.stdout).toMatch(/NOT LINEARIZABLE .* 1 key · values taken whole/);
    const split = await dscheck('check', '--independent', '--json', path);
    expect(split.exitCode).toBe(0);
    expect(JSON.parse(split.stdout)).toMatchObject({ valid: true, keys: 2, keySource: 'tuples' });
  });

  it.each([
    ['{"process":0,"type":"invoke","f":"write","value":9007199254740993,"time":0}', 1, /9007199254740993/],
    [
      '{"process":0,"type":"invoke","f":"cas","value":3,"time":0}\n{"process":0,"type":"ok","f":"cas","value":3,"time":1}',
      1,
      /a cas needs a pair/,
    ],
  ])('exits 254 for inexact or ill-formed values, naming the line: %s', async (text, lineNo, message) => {
    const path = join(dir, `values-${lineNo}-${text.length}.ndjson`);
    writeFileSync(path, `${text}\n`);
    const r = await dscheck('check', path);
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toContain(`${path}:${lineNo}: `);
    expect(r.stderr).toMatch(message);
  });
});

/** Writes NDJSON events (time in ms) as a history file. */
function ndjson(name: string, events: Record<string, unknown>[]): string {
  const path = join(dir, name);
  writeFileSync(path, events.map((e) => JSON.stringify({ ...e, time: Number(e.time) * 1e6 })).join('\n'));
  return path;
}

/** One operation's invocation and completion. */
const op = (
  process: number,
  f: string,
  value: unknown,
  result: unknown,
  from: number,
  to: number,
  extra = {},
) => [
  { process, type: 'invoke', f, value, time: from },
  { process, type: 'ok', f, value: result, time: to, ...extra },
];

/** The findings of a result: all but the time the check took. */
const findings = ({ ms: _ms, ...rest }: Record<string, unknown>) => JSON.parse(JSON.stringify(rest));

describe('dscheck check with other checkers', () => {
  // Three acknowledged adds; the final read misses 2.
  const set = () =>
    ndjson('set.ndjson', [
      ...op(0, 'add', 1, 1, 0, 10),
      ...op(1, 'add', 2, 2, 5, 15),
      ...op(0, 'add', 3, 3, 20, 30),
      ...op(2, 'read-all', null, [1, 3], 100, 110, { final: true }),
    ]);
  // Write 1, then write 2 completes, then a read that began later still returns 1.
  const register = () =>
    ndjson('register.ndjson', [
      ...op(0, 'write', 1, 1, 0, 10),
      ...op(1, 'write', 2, 2, 20, 30),
      ...op(2, 'read', null, 1, 40, 50),
    ]);

  it('chooses lost-writes for a set history, says so, and finds the lost add', async () => {
    const r = await dscheck('check', set());
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^set\.ndjson: checkers lost-writes \(chosen from the operations/);
    expect(r.stdout).toMatch(/LOST WRITES: 1 acknowledged adds \(of 3\) missing from the final read/);
  });

  it('--json carries the whole result, the same the checker gives on the history', async () => {
    const file = set();
    const r = await dscheck('check', '--checker', 'lost-writes,perf', '--json', file);
    expect(r.exitCode).toBe(1);
    const line = JSON.parse(r.stdout);
    expect(line).toMatchObject({ file, valid: false });
    expect(Object.keys(line.checkers)).toEqual(['lost-writes', 'perf']);
    expect(findings(line.checkers['lost-writes'])).toEqual(
      findings(checkLostWrites(await readHistory(file))),
    );
    expect(line.checkers['lost-writes'].lost.elements[0]).toMatchObject({ element: 2, acknowledged: true });
  });

  it('--checker stale-reads finds the stale read a linearizability check alone does not name', async () => {
    const file = register();
    const alone = await dscheck('check', file);
    expect(alone.stdout.trim().split('\n')[0]).toMatch(
      /^register\.ndjson: NOT LINEARIZABLE · model register \(inferred\)/,
    );
    const r = await dscheck('check', '--checker', 'stale-reads', '--json', file);
    expect(r.exitCode).toBe(1);
    const result = JSON.parse(r.stdout).checkers['stale-reads'];
    expect(result).toMatchObject({ valid: false, reads: 1, staleReads: 1 });
    expect(findings(result)).toEqual(findings(checkStaleReads(await readHistory(file))));
  });

  it("reads a Jepsen set history's :add and :read as lost writes", async () => {
    const path = join(dir, 'jepsen-set.edn');
    writeFileSync(
      path,
      `[{:process 0, :type :invoke, :f :add, :value 1}
{:process 0, :type :ok, :f :add, :value 1}
{:process 1, :type :invoke, :f :add, :value 2}
{:process 1, :type :ok, :f :add, :value 2}
{:process 0, :type :invoke, :f :add, :value 3}
{:process 0, :type :info, :f :add, :value 3}
{:process 2, :type :invoke, :f :read, :value nil}
{:process 2, :type :ok, :f :read, :value #{1 3}}]`,
    );
    const r = await dscheck('check', '--json', path);
    expect(r.exitCode).toBe(1);
    const lost = JSON.parse(r.stdout).checkers['lost-writes'];
    expect(lost).toMatchObject({ finalReads: 1, adds: { ok: 2, info: 1 }, lost: { acknowledged: 1 } });
    expect(lost.recovered.elements).toEqual([3]);
  });
});

describe('dscheck check on a history it streams', () => {
  it('chooses the same checkers by default and gives the same answer as read whole', async () => {
    const file = join(root, 'src/checker/streaming/fixtures/redis-replicas-partition/history.ndjson');
    const whole = await dscheck('check', '--json', file);
    const streamed = await execa('node', [join(root, 'bin/dscheck.js'), 'check', '--json', file], {
      reject: false,
      env: { DSCHECK_STREAM_FROM_BYTES: '0' },
    });
    expect(whole.exitCode).toBe(1);
    expect(streamed.exitCode).toBe(1);
    const withoutMs = (text: string) => text.replace(/"ms":\d+/g, '"ms":0');
    expect(JSON.parse(withoutMs(streamed.stdout))).toEqual(JSON.parse(withoutMs(whole.stdout)));
    expect(whole.stdout).toContain('"model":"cas-register"');
  });
});
