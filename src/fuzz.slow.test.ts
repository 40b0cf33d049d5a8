import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './testing/cli.js';

/**
 * Bad input as a class: generated malformed histories, EDN and option values go through the
 * built CLI, and whatever they are, dscheck answers with a verdict or a usage error (never a
 * crash or a stack trace), within a time bound, and changes no input file.
 */
const dir = mkdtempSync(join(tmpdir(), 'dscheck-fuzz-'));
const CASE_MS = 20_000;
let counter = 0;

async function dscheck(args: readonly string[]) {
  const started = Date.now();
  const r = await execa('node', [join(projectRoot, 'bin/dscheck.js'), ...args], {
    reject: false,
    timeout: CASE_MS,
    cwd: dir,
  });
  return { ...r, ms: Date.now() - started };
}

function expectHandled(r: Awaited<ReturnType<typeof dscheck>>, what: string): void {
  const context = `${what}\nexit ${r.exitCode}\n${r.stderr.slice(0, 2000)}`;
  expect(r.timedOut, context).toBe(false);
  expect([0, 1, 2, 254], context).toContain(r.exitCode);
  expect(r.stderr, context).not.toMatch(/^\s+at .+[:(]\d+:\d+\)?$/m);
  expect(r.stderr, context).not.toMatch(/crashed/);
}

