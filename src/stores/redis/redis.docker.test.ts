import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runResources } from '../../docker/cleanup.js';
import type { ClusterOptions } from '../types.js';
import { waitUntil } from '../wait.js';
import { adminCall } from './admin.js';
import { REDIS_PORT } from './config.js';
import type { RedisDb } from './db.js';
import { redis } from './index.js';

const started: { runId: string; db?: RedisDb }[] = [];

/** Starts a cluster that afterAll removes, even when the test that started it fails. */
async function startCluster(name: string, options: Partial<ClusterOptions> = {}) {
  const entry: { runId: string; db?: RedisDb } = {
    runId: `test-${name}-${process.pid}-${Date.now().toString(36)}`,
  };
  started.push(entry);
  const t0 = performance.now();
  entry.db = (await redis.start({
    runId: entry.runId,
    topology: 'replicated',
    nodes: 3,
    readFrom: 'primary',
    log: () => {},
    ...options,
  })) as RedisDb;
  return { db: entry.db, runId: entry.runId, upMs: performance.now() - t0 };
}

afterAll(async () => {
  await Promise.all(started.map((s) => s.db?.teardown()));
  for (const { runId } of started)
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
});

const ping = (ip: string) => adminCall(ip, REDIS_PORT, ['PING'], 500).catch((err: Error) => err.message);

describe('redis replicated', () => {
  it('comes up, serves register operations, and leaves nothing behind', async () => {
    const { db, runId, upMs } = await startCluster('up');
    expect(db.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3']);
    expect(await db.primary()).toBe('n1');

    const client = await db.registerClient(0, 1000);
    expect(client.node).toBe('n1');
    expect(await client.read('k')).toBeNull();
    await client.write('k', 1);
    expect(await client.read('k')).toBe(1);
    expect(await client.cas('k', 1, 2)).toBe(true);
    expect(await client.cas('k', 1, 3)).toBe(false);
    expect(await client.read('k')).toBe(2);

    const replicaReader = await db.registerClient(1, 1000);
    await client.close();
    await replicaReader.close();

    const t0 = performance.now();
    await db.teardown();
    const downMs = performance.now() - t0;
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
    console.log(`replicated cluster up in ${upMs.toFixed(0)} ms, down in ${downMs.toFixed(0)} ms`);
    expect(downMs).toBeLessThan(5000);
  });

  it('reads from a replica with --read-from replicas; a write there is refused as READONLY', async () => {
    const { db } = await startCluster('replicas', { readFrom: 'replicas' });
    const client = await db.registerClient(1, 1000);
    expect(client.node).toBe('n3');
    await client.write('r', 7);
    await waitUntil('the write to replicate', async () => (await client.read('r')) === 7, {
      timeoutMs: 5000,
    });
    const error = await adminCall(db.nodes[1].ip, REDIS_PORT, ['SET', 'r', '8']).catch((err: unknown) => err);
    expect(db.classify(error, 'write')).toEqual({ type: 'fail', error: 'READONLY' });
    await client.close();
  });

  it('kills and restarts the server: durable keeps acknowledged writes, the default loses them', async () => {
    const [durable, volatile] = await Promise.all([
      startCluster('durable', { durable: true }),
      startCluster('volatile'),
    ]);
    for (const { db } of [durable, volatile]) {
      const client = await db.registerClient(0, 500);
      await client.write('k', 42);
      await db.kill('n1');
      await waitUntil('n1 to die', async () => (await ping(db.nodes[0].ip)) !== 'PONG', { timeoutMs: 5000 });
      const failure = await client.write('k', 43).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(Error);
      expect(db.classify(failure, 'write').type).toMatch(/fail|info/);
      await db.restart('n1');
      expect(await ping(db.nodes[0].ip)).toBe('PONG');
      await waitUntil(
        'the client to reconnect',
        async () => (await client.read('k').catch(() => 'down')) !== 'down',
        {
          timeoutMs: 5000,
        },
      );
      expect(await client.read('k')).toBe(db === durable.db ? 42 : null);
      await client.close();
    }
  });

  it('pauses and resumes a node', async () => {
    const { db } = await startCluster('pause');
    await db.pause('n2');
    expect(await ping(db.nodes[1].ip)).toMatch(/time/i);
    expect(await ping(db.nodes[0].ip)).toBe('PONG');
    await db.resume('n2');
    expect(await ping(db.nodes[1].ip)).toBe('PONG');
    // Left paused on purpose: teardown (in afterAll) must remove a paused node too.
    await db.pause('n3');
  });
});

describe('redis sentinel', () => {
  it('comes up with sentinels that fail over when the primary is cut off', async () => {
    const { db, upMs } = await startCluster('sentinel', { topology: 'sentinel' });
    console.log(`sentinel cluster up in ${upMs.toFixed(0)} ms`);
    expect(await db.primary()).toBe('n1');
    const client = await db.registerClient(2, 1000);
    await client.write('s', 1);
    expect(await client.read('s')).toBe(1);

    const cut = performance.now();
    await db.network.partition({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
    await waitUntil('a new primary', async () => ['n2', 'n3'].includes((await db.primary()) ?? ''), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    console.log(`sentinel failover after ${(performance.now() - cut).toFixed(0)} ms`);
    await db.network.heal();
    await client.close();

    const logs = await mkdtemp(join(tmpdir(), 'dscheck-logs-'));
    try {
      await db.collectLogs(logs);
      expect(await readFile(join(logs, 'n1', 'redis-server.log'), 'utf8')).toMatch(
        /Ready to accept connections/,
      );
      // The sentinels that voted n1 down said so in their logs (who leads the failover varies).
      const sentinelLogs = await Promise.all(
        ['n2', 'n3'].map((n) => readFile(join(logs, n, 'redis-sentinel.log'), 'utf8')),
      );
      for (const log of sentinelLogs) expect(log).toMatch(/\+sdown master dscheck/);
    } finally {
      await rm(logs, { recursive: true, force: true });
    }
  }, 60_000);
});
