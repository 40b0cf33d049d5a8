import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LockResult } from '../../checker/lock.js';
import { runResources } from '../../docker/cleanup.js';
import { runAndRead } from '../../testing/cli.js';
import { takeTurns } from '../../testing/history.js';
import type { ClusterNode, LockGrant } from '../types.js';
import { waitUntil } from '../wait.js';
import { Link } from './client.js';
import type { MysqlDb } from './db.js';
import { CLIENT_USER, PASSWORD } from './image.js';
import { mysql } from './index.js';
import { MysqlLockClient } from './lock-client.js';

const started: { runId: string; db: MysqlDb }[] = [];
const clients: MysqlLockClient[] = [];
const out = mkdtempSync(join(tmpdir(), 'dscheck-mysql-lock-'));

afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(started.map(({ db }) => db.teardown()));
  for (const { runId } of started)
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
});

async function lockClient(node: ClusterNode, fenced: boolean): Promise<MysqlLockClient> {
  const link = new Link(
    () => node,
    { user: CLIENT_USER, password: PASSWORD },
    5000,
    () => {},
  );
  const client = new MysqlLockClient(link, { fenced });
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

    const r = await takeTurns(await Promise.all([0, 1, 2].map(() => lockClient(node, true))), 3000, 5000);
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

describe('dscheck run --workload lock on mysql', () => {
  it('holders paused longer than their lease write safely: GET_LOCK is held by the session, not a lease', async () => {
    const { code, result } = await runAndRead<LockResult>(out, 'mysql-lock-pause', 'lock', [
      ...['--store', 'mysql', '--topology', 'single', '--workload', 'lock', '--nemesis', 'none'],
      ...['--lock', 'mysql-get-lock', '--lease-ms', '1000', '--holder-pause-ms', '2000'],
      ...['--concurrency', '4', '--time-limit', '12', '--seed', '7'],
    ]);
    // Redis's lease lock under the same pauses has unsafe writes (src/workloads/lessons.docker.test.ts).
    expect(result.holds).toBeGreaterThan(20);
    expect(result).toMatchObject({ valid: true, overlaps: { count: 0 }, unsafe: { count: 0 } });
    expect(code).toBe(0);
  }, 120_000);
});