/** fast-check's report, with the counterexample cut short (a generated input can be 100 kB). */
const settings = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns,
  reporter: (details) => {
    if (!details.failed) return;
    const example = JSON.stringify(details.counterexample) ?? '';
    throw new Error(
      `failed after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath}): ` +
        `${example.length > 400 ? `${example.slice(0, 400)}... (${example.length} chars)` : example}\n` +
        `${String(details.errorInstance).slice(0, 3000)}`,
    );
  },
});

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Writes `content` to a fresh file, runs each command on it, and checks the file is untouched. */
async function tryFile(content: Uint8Array | string, extension: string, commands: string[][]) {
  const file = join(dir, `case-${counter++}${extension}`);
  writeFileSync(file, content);
  const before = digest(file);
  for (const command of commands) {
    const args = command.map((a) => (a === 'FILE' ? file : a));
    expectHandled(await dscheck(args), `dscheck ${args.join(' ')}\n${String(content).slice(0, 500)}`);
  }
  expect(digest(file)).toBe(before);
}

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(2 ** 53, -0, 1e308, '\u0000', '\ud800', [null], [1, 2, 3], 'ab'),
);
const field = fc.constantFrom('process', 'type', 'f', 'key', 'value', 'time', 'id', 'node', 'error');
const event = fc.record(
  {
    process: fc.oneof(fc.nat({ max: 5 }), fc.constant('nemesis'), jsonValue),
    type: fc.oneof(fc.constantFrom('invoke', 'ok', 'fail', 'info'), jsonValue),
    f: fc.oneof(fc.constantFrom('read', 'write', 'cas', 'get', 'put', 'append', 'add', 'txn'), jsonValue),
    key: fc.oneof(fc.constantFrom('k1', 'k2', null), jsonValue),
    value: jsonValue,
    time: fc.oneof(fc.nat(), jsonValue),
  },
  { requiredKeys: [] },
);
/** A line: an event, or an event with one field cut or replaced by raw text. */
const line = fc.oneof(
  event.map((e) => JSON.stringify(e)),
  fc.tuple(event, field, fc.string()).map(([e, f, raw]) => JSON.stringify(e).replace(`"${f}"`, raw)),
  fc.string({ maxLength: 40 }),
  // Values nested deeper than JSON.stringify (in this test) could write: built as text.
  fc
    .nat({ max: 100_000 })
    .map(
      (depth) =>
        `{"process":0,"type":"invoke","f":"write","key":"k","value":${'['.repeat(depth)}${']'.repeat(depth)},"time":1}`,
    ),
  // Numbers JSON.stringify cannot write: beyond doubles, and out of range.
  fc
    .constantFrom('9007199254740993', '1e999', '-1e999', '123456789012345678901234567890')
    .map((n) => `{"process":0,"type":"invoke","f":"write","key":"k","value":${n},"time":${n}}`),
);
const ndjson = fc
  .tuple(
    fc.array(line, { maxLength: 12 }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
    fc.constantFrom('', '\ufeff'),
  )
  .map(([lines, end, trailing, bom]) => `${bom}${lines.join(end)}${trailing ? end : ''}`);

const ednAtom = fc.constantFrom(
  ':process',
  ':type',
  ':invoke',
  ':ok',
  ':info',
  ':f',
  ':read',
  ':write',
  ':cas',
  ':txn',
  ':value',
  'nil',
  '0',
  '1',
  '-5',
  '"s"',
  '#_',
  '#{',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ':__proto__',
  '\\a',
  ';',
  '\n',
  ' ',
);
const edn = fc.oneof(
  fc.array(ednAtom, { maxLength: 60 }).map((atoms) => atoms.join(' ')),
  fc.nat({ max: 100_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
);

describe('bad input as a class', () => {
  it('malformed NDJSON histories: check and report answer, never crash', async () => {
    await fc.assert(
      fc.asyncProperty(ndjson, (text) =>
        tryFile(text, '.ndjson', [
          ['check', 'FILE'],
          ['check', '--json', 'FILE'],
          ['report', 'FILE', '--out', join(dir, 'page.html')],
        ]),
      ),
      settings(40),
    );
  }, 600_000);

  it('malformed EDN histories: check answers, never crashes', async () => {
    await fc.assert(
      fc.asyncProperty(edn, (text) => tryFile(text, '.edn', [['check', 'FILE']])),
      settings(40),
    );
  }, 600_000);

  it('arbitrary bytes (invalid UTF-8 included) are refused or read, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), (bytes) =>
        tryFile(bytes, '.ndjson', [['check', 'FILE']]),
      ),
      settings(25),
    );
  }, 600_000);

  it('option values of check: a verdict or a usage error', async () => {
    const history = join(projectRoot, '../shared/histories/porcupine/etcd/etcd_002.jsonl');
    const option = fc.oneof(
      fc.tuple(
        fc.constant('--initial-value'),
        fc.oneof(
          fc.string(),
          jsonValue.map((v) => JSON.stringify(v)),
        ),
      ),
      fc.tuple(fc.constant('--timeout'), fc.oneof(fc.string(), fc.double().map(String))),
      fc.tuple(fc.constantFrom('--model', '--format', '--checker'), fc.string({ maxLength: 12 })),
    );
    await fc.assert(
      fc.asyncProperty(option, async ([name, value]) => {
        expectHandled(await dscheck(['check', name, value, history]), `check ${name} ${value}`);
      }),
      settings(30),
    );
  }, 600_000);

  it('generated workload YAML through run --dry-run: a plan or a usage error, never a start', async () => {
    const yamlValue = fc.oneof(
      fc.constantFrom(
        '1e9',
        '-1',
        '0',
        '100000',
        '100001',
        'null',
        '~',
        '[]',
        '{}',
        '"x"',
        '*a',
        '&a [*a]',
        '!!binary x',
      ),
      fc.integer().map(String),
      fc.string({ maxLength: 12 }).map((t) => JSON.stringify(t)),
    );
    const yamlField = fc.tuple(
      fc.constantFrom(
        'client',
        'keys',
        'mix',
        'final',
        'checkers',
        'cache-aside',
        'max-txn-length',
        'isolation',
        'name',
        'bogus',
        '__proto__',
      ),
      yamlValue,
    );
    const workloadYaml = fc.oneof(
      fc
        .tuple(
          fc.constantFrom('register', 'set', 'cache-aside', 'list-append', 'nope'),
          fc.array(yamlField, { maxLength: 6 }),
        )
        .map(([client, fields]) => [`client: ${client}`, ...fields.map(([k, v]) => `${k}: ${v}`)].join('\n')),
      fc.string({ maxLength: 80 }),
      fc.nat({ max: 20 }).map((n) => `a: &a [x]\n${'b'.repeat(1)}: ${Array(n).fill('*a').join(' ')}\n`),
    );
    await fc.assert(
      fc.asyncProperty(workloadYaml, (text) =>
        tryFile(text, '.yaml', [
          ['run', '--dry-run', '--workload', 'FILE', '--seed', '1'],
          ['run', '--dry-run', '--json', '--workload', 'FILE', '--seed', '1'],
        ]),
      ),
      settings(30),
    );
  }, 600_000);

  it('run option values through --dry-run: a plan or a usage error', async () => {
    const option = fc.tuple(
      fc.constantFrom(
        '--keys',
        '--nodes',
        '--concurrency',
        '--rate',
        '--time-limit',
        '--seed',
        '--loss',
        '--timeout',
        '--name',
        '--workload',
        '--store',
        '--nemesis',
        '--partition',
        '--topology',
        '--read-from',
        '--consistency',
      ),
      fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.double().map(String),
        fc.constantFrom('1e9', '-0', 'x'.repeat(300)),
      ),
    );
    await fc.assert(
      fc.asyncProperty(option, async ([name, value]) => {
        const r = await dscheck(['run', '--dry-run', '--json', name, value]);
        expectHandled(r, `run --dry-run ${name} ${value}`);
        // One JSON object on stdout, a plan or an error, whatever the value.
        const answer = JSON.parse(r.stdout) as { exitCode: number };
        expect(answer.exitCode).toBe(r.exitCode);
      }),
      settings(30),
    );
  }, 600_000);
});

