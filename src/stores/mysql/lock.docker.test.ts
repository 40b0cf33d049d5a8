import { afterAll, describe, expect, it } from 'vitest';
import { checkLock } from '../../checker/lock.js';
import { runResources } from '../../docker/cleanup.js';
import { lockWorker, now, Recorder } from '../../testing/history.js';
import type { ClusterNode, LockGrant } from '../types.js';
import { waitUntil } from '../wait.js';
import { adminQuery } from './admin.js';
import { connect } from './client.js';
import type { MysqlDb } from './db.js';
import { CLIENT_USER, DATABASE, PASSWORD } from './image.js';
import { mysql } from './index.js';
import { LOCK_TABLES_DDL, MysqlLockClient } from './lock-client.js';

const started: { runId: string; db: MysqlDb }[] = [];
const clients: MysqlLockClient[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(started.map(({ db }) => db.teardown()));
  for (const { runId } of started)
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
});

async function lockClient(node: ClusterNode, fenced: boolean): Promise<MysqlLockClient> {
  const connection = await connect(node, { user: CLIENT_USER, password: PASSWORD }, 5000, DATABASE);
  const client = new MysqlLockClient(connection, { fenced }, node.name);
  clients.push(client);
  return client;
}

describe('mysql GET_LOCK', () => {
  it('fault-free: one holder at a time; a lock dies with its session', async () => {
    const runId = `test-mysql-lock-${process.pid}-${Date.now().toString(36)}`;
    const db = (await mysql.start({
      runId,
      topology: 'async',
      nodes: 1,
      readFrom: 'primary',
      log: () => {},
    })) as MysqlDb;
    started.push({ runId, db });
    const node = db.nodes[0];
    await adminQuery(node, LOCK_TABLES_DDL);

    const recorder = new Recorder();
    const until = now() + 3e9;
    await Promise.all(
      [0, 1, 2].map(async (p) => lockWorker(recorder, p, await lockClient(node, true), until, 1000)),
    );
    const r = await checkLock({ operations: recorder.operations.sort((a, b) => a.call - b.call) });
    console.log(`mysql GET_LOCK fault-free: ${r.holds} grants`);
    expect(r.holds).toBeGreaterThan(10);
    expect(r).toMatchObject({ valid: true, overlaps: { count: 0 }, unsafe: { count: 0 } });

    const holder = await lockClient(node, true);
    const other = await lockClient(node, true);
    const grant = await holder.acquire('session', 1000);
    expect(grant).not.toBeNull();
    expect(await other.acquire('session', 1000)).toBeNull();
    await holder.close();
    // The server frees the lock once it notices the session is gone.
    const freed: { grant: LockGrant | null } = { grant: null };
    await waitUntil(
      'the closed session to free its lock',
      async () => {
        freed.grant = await other.acquire('session', 1000);
        return freed.grant !== null;
      },
      { timeoutMs: 5000 },
    );
    const next = freed.grant;
    expect(next?.token).toBe((grant?.token ?? 0) + 1);
    // The old holder's token is now older than the stored one: the fenced resource refuses it.
    expect(await other.write('r', next?.token ?? 0, 1)).toBe(true);
    const late = await lockClient(node, true);
    expect(await late.write('r', grant?.token ?? 0, 2)).toBe(false);
  });
});
