import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LockResult } from '../checker/lock.js';
import { runAndRead } from '../testing/cli.js';

/**
 * The clock nemesis on MariaDB (libfaketime preloaded into mariadbd), through the built CLI: a
 * lease lock whose expiry the server's clock decides. Holders pause 1 s inside a 2 s lease, which
 * is safe while clocks agree (docs/findings.md has the control run). One node's clock jumps
 * by 5 s, forward at the fault's start or (the sign drawn negative) at its stop: every lease
 * ends at once on the server, while its holder still believes it holds the lock.
 */
const out = mkdtempSync(join(tmpdir(), 'dscheck-clock-test-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('--nemesis clock on mysql', () => {
  it('a jump of the server clock hands a lease lock to a second holder; history and report record the offsets', async () => {
    const { code, result, folder } = await runAndRead<LockResult>(out, 'clock-lease', 'lock', [
      ...['--store', 'mysql', '--topology', 'single', '--workload', 'lock', '--lock', 'mysql-lease'],
      ...['--lease-ms', '2000', '--holder-pause-ms', '1000', '--concurrency', '4'],
      ...['--nemesis', 'clock', '--clock', 'bump', '--clock-skew-ms', '5000'],
      ...['--nemesis-interval', '4', '--time-limit', '12', '--seed', '7'],
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
    expect(start.value).toMatchObject({ kind: 'bump', offsets: { n1: expect.any(Number) } });
    expect(Math.abs(start.value.offsets.n1)).toBe(5000);
    expect(stop.value).toEqual({ offsets: { n1: 0 } });
    expect(readFileSync(join(folder, 'index.html'), 'utf8')).toMatch(/clock: n1 [+-]5000 ms/);
  }, 120_000);
});
