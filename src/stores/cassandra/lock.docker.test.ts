import type { Client } from 'cassandra-driver';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLock } from '../../checker/lock.js';
import { runResources } from '../../docker/cleanup.js';
import { lockWorker, now, Recorder } from '../../testing/history.js';
import { connect } from './client.js';
import type { CassandraDb } from './db.js';
import { cassandra } from './index.js';
import { CassandraLockClient, LOCK_TABLES_CQL } from './lock-client.js';

const started: { runId: string; db: CassandraDb }[] = [];
const drivers: Client[] = [];

afterAll(async () => {
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

    const recorder = new Recorder();
    const until = now() + 5e9;
    const client = (p: number) => new CassandraLockClient(driver, `p${p}`, { fenced: true }, node.name, 5000);
    await Promise.all([0, 1, 2].map((p) => lockWorker(recorder, p, client(p), until, 2000)));
    const r = await checkLock({ operations: recorder.operations.sort((a, b) => a.call - b.call) });
    console.log(`cassandra LWT fault-free: ${r.holds} grants, ${r.acquires.fail} refused`);
    expect(r.holds).toBeGreaterThan(3);
    expect(r).toMatchObject({ valid: true, overlaps: { count: 0 }, unsafe: { count: 0 } });

    const late = client(9);
    expect(await late.write('resource', 1, 99)).toBe(false);
  });
});
