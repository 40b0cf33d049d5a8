import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { perf } from '../checker/perf.js';
import { OperationCollector } from '../history/operations.js';
import type { HistoryEvent } from '../history/types.js';
import { startReportServer } from './server.js';
import { writeReportsIndex, writeRunReport } from './writer.js';

const S = 1_000_000_000;

/** A finished run folder as `dscheck run` leaves it: a minority that refused writes during a partition. */
function makeRun(root: string, name: string, stamp: string, valid: boolean): string {
  const dir = join(root, name, stamp);
  mkdirSync(dir, { recursive: true });
  const events: HistoryEvent[] = [];
  let t = 0;
  for (let i = 0; i < 40; i++) {
    const node = i % 3 === 2 ? 'n3' : 'n1';
    const during = i >= 10 && i < 30;
    const failed = during && node === 'n3';
    t += S / 10;
    events.push({ process: i % 3, type: 'invoke', f: 'write', key: 'k1', value: i, time: t, node });
    if (i === 15)
      events.push({
        process: 'nemesis',
        type: 'info',
        f: 'start-partition',
        value: { n3: ['n1'], n1: ['n3'] },
        time: t,
      });
    if (i === 29)
      events.push({ process: 'nemesis', type: 'info', f: 'stop-partition', value: null, time: t });
    events.push({
      process: i % 3,
      type: failed ? 'fail' : 'ok',
      f: 'write',
      key: 'k1',
      value: i,
      time: t + S / 100,
      node,
      ...(failed ? { error: 'non-primary' } : {}),
    });
  }
  writeFileSync(join(dir, 'history.ndjson'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const collector = new OperationCollector('h');
  for (const [i, e] of events.entries()) collector.add(e, i + 1);
  const perfResult = perf({ operations: collector.operations, nemesis: collector.nemesis });
  writeFileSync(
    join(dir, 'test.json'),
    JSON.stringify({
      name,
      seed: 42,
      command: `dscheck run --store mysql --name '${name}'`,
      startedAt: `${stamp.slice(0, 10)}T12:00:00.000Z`,
      options: {
        store: 'mysql',
        topology: 'galera',
        workload: 'register',
        nemesis: ['partition'],
        partition: 'halves',
        timeLimitS: 4,
        concurrency: 3,
      },
      store: { name: 'mysql', topology: 'galera' },
      workload: { name: 'register' },
    }),
  );
  writeFileSync(
    join(dir, 'results.json'),
    JSON.stringify({
      valid,
      checkers: {
        linearizable: {
          valid,
          model: 'register',
          ops: 40,
          keys: 1,
          ms: 1,
          failures: [],
          unknown: [],
          configurations: 40,
        },
        perf: perfResult,
      },
      stats: { ops: 40 },
      interrupted: false,
      nemesisErrors: [],
    }),
  );
  return dir;
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dscheck-reports-'));
});

describe('writeRunReport', () => {
  it("writes the run's page with its verdict in plain words and the command that reproduces it", async () => {
    const dir = makeRun(root, 'galera-<b>', '2025-01-02T10-00-00Z', true);
    const page = await writeRunReport(dir);
    expect(page).toBe(join(dir, 'index.html'));
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('Linearizable: no anomaly found');
    expect(html).toContain(
      'mysql (galera) · workload register · faults: partition (halves) · 4 s · 3 clients · seed 42',
    );
    expect(html).toContain(
      'clients talking to n3 had every write refused or timed out, while n1 kept accepting writes',
    );
    expect(html).toContain('chose consistency over availability (CP)');
    expect(html).toContain('dscheck run --store mysql --name &#39;galera-&lt;b&gt;&#39;');
    expect(html).not.toContain('<b>');
    expect(html).toContain('href="./history.ndjson"');
  });

  it('names the host of every node when the run spread them over a Swarm', async () => {
    const own = mkdtempSync(join(tmpdir(), 'dscheck-reports-hosts-'));
    const dir = makeRun(own, 'galera-hosts', '2025-01-04T10-00-00Z', true);
    const testFile = join(dir, 'test.json');
    const test = JSON.parse(readFileSync(testFile, 'utf8'));
    test.store.placement = { n1: 'ssh://a', n2: 'ssh://b', n3: 'ssh://c' };
    writeFileSync(testFile, JSON.stringify(test));
    const html = readFileSync(await writeRunReport(dir), 'utf8');
    expect(html).toContain('seed 42 · nodes: n1 on ssh://a, n2 on ssh://b, n3 on ssh://c');
  });
});

describe('writeReportsIndex', () => {
  it('lists every run, newest first, with its verdict and a link, and skips the latest links', async () => {
    const older = makeRun(root, 'redis-sentinel', '2025-01-01T10-00-00Z', false);
    makeRun(root, 'redis-sentinel', '2025-01-03T10-00-00Z', true);
    await writeRunReport(older);
    symlinkSync('2025-01-01T10-00-00Z', join(root, 'redis-sentinel', 'latest'));
    const index = readFileSync(await writeReportsIndex(root), 'utf8');
    const rows = [...index.matchAll(/<tr><td>([^<]*)<\/td><td><a href="([^"]*)">/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      ['2025-01-03 12:00:00Z', './redis-sentinel/2025-01-03T10-00-00Z'],
      ['2025-01-02 12:00:00Z', './galera-%3Cb%3E/2025-01-02T10-00-00Z/index.html'],
      ['2025-01-01 12:00:00Z', './redis-sentinel/2025-01-01T10-00-00Z/index.html'],
    ]);
    expect(index).toContain('INVALID');
    expect(index).toContain('partition (halves)');
  });
});

describe('startReportServer', () => {
  let server: Awaited<ReturnType<typeof startReportServer>>;
  beforeAll(async () => {
    await writeReportsIndex(root);
    server = await startReportServer(root, 0);
  });
  afterAll(() => server.close());

  it('serves the reports folder on 127.0.0.1 only', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetch(server.url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    await expect(index.text()).resolves.toContain('dscheck runs');
  });

  it('serves nothing outside the folder', async () => {
    const response = await fetch(`${server.url}..%2f..%2fetc%2fpasswd`);
    expect([403, 404]).toContain(response.status);
    expect((await fetch(`${server.url}nope.html`)).status).toBe(404);
  });
});