describe('bad input: the cases found by hand (issue 14)', () => {
  it('an empty history: check and report give the same exit code (2, unknown)', async () => {
    const file = join(dir, 'empty.ndjson');
    writeFileSync(file, '');
    const checked = await dscheck(['check', file]);
    const reported = await dscheck(['report', file, '--out', join(dir, 'empty.html')]);
    expect(checked.exitCode).toBe(2);
    expect(reported.exitCode).toBe(checked.exitCode);
  }, 60_000);
  it('report takes --format, which its message suggests for a file without an extension', async () => {
    const file = join(dir, 'noext');
    writeFileSync(file, '');
    const r = await dscheck(['report', file]);
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toMatch(/--format ndjson\|edn/);
    const formatted = await dscheck(['report', file, '--format', 'ndjson', '--out', join(dir, 'noext.html')]);
    expect(formatted.exitCode).toBe(2);
  }, 60_000);
  it('run --workload /x/y.json blames --workload, also as a JSON error on stdout', async () => {
    const r = await dscheck(['run', '--json', '--workload', '/x/y.json']);
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toMatch(/unknown --workload '\/x\/y.json'/);
    expect(JSON.parse(r.stdout)).toMatchObject({ exitCode: 254, error: expect.stringMatching(/--workload/) });
  }, 60_000);
  it('run --dry-run prints the plan and starts nothing; --json gives it as one object', async () => {
    const r = await dscheck(['run', '--dry-run', '--json', '--seed', '7', '--keys', '3']);
    expect(r.exitCode).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      dryRun: boolean;
      command: string;
      test: { options: { keys: number } };
    };
    expect(plan.dryRun).toBe(true);
    expect(plan.command).toMatch(/^dscheck run .*--seed 7 .*--keys 3/);
    expect(plan.test.options.keys).toBe(3);
    expect(r.stderr).toContain(plan.command);
  }, 60_000);
  it('check --json prints a JSON error object on stdout for a refused file', async () => {
    const r = await dscheck(['check', '--json', join(dir, 'missing.ndjson')]);
    expect(r.exitCode).toBe(254);
    expect(JSON.parse(r.stdout)).toMatchObject({
      exitCode: 254,
      error: expect.stringMatching(/missing.ndjson/),
    });
  }, 60_000);
  it('a results.json with wrong types: report and compare refuse it by name (254), never a TypeError', async () => {
    const run = join(dir, 'run-bad');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'test.json'), '{"name":"bad","options":{}}');
    writeFileSync(join(run, 'history.ndjson'), '');
    writeFileSync(
      join(run, 'results.json'),
      '{"valid":false,"checkers":{"linearizable":{"valid":false,"failures":5}}}',
    );
    const report = await dscheck(['report', run, '--out', join(dir, 'bad.html')]);
    expectHandled(report, 'report of a run with wrong result types');
    expect(report.exitCode).toBe(254);
    expect(report.stderr).toContain('results.json');
    writeFileSync(join(run, 'results.json'), '{"valid":false,"checkers":[1]}');
    const compared = await dscheck(['compare', run, '--out', join(dir, 'bad-compare.html')]);
    expectHandled(compared, 'compare of a run with wrong result types');
    expect(compared.exitCode).toBe(254);
    expect(compared.stderr).toMatch(/results.json: checkers must be a mapping/);
  }, 60_000);
});
