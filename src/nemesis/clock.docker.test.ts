import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LockResult } from '../checker/lock.js';
import { runAndRead } from '../testing/cli.js';

/**
 * The clock nemesis on MariaDB (libfaketime preloaded into mariadbd), through the built CLI: a
 * lease lock whose expiry the server's clock decides. Holders pause 1.5 s inside a 2 s lease,
 * which is safe while clocks agree (docs/findings.md has the control runs). The server's clock
 * strobes between +5 s and -5 s every second: each jump forward ends the current lease on the
 * server while its holder, most likely asleep in a pause, still believes it holds the lock.
 * Several forward jumps, so one that finds no holder asleep does not fail the test.
 */
const out = mkdtempSync(join(tmpdir(), 'dscheck-clock-test-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('--nemesis clock on mysql', () => {
  it('a jump of the server clock hands a lease lock to a second holder; history and report record the offsets', async () => {
    const { code, result, folder } = await runAndRead<LockResult>(out, 'clock-lease', 'lock', [
      ...['--store', 'mysql', '--topology', 'single', '--workload', 'lock', '--lock', 'mysql-lease'],
      ...['--lease-ms', '2000', '--holder-pause-ms', '1500', '--concurrency', '4'],
      ...['--nemesis', 'clock', '--clock', 'strobe', '--clock-skew-ms', '5000'],
      ...['--nemesis-interval', '4', '--time-limit', '14', '--seed', '7'],
    ]);
    expect(result.overlaps.count).toBeGreaterThan(0);
    expect(result.valid).toBe(false);
    expect(code).toBe(1);

    const events = readFileSync(join(folder, 'history.ndjson'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"nemesis"'))
      .map((line) => JSON.parse(line));
    const start = events.find((e) => e.f === 'start-clock');
    const stop = events.find((e) => e.f === 'stop-clock');
    expect(start.value).toMatchObject({ kind: 'strobe', offsets: { n1: expect.any(Number) } });
    const first = start.value.offsets.n1;
    expect(Math.abs(first)).toBe(5000);
    // The flips alternate sign every second of the 4 s window.
    expect(start.value.flips).toEqual([
      { atMs: 1000, node: 'n1', offsetMs: -first },
      { atMs: 2000, node: 'n1', offsetMs: first },
      { atMs: 3000, node: 'n1', offsetMs: -first },
    ]);
    expect(stop.value).toEqual({ clock: 'server', offsets: { n1: 0 } });
    expect(readFileSync(join(folder, 'index.html'), 'utf8')).toMatch(/clock: n1 [+-]5000 ms, flipping sign/);
  }, 120_000);
});
