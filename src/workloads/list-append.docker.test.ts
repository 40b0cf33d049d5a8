import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TransactionsResult } from '../checker/transactions/index.js';
import { latestRun, runCli } from '../testing/cli.js';

/**
 * The list-append workload end to end through the built CLI. MariaDB at SERIALIZABLE without
 * faults must show no anomaly; at REPEATABLE READ (MariaDB's default, which does not stop lost
 * updates) with many processes on two keys it shows them. Redis runs MULTI/EXEC one at a time on
 * its primary: no anomaly.
 */
const out = mkdtempSync(join(tmpdir(), 'dscheck-list-append-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The preset with an isolation level, as a user would copy and edit it. */
function preset(isolation: string): string {
  const file = join(out, `list-append-${isolation}.yaml`);
  const text = readFileSync(join(import.meta.dirname, '../../workloads/list-append.yaml'), 'utf8');
  writeFileSync(file, text.replace('isolation: default', `isolation: ${isolation}`));
  return file;
}

async function transactions(name: string, args: string[]): Promise<TransactionsResult> {
  const finished = await runCli([
    'run',
    '--out',
    out,
    '--nemesis',
    'none',
    '--seed',
    '12',
    '--name',
    name,
    ...args,
  ]);
  expect([0, 1], finished.stderr).toContain(finished.code);
  const results = JSON.parse(readFileSync(join(latestRun(out, name), 'results.json'), 'utf8'));
  return results.checkers.transactions as TransactionsResult;
}

describe('the list-append workload', () => {
  it('MariaDB at SERIALIZABLE, no faults: no anomaly', async () => {
    const r = await transactions('la-serializable', [
      '--store',
      'mysql',
      '--topology',
      'async',
      '--read-from',
      'primary',
      '--workload',
      preset('serializable'),
      '--time-limit',
      '10',
    ]);
    expect(r.stats.ok).toBeGreaterThan(50);
    expect(r.anomalies).toEqual({});
    expect(r.valid).toBe(true);
  }, 240_000);

  it('MariaDB at REPEATABLE READ under contention: lost updates', async () => {
    const r = await transactions('la-repeatable-read', [
      '--store',
      'mysql',
      '--topology',
      'async',
      '--read-from',
      'primary',
      '--workload',
      preset('repeatable-read'),
      '--keys',
      '2',
      '--concurrency',
      '12',
      '--rate',
      '0',
      '--time-limit',
      '10',
    ]);
    console.log(
      'repeatable read:',
      JSON.stringify({ anomalies: r.anomalies, notOk: r.notOk, stats: r.stats }),
    );
    expect(r.valid).toBe(false);
    expect(Object.keys(r.anomalies).some((a) => ['lost-update', 'G2-item', 'G-single'].includes(a))).toBe(
      true,
    );
  }, 240_000);

  it('Redis, no faults: no anomaly', async () => {
    const r = await transactions('la-redis', [
      '--store',
      'redis',
      '--workload',
      'list-append',
      '--time-limit',
      '8',
    ]);
    expect(r.stats.ok).toBeGreaterThan(50);
    expect(r.anomalies).toEqual({});
  }, 240_000);
});
