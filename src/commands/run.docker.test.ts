import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runResources } from '../docker/cleanup.js';
import { readHistory } from '../history/reader.js';
import { latestRun, runCli, startCli } from '../testing/cli.js';
import { recheck } from '../testing/recheck.js';

/**
 * `dscheck run` as a user runs it: the built CLI in a child process against real Docker.
 * Needs `npm run build` first (npm test does it).
 */
const out = mkdtempSync(join(tmpdir(), 'dscheck-run-test-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

const start = (args: string[]) => startCli(['run', '--out', out, ...args]);
const runFolder = (name: string) => latestRun(out, name);

function runId(folder: string): string {
  return (JSON.parse(readFileSync(join(folder, 'test.json'), 'utf8')) as { runId: string }).runId;
}

describe('dscheck run against a real Redis cluster', () => {
  it('runs 30 s with partitions, keeps a checkable history, writes results, leaves nothing behind', async () => {
    const { done } = start([
      '--time-limit',
      '30',
      '--nemesis-interval',
      '5',
      '--seed',
      '4242',
      '--name',
      'e2e',
    ]);
    const finished = await done;
    expect([0, 1, 2], finished.stderr).toContain(finished.code);
    const folder = runFolder('e2e');
    for (const file of ['test.json', 'history.ndjson', 'results.json', 'index.html']) {
      expect(existsSync(join(folder, file)), file).toBe(true);
    }
    expect(readdirSync(join(folder, 'nodes')).sort()).toEqual(['n1', 'n2', 'n3']);

    const test = JSON.parse(readFileSync(join(folder, 'test.json'), 'utf8'));
    expect(test.seed).toBe(4242);
    expect(test.command).toContain('--seed 4242');
    expect(test.versions.node).toBe(process.version);

    const history = await readHistory(join(folder, 'history.ndjson'));
    expect(history.warnings).toEqual([]);
    expect(history.operations.length).toBeGreaterThan(1000);
    const starts = history.nemesis.filter((e) => e.f === 'start-partition');
    const stops = history.nemesis.filter((e) => e.f === 'stop-partition');
    expect(starts.length).toBe(3); // at 5, 15, 25 s
    expect(stops.length).toBe(3); // at 10, 20 s, and the final heal
    // Final reads: every key read after the last heal.
    const lastHeal = Math.max(...stops.map((e) => e.time));
    const finalReads = history.operations.filter((op) => op.f === 'read' && op.call > lastHeal);
    expect(new Set(finalReads.map((op) => op.key)).size).toBe(8);

    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
    expect(results.checkers.linearizable.model).toBe('cas-register');
    expect(results.checkers.perf.faultWindows.length).toBe(3);
    const verdict = { true: 0, false: 1, unknown: 2 }[String(results.valid) as 'true' | 'false' | 'unknown'];
    expect(finished.code).toBe(verdict);
    expect(finished.stdout).toMatch(/report: .*index\.html/);

    // `dscheck check` on the stored history gives the same verdict.
    expect((await runCli(['check', join(folder, 'history.ndjson')])).code).toBe(finished.code);
    // And `--checker stale-reads` finds the stale reads the run found.
    const again = await recheck(folder, 'stale-reads');
    expect(again.rechecked).toEqual(again.stored);
    expect(again.code).toBe(
      { true: 0, false: 1, unknown: 2 }[String(results.checkers['stale-reads'].valid) as 'true'],
    );

    expect(await runResources(runId(folder))).toEqual({ containers: [], networks: [] });
  }, 180_000);

  it('Ctrl-C in the middle: exits within 20 s, keeps the history, writes results, leaves nothing behind', async () => {
    const { child, done } = start([
      '--time-limit',
      '120',
      '--nemesis',
      'partition,pause',
      '--nemesis-interval',
      '3',
      '--name',
      'interrupted',
    ]);
    // Interrupt once the clients are running (the progress line says so).
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the run never started')), 90_000);
      child.stderr?.on('data', (d: Buffer) => {
        if (d.toString().includes('[running]')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await new Promise((r) => setTimeout(r, 5_000));
    const sent = Date.now();
    child.kill('SIGINT');
    const finished = await done;
    expect(Date.now() - sent).toBeLessThan(20_000);
    expect([0, 1, 2], finished.stderr).toContain(finished.code);

    const folder = runFolder('interrupted');
    const history = await readHistory(join(folder, 'history.ndjson'));
    expect(history.operations.length).toBeGreaterThan(100);
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
    expect(results.interrupted).toBe(true);
    expect(existsSync(join(folder, 'index.html'))).toBe(true);
    expect(await runResources(runId(folder))).toEqual({ containers: [], networks: [] });
  }, 180_000);

  it('an unknown option value exits 254 naming the choices, before creating anything', async () => {
    const { done } = start(['--partition', 'thirds', '--name', 'bad']);
    const finished = await done;
    expect(finished.code).toBe(254);
    expect(finished.stderr).toMatch(/random-halves, halves, one, primary, majorities-ring, bridge/);
    expect(existsSync(join(out, 'bad'))).toBe(false);
  });
});
