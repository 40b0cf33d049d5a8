import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'cassandra-driver';
import { afterAll, describe, expect, it } from 'vitest';
import type { LockResult } from '../../checker/lock.js';
import { runResources } from '../../docker/cleanup.js';
import { runAndRead } from '../../testing/cli.js';
import { takeTurns } from '../../testing/history.js';
import { connect } from './client.js';
import type { CassandraDb } from './db.js';
import { cassandra } from './index.js';
import { CassandraLockClient, LOCK_TABLES_CQL } from './lock-client.js';

const started: { runId: string; db: CassandraDb }[] = [];
const drivers: Client[] = [];
const out = mkdtempSync(join(tmpdir(), 'dscheck-cassandra-lock-'));

afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await Promise.all(drivers.map((d) => d.shutdown()));
  await Promise.all(started.map(({ db }) => db.teardown()));
  for (const { runId } of started)
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
});

describe('cassandra LWT lock', () => {
  it('fault-free: one holder at a time; a fenced resource refuses an old token', async () => {
    const runId = `test-cassandra-lock-${process.pid}-${Date.now().toString(36)}`;
    const db = (await cassandra.start({
      runId,
      topology: 'ring',
      nodes: 1,
      readFrom: 'primary',
      log: () => {},
    })) as CassandraDb;
    started.push({ runId, db });
    const node = db.nodes[0];
    const driver = await connect(node, 10_000);
    drivers.push(driver);
    for (const statement of LOCK_TABLES_CQL) await driver.execute(statement);

    const client = (p: number) => new CassandraLockClient(driver, `p${p}`, { fenced: true }, node.name, 5000);
    const r = await takeTurns([0, 1, 2].map(client), 5000, 5000);
    console.log(`cassandra LWT fault-free: ${r.holds} grants, ${r.acquires.fail} refused`);
    expect(r.holds).toBeGreaterThan(3);
    expect(r).toMatchObject({ valid: true, overlaps: { count: 0 }, unsafe: { count: 0 } });

    const late = client(9);
    expect(await late.write('resource', 1, 99)).toBe(false);
  });
});

describe('dscheck run --workload lock on cassandra', () => {
  it('a holder paused past its TTL lease writes after the next holder: unsafe writes, no overlap', async () => {
    const { code, result } = await runAndRead<LockResult>(out, 'cassandra-lock-pause', 'lock', [
      ...['--store', 'cassandra', '--nodes', '1', '--workload', 'lock', '--nemesis', 'none'],
      ...['--lease-ms', '2000', '--timeout', '2000', '--holder-pause-ms', '5000'],
      ...['--concurrency', '3', '--time-limit', '20', '--seed', '7'],
    ]);
    expect(result.holds).toBeGreaterThan(10);
    // The holder counts its lease from when it asked, and the TTL outlasts it: no two believers.
    expect(result.overlaps.count).toBe(0);
    expect(result.unsafe.count).toBeGreaterThan(0);
    expect(result.valid).toBe(false);
    expect(code).toBe(1);
  }, 240_000);
});
