import { afterAll, describe, expect, it } from 'vitest';
import { runResources } from '../../docker/cleanup.js';
import type { Json } from '../../history/types.js';
import { failoverMonitor } from '../../nemesis/failover.js';
import { primary } from '../../nemesis/grudge.js';
import type { ClusterOptions } from '../types.js';
import { waitUntil } from '../wait.js';
import { adminQuery, replicaStatus } from './admin.js';
import { type Account, connect } from './client.js';
import type { MysqlDb } from './db.js';
import { CLIENT_USER, PASSWORD } from './image.js';
import { mysql } from './index.js';

const started: { runId: string; db?: MysqlDb }[] = [];

/** Starts a cluster that afterAll removes, even when the test that started it fails. */
async function startCluster(name: string, options: Partial<ClusterOptions> = {}) {
  const entry: { runId: string; db?: MysqlDb } = {
    runId: `test-mysql-${name}-${process.pid}-${Date.now().toString(36)}`,
  };
  started.push(entry);
  const t0 = performance.now();
  entry.db = (await mysql.start({
    runId: entry.runId,
    topology: 'async',
    nodes: 3,
    readFrom: 'primary',
    log: () => {},
    ...options,
  })) as MysqlDb;
  console.log(`mysql ${options.topology ?? 'async'} up in ${(performance.now() - t0).toFixed(0)} ms`);
  return { db: entry.db, runId: entry.runId };
}

afterAll(async () => {
  await Promise.all(started.map((s) => s.db?.teardown()));
  for (const { runId } of started)
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
});

const CLIENT: Account = { user: CLIENT_USER, password: PASSWORD };

/** Reads, writes and cas on one client; the register's behaviour on any topology. */
async function servesRegisters(db: MysqlDb, index: number, key: string): Promise<void> {
  const client = await db.registerClient(index, 2000);
  try {
    expect(await client.read(key)).toBeNull();
    await client.write(key, 1);
    expect(await client.read(key)).toBe(1);
    expect(await client.cas(key, 1, 2)).toBe(true);
    expect(await client.cas(key, 1, 3)).toBe(false);
    // A cas to the value already there succeeded: matched rows, not changed rows, are counted.
    expect(await client.cas(key, 2, 2)).toBe(true);
    expect(await client.read(key)).toBe(2);
  } finally {
    await client.close();
  }
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (err: unknown) => err,
  );

describe('mysql async', () => {
  it('comes up, serves register and set operations, reads from a replica, and leaves nothing behind', async () => {
    const { db, runId } = await startCluster('async');
    expect(await db.primary()).toBe('n1');
    await servesRegisters(db, 0, 'k');

    const sets = await db.setClient(0, 2000);
    await sets.add('s', 1);
    await sets.add('s', 2);
    expect((await sets.read('s')).sort()).toEqual([1, 2]);
    expect(db.classify(await errorOf(sets.add('s', 2)), 'add')).toEqual({
      type: 'fail',
      error: 'duplicate-key',
    });
    await sets.close();

    // A replica refuses an application's writes: definite.
    const replica = await connect(db.nodes[1], CLIENT, 2000, 'dscheck');
    const refused = await errorOf(replica.query('CREATE TABLE refused (x INT)'));
    replica.destroy();
    expect(db.classify(refused, 'write')).toEqual({ type: 'fail', error: 'read-only' });

    await db.teardown();
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
  });

  it('--read-from replicas: writes go to the primary, reads to a replica', async () => {
    const { db } = await startCluster('replicas', { readFrom: 'replicas' });
    const reader = await db.registerClient(1, 2000);
    expect(reader.node).toBe('n3');
    await reader.write('r', 7);
    await waitUntil('the write to replicate to n3', async () => (await reader.read('r')) === 7, {
      timeoutMs: 10_000,
    });
    expect(reader.node).toBe('n3');
    await reader.close();
    await db.teardown();
  });

  it('kills and restarts the primary: acknowledged writes survive, the refused connection is definite', async () => {
    const { db } = await startCluster('kill');
    const client = await db.registerClient(0, 2000);
    await client.write('k', 41);
    await db.kill('n1');
    // The open connection breaks (connection-lost, or not-connected if the close came first); the
    // next write finds nothing listening: refused, definite.
    expect(await errorOf(client.write('k', 42))).not.toBeNull();
    const refused = await errorOf(client.write('k', 42));
    expect(db.classify(refused, 'write')).toEqual({ type: 'fail', error: 'refused' });
    await db.restart('n1');
    expect(await client.read('k')).toBe(41);
    await client.write('k', 43);
    expect(await client.read('k')).toBe(43);
    await client.close();
    await db.teardown();
  });

  it('failover: a killed primary is replaced by a replica, clients write to it, the old primary rejoins', async () => {
    const { db } = await startCluster('failover');
    const events: [string, Json][] = [];
    const monitor = failoverMonitor({
      db,
      recorder: { nemesis: (f, value) => events.push([f, value]) },
      log: () => {},
      pollMs: 200,
      detectionMs: 600,
    });
    const client = await db.registerClient(0, 2000);
    await client.write('k', 1);
    const running = monitor.run();
    await db.kill('n1');
    await waitUntil('a failover', async () => events.length > 0, { timeoutMs: 30_000 });
    const promoted = events[0][1] as { from: string; to: string; repointed: string[] };
    expect(events[0][0]).toBe('failover');
    expect(promoted.from).toBe('n1');
    expect(['n2', 'n3']).toContain(promoted.to);
    expect(await db.primary()).toBe(promoted.to);
    // The client's connection to n1 broke; its next connection goes to the new primary.
    await errorOf(client.write('k', 2));
    await client.write('k', 3);
    expect(client.node).toBe(promoted.to);
    expect(await client.read('k')).toBe(3);
    const other = promoted.to === 'n2' ? db.nodes[2] : db.nodes[1];
    expect((await replicaStatus(other))?.masterHost).toBe(db.nodes.find((n) => n.name === promoted.to)?.ip);

    await db.restart('n1');
    monitor.stop();
    await running;
    await monitor.settle();
    const rejoin = events.find(([f]) => f === 'rejoin')?.[1] as { node: string; replicating: boolean };
    expect(rejoin.node).toBe('n1');
    // A killed primary with nothing unreplicated (innodb_flush_log_at_trx_commit=1) rejoins cleanly.
    expect(rejoin.replicating).toBe(true);
    await client.close();
    await db.teardown();
  });
});

