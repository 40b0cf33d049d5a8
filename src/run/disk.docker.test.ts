import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runResources } from '../docker/cleanup.js';
import { readHistory } from '../history/reader.js';
import { latestRun, runCli } from '../testing/cli.js';
import { recheck } from '../testing/recheck.js';

/**
 * A run that would fill its disk stops by itself, with its verdict: a full-speed Redis run of
 * 10 minutes with its folder on a 48 MiB tmpfs (mounting one needs root). Needs `npm run build`
 * first (npm test does it).
 */
const out = mkdtempSync(join(tmpdir(), 'dscheck-disk-test-'));
let mounted = false;

beforeAll(() => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', out]);
  mounted = true;
});

afterAll(() => {
  if (mounted) execFileSync('umount', [out]);
  rmSync(out, { recursive: true, force: true });
});

describe('a run on a disk too small for its history', () => {
  it('stops early with results.json, a page, an intact history, the reason, and nothing left in Docker', async () => {
    const started = Date.now();
    const finished = await runCli([
      'run',
      '--out',
      out,
      '--name',
      'disk-full',
      '--rate',
      '0',
      '--time-limit',
      '600',
      '--nemesis-interval',
      '5',
      // A checkpoint every 6 s: its copy of the history must not be what fills the disk.
      '--checkpoint',
      '0.1',
      '--seed',
      '5',
    ]);
    expect(finished.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(finished.stderr).toContain(
      'history: at full speed (--rate 0), its size is estimated after the first',
    );
    expect(finished.stderr).toContain('the disk is nearly full');

    const folder = latestRun(out, 'disk-full');
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
    const { stoppedEarly } = results;
    expect(stoppedEarly.reason).toBe('disk-full');
    expect(stoppedEarly.atS).toBeLessThan(600);
    expect(stoppedEarly.freeBytes).toBeLessThan(stoppedEarly.reserveBytes);
    // The exit code is the verdict's, as for a run that reached its time limit.
    expect(finished.code).toBe(results.valid === true ? 0 : results.valid === false ? 1 : 2);
    expect(results.interrupted).toBe(false);
    expect(results.checkpoint).toBeUndefined();

    const page = readFileSync(join(folder, 'index.html'), 'utf8');
    expect(page).toContain('The run stopped early, at ');
    expect(page).toContain('the disk of its folder was nearly full');

    // Every line whole, the final reads recorded after the stop, and the same verdict read again.
    const history = await readHistory(join(folder, 'history.ndjson'));
    expect(history.warnings).toEqual([]);
    expect(history.operations.length).toBe(results.stats.ops);
    expect(history.operations.some((op) => op.f === 'read' && op.extra?.final === true)).toBe(true);
    const again = await recheck(folder, 'stale-reads');
    expect(again.rechecked).toEqual(again.stored);

    const test = JSON.parse(readFileSync(join(folder, 'test.json'), 'utf8'));
    expect(test.disk.totalBytes).toBe(48 * 1024 * 1024);
    expect(existsSync(join(folder, '.checkpoint-history.ndjson'))).toBe(false);
    expect(await runResources(test.runId)).toEqual({ containers: [], networks: [] });
  }, 180_000);
});
