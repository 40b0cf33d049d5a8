import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runResources } from '../docker/cleanup.js';
import { ensureImage } from '../docker/images.js';
import { openSwarmRuntime } from '../docker/swarm/runtime.js';
import { leftoversOnHosts, startTestHosts, type TestHosts } from '../docker/swarm/test-hosts.js';
import { readHistory } from '../history/reader.js';
import { MYSQL_IMAGE } from '../stores/mysql/image.js';
import { REDIS_IMAGE } from '../stores/redis/image.js';
import { latestRun, runCli, startCli } from '../testing/cli.js';

/**
 * `dscheck run --hosts` as a user runs it (the built CLI in a child process; `npm run build`
 * first): a Galera cluster and a Redis Sentinel cluster with one node per host on a Swarm of three
 * Docker engines in containers, their clients and nemesis in the control container on the overlay.
 */
const out = mkdtempSync(join(tmpdir(), 'dscheck-run-hosts-'));
let hosts: TestHosts;
let endpoints: string;

beforeAll(async () => {
  const tags = [await ensureImage(MYSQL_IMAGE, () => {}), await ensureImage(REDIS_IMAGE, () => {})];
  hosts = await startTestHosts(3);
  endpoints = hosts.engines.map((e) => e.name).join(',');
  // Loaded once here, so that each run below starts from hosts that have the images.
  await (await openSwarmRuntime(hosts.engines)).ensureImages(tags, () => {});
}, 600_000);

afterAll(async () => {
  const runId = hosts?.runId;
  await hosts?.remove();
  if (runId) expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
  rmSync(out, { recursive: true, force: true });
});

const galera = (name: string, timeLimitS: number) => [
  'run',
  '--out',
  out,
  '--store',
  'mysql',
  '--topology',
  'galera',
  '--hosts',
  endpoints,
  '--nemesis',
  'partition',
  '--nemesis-interval',
  '5',
  '--time-limit',
  String(timeLimitS),
  '--recovery',
  '3',
  '--name',
  name,
];

function runIdOf(folder: string): string {
  return (JSON.parse(readFileSync(join(folder, 'test.json'), 'utf8')) as { runId: string }).runId;
}