describe('mysql semisync', () => {
  it('comes up and serves register operations', async () => {
    const { db } = await startCluster('semisync', { topology: 'semisync' });
    const [row] = await adminQuery(db.nodes[0], "SHOW STATUS LIKE 'Rpl_semi_sync_master_clients'");
    expect(Number(row.Value)).toBe(2);
    await servesRegisters(db, 0, 'k');
    await db.teardown();
  });
});

describe('mysql galera', () => {
  it('serves on every node; under a partition the minority refuses (1047) while the majority serves', async () => {
    const { db } = await startCluster('galera', { topology: 'galera' });
    expect(await db.primary()).toBeNull();
    for (const [i, node] of db.nodes.entries()) await servesRegisters(db, i, `k-${node.name}`);

    const clients = await Promise.all(db.nodes.map((_, i) => db.registerClient(i, 2000)));
    expect(clients.map((c) => c.node)).toEqual(['n1', 'n2', 'n3']);
    // n3 alone against n1 + n2: the one-node side loses quorum.
    await db.network.partition(primary(['n1', 'n2', 'n3'], 'n3'));
    await waitUntil(
      'n3 to refuse as non-Primary',
      async () => {
        const error = await errorOf(clients[2].read('p'));
        return error !== null && db.classify(error, 'write').error === 'wsrep-not-ready';
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const refused = await errorOf(clients[2].write('p', 1));
    expect(db.classify(refused, 'write')).toEqual({ type: 'fail', error: 'wsrep-not-ready' });
    await waitUntil(
      'the majority to serve writes',
      async () => {
        await clients[0].write('p', 2);
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(await clients[1].read('p')).toBe(2);

    await db.network.heal();
    await waitUntil(
      'n3 to serve again and see the majority write',
      async () => (await clients[2].read('p')) === 2,
      {
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
    await Promise.all(clients.map((c) => c.close()));
    await db.teardown();
  });

  it('kills a node and restarts it: it rejoins the cluster without bootstrapping', async () => {
    const { db } = await startCluster('galera-kill', { topology: 'galera' });
    const writer = await db.registerClient(0, 2000);
    await db.kill('n1');
    await waitUntil(
      'n2 to serve without n1',
      async () => {
        const survivor = await db.registerClient(1, 2000);
        try {
          await survivor.write('k', 5);
          return true;
        } finally {
          await survivor.close();
        }
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    await db.restart('n1');
    expect(await writer.read('k')).toBe(5);
    await writer.close();
    await db.teardown();
  }, 180_000);
});
