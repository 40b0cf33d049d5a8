import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TransactionsResult } from '../checker/transactions/index.js';
import { latestRun, runCli } from '../testing/cli.js';

/**
 * The list-append workload end to end through the built CLI. Single-node MariaDB (the isolation
 * baseline: no replication involved) at SERIALIZABLE without faults must show no anomaly; at
 * REPEATABLE READ (MariaDB's default, which does not stop lost updates) with many processes on two
 * keys it shows them. Redis runs MULTI/EXEC one at a time on its primary: no anomaly.
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
      'single',
      '--workload',
      preset('serializable'),
      '--server-option',
      'max_connections=600',
      '--time-limit',
      '10',
    ]);
    expect(r.stats.ok).toBeGreaterThan(50);
    expect(r.anomalies).toEqual({});
    expect(r.valid).toBe(true);
    // The server option reached the server, test.json and the report's run description.
    const dir = latestRun(out, 'la-serializable');
    const test = JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8'));
    expect(test.options.serverOptions).toEqual(['max_connections=600']);
    expect(readFileSync(join(dir, 'nodes/n1/my.cnf'), 'utf8')).toMatch(/^max_connections=600$/m);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('server: max_connections=600');
  }, 240_000);

  it('MariaDB at REPEATABLE READ under contention (--isolation over the preset): lost updates', async () => {
    const r = await transactions('la-repeatable-read', [
      '--store',
      'mysql',
      '--topology',
      'single',
      '--workload',
      preset('serializable'),
      '--isolation',
      'repeatable-read',
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
    // InnoDB's REPEATABLE READ reads a snapshot but appends to the latest row: P4 itself.
    expect(r.anomalies['lost-update'] ?? 0).toBeGreaterThan(0);
  }, 240_000);

  it("a server option MariaDB does not know: exit 254 with the server's words, before any client ran", async () => {
    const finished = await runCli([
      'run',
      '--out',
      out,
      '--store',
      'mysql',
      '--topology',
      'single',
      '--workload',
      'list-append',
      '--server-option',
      'innodb_no_such_setting=2',
      '--time-limit',
      '5',
    ]);
    expect(finished.code).toBe(254);
    expect(finished.stderr).toContain(
      "mysql refused --server-option innodb_no_such_setting=2: /usr/sbin/mariadbd: unknown variable 'innodb_no_such_setting=2'",
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