describe('dscheck run --hosts on a 3-host Swarm', () => {
  it('runs Galera under partitions from the control container, brings history, verdict and report back, leaves nothing on any host', async () => {
    const finished = await runCli([...galera('galera-hosts', 20), '--seed', '17']);
    expect([0, 1, 2], finished.stderr).toContain(finished.code);
    expect(finished.stderr).toMatch(/in a control container on the Swarm/);
    const folder = latestRun(out, 'galera-hosts');
    for (const file of ['test.json', 'history.ndjson', 'results.json', 'index.html']) {
      expect(existsSync(join(folder, file)), file).toBe(true);
    }
    expect(readdirSync(join(folder, 'nodes')).sort()).toEqual(['n1', 'n2', 'n3']);
    const test = JSON.parse(readFileSync(join(folder, 'test.json'), 'utf8'));
    expect(test.store.placement).toEqual({
      n1: hosts.engines[0].name,
      n2: hosts.engines[1].name,
      n3: hosts.engines[2].name,
    });
    expect(test.command).toContain('--seed 17');

    const history = await readHistory(join(folder, 'history.ndjson'));
    expect(history.warnings).toEqual([]);
    expect(history.operations.filter((op) => op.outcome === 'ok').length, finished.stderr).toBeGreaterThan(
      200,
    );
    expect(history.nemesis.filter((e) => e.f === 'start-partition').length).toBeGreaterThanOrEqual(1);
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
    expect(finished.code).toBe({ true: 0, false: 1, unknown: 2 }[String(results.valid) as 'true']);
    expect(results.checkers.linearizable.model).toBe('cas-register');
    expect(finished.stdout).toContain(join(folder, 'index.html').slice(out.length));
    // For docs/swarm.md: how long a partition took to take effect on the three hosts.
    console.log(`partition time to effect over 3 hosts: ${JSON.stringify(results.stats.faultDelayMs)}`);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('galera-hosts');

    expect(await leftoversOnHosts(hosts.engines, runIdOf(folder))).toEqual([]);
  }, 300_000);

  it('runs Redis Sentinel under kills and pauses of nodes on other hosts, as good a history and verdict as on one host', async () => {
    const finished = await runCli([
      'run',
      '--out',
      out,
      '--store',
      'redis',
      '--topology',
      'sentinel',
      '--hosts',
      endpoints,
      '--nemesis',
      'kill,pause',
      '--nemesis-interval',
      '3',
      '--time-limit',
      '15',
      '--recovery',
      '3',
      '--seed',
      '17',
      '--name',
      'redis-hosts',
    ]);
    expect([0, 1, 2], finished.stderr).toContain(finished.code);
    expect(finished.stderr).toMatch(/in a control container on the Swarm/);
    const folder = latestRun(out, 'redis-hosts');
    const test = JSON.parse(readFileSync(join(folder, 'test.json'), 'utf8'));
    const placement: Record<string, string> = test.store.placement;
    expect(placement).toEqual({
      n1: hosts.engines[0].name,
      n2: hosts.engines[1].name,
      n3: hosts.engines[2].name,
    });

    const history = await readHistory(join(folder, 'history.ndjson'));
    expect(history.warnings).toEqual([]);
    expect(history.operations.filter((op) => op.outcome === 'ok').length, finished.stderr).toBeGreaterThan(
      500,
    );
    // Two faulty periods, the two kinds in turn: each names a node, and so (placement) its host.
    const faults = history.nemesis.filter((e) => ['pause', 'resume', 'kill', 'restart'].includes(e.f));
    expect(new Set(faults.map((e) => e.f))).toEqual(new Set(['pause', 'resume', 'kill', 'restart']));
    for (const fault of faults) {
      const nodes = fault.value as string[];
      expect(nodes.length, JSON.stringify(fault)).toBeGreaterThan(0);
      for (const node of nodes) expect(Object.keys(placement)).toContain(node);
    }
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
    expect(finished.code).toBe({ true: 0, false: 1, unknown: 2 }[String(results.valid) as 'true']);
    expect(results.checkers.linearizable.model).toBe('cas-register');
    expect(Object.keys(results.stats.faultDelayMs).sort()).toEqual(['kill', 'pause']);
    const page = readFileSync(join(folder, 'index.html'), 'utf8');
    for (const [node, host] of Object.entries(placement)) expect(page).toContain(`${node} on ${host}`);
    console.log(`kill and pause time to effect over 3 hosts: ${JSON.stringify(results.stats.faultDelayMs)}`);

    expect(await leftoversOnHosts(hosts.engines, runIdOf(folder))).toEqual([]);
  }, 180_000);

  it('Ctrl-C in the middle: the run inside stops, writes its results, and every host is left clean', async () => {
    const { child, done, stderr } = startCli(galera('galera-hosts-interrupted', 120));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the run never started:\n${stderr()}`)), 240_000);
      child.stderr?.on('data', () => {
        if (stderr().includes('[running]')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // The history is followed into the local run folder as it is written, before any copy back.
    const [streaming] = readdirSync(join(out, 'galera-hosts-interrupted'));
    const streamed = readFileSync(join(out, 'galera-hosts-interrupted', streaming, 'history.ndjson'), 'utf8');
    expect(streamed.split('\n').length).toBeGreaterThan(50);
    const sent = Date.now();
    child.kill('SIGINT');
    const finished = await done;
    expect([0, 1, 2], finished.stderr).toContain(finished.code);
    expect(Date.now() - sent).toBeLessThan(60_000);

    const folder = latestRun(out, 'galera-hosts-interrupted');
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
    expect(results.interrupted).toBe(true);
    expect(existsSync(join(folder, 'index.html'))).toBe(true);
    expect(await leftoversOnHosts(hosts.engines, runIdOf(folder))).toEqual([]);
  }, 300_000);
});
