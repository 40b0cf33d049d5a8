import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLock } from '../../checker/lock.js';
import { checkQueue } from '../../checker/queue.js';
import { runResources } from '../../docker/cleanup.js';
import { execOk } from '../../docker/exec.js';
import { lockWorker, now, Recorder, takeTurns } from '../../testing/history.js';
import { newOwner } from '../lock-owner.js';
import type { ClusterNode, DeliveryMode, QueueClient } from '../types.js';
import { adminCall } from './admin.js';
import { openConnection } from './client.js';
import { REDIS_PORT } from './config.js';
import type { RedisDb } from './db.js';
import { redis } from './index.js';
import { RedisLockClient, RedlockClient } from './lock-client.js';
import { RedisListQueueClient, RedisStreamQueueClient } from './queue-client.js';

/**
 * The lock and queue clients against a real single Redis, judged by the pure checkers. The
 * history is recorded here the way the run's recorder does: call and completion times in ns,
 * an error that may have applied makes the operation pending.
 */

const started: { runId: string; db: RedisDb }[] = [];
const connections: Redis[] = [];

afterAll(async () => {
  for (const c of connections) c.disconnect();
  await Promise.all(started.map(({ db }) => db.teardown()));
  for (const { runId } of started)
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
});

async function single(name: string): Promise<{ db: RedisDb; node: ClusterNode }> {
  const runId = `test-${name}-${process.pid}-${Date.now().toString(36)}`;
  const db = (await redis.start({
    runId,
    topology: 'replicated',
    nodes: 1,
    readFrom: 'primary',
    log: () => {},
  })) as RedisDb;
  started.push({ runId, db });
  return { db, node: db.nodes[0] };
}

async function connect(node: ClusterNode, timeoutMs = 10_000): Promise<Redis> {
  const connection = await openConnection({ kind: 'node', node }, timeoutMs);
  connections.push(connection);
  return connection;
}

/**
 * A lease long enough that no stall of a busy machine (CI runs Docker tests side by side) outlasts
 * it: the fault-free runs must show no anomaly whatever the load.
 */
const CALM_LEASE_MS = 5000;

async function lockRun(
  node: ClusterNode,
  fenced: boolean,
  pause: { process: number; ms: number } | null,
  leaseMs = 500,
) {
  const clients = await Promise.all(
    [0, 1, 2].map(async (p) => new RedisLockClient(await connect(node), newOwner(p), { fenced }, node.name)),
  );
  return takeTurns(clients, 3000, leaseMs, pause);
}

describe('redis lock (single instance)', () => {
  it('fault-free: one holder at a time, no unsafe write', async () => {
    const { node } = await single('lock-clean');
    const r = await lockRun(node, false, null, CALM_LEASE_MS);
    console.log(`fault-free lock: ${r.holds} grants, mutex ${r.mutex.valid}`);
    expect(r.holds).toBeGreaterThan(20);
    expect(r).toMatchObject({ valid: true, overlaps: { count: 0 }, unsafe: { count: 0 } });
  });

  it('a holder paused longer than its lease writes with an old token; fencing stops those writes', async () => {
    const { db, node } = await single('lock-pause');
    const unfenced = await lockRun(node, false, { process: 0, ms: 1500 });
    console.log(
      `paused holder, unfenced: ${unfenced.unsafe.count} unsafe; ${unfenced.unsafe.examples[0]?.story}`,
    );
    expect(unfenced.valid).toBe(false);
    expect(unfenced.unsafe.count).toBeGreaterThan(0);
    expect(unfenced.unsafe.examples[0].story).toMatch(/lease expired/);

    await (await connect(node)).flushall();
    const fenced = await lockRun(node, true, { process: 0, ms: 1500 });
    console.log(`paused holder, fenced: ${fenced.writes.fenced} writes rejected by the fence`);
    expect(fenced.unsafe.count).toBe(0);
    expect(fenced.writes.fenced).toBeGreaterThan(0);
    await db.teardown();
  });

  it('a grant whose reply is held up longer than the lease: a client counting from the reply is a second holder', async () => {
    const { node } = await single('lock-delay');
    const late = await connect(node, 20_000);
    const port = late.stream?.localPort;
    expect(port).toBeGreaterThan(0);
    // The server's replies to that one connection are dropped, so TCP retransmits them later.
    const rule = ['OUTPUT', '-p', 'tcp', '--sport', '6379', '--dport', String(port), '-j', 'DROP'];
    await execOk(node.containerId, ['iptables', '-A', ...rule]);
    const recorder = new Recorder();
    const lateClient = new RedisLockClient(late, newOwner(9), { fenced: false }, node.name);
    // Our client counts the lease from when it asked, so it learns that nothing is left of it; a
    // naive client counts it from the reply, and believes it holds the lock for the whole lease.
    let careful: number | null = null;
    const lateGrant = recorder.op(
      9,
      'acquire',
      'lock',
      { leaseMs: 500 },
      () => lateClient.acquire('lock', 500),
      (g) => {
        careful = g?.leaseMs ?? null;
        return g ? { token: g.token, leaseMs: 500 } : false;
      },
    );
    await sleep(300);
    // The other clients take turns until well after the late reply arrived: when it arrives depends
    // on TCP's retransmission back-off (about 1.4 s or 3 s after sending), not on us.
    const started = now();
    let lateAt = Number.POSITIVE_INFINITY;
    void lateGrant.finally(() => {
      lateAt = now();
    });
    const going = () => now() < Math.min(started + 20e9, Math.max(started + 3e9, lateAt + 1.5e9));
    setTimeout(() => void execOk(node.containerId, ['iptables', '-D', ...rule]), 900);
    await Promise.all([
      lateGrant,
      ...[0, 1].map(async (p) => {
        const client = new RedisLockClient(await connect(node), newOwner(p), { fenced: false }, node.name);
        await lockWorker(recorder, p, client, going, 500);
      }),
    ]);
    const r = await checkLock({ operations: recorder.operations.sort((a, b) => a.call - b.call) });
    console.log(
      `delayed grant: ${r.overlaps.count} overlaps, longest ${r.overlaps.maxMs} ms; ${r.overlaps.examples[0]?.story}`,
    );
    expect(careful).toBe(0);
    expect(r.overlaps.count).toBeGreaterThan(0);
    expect(r.overlaps.maxMs).toBeGreaterThan(0);
    expect(r.valid).toBe(false);
  });
});

describe('redlock over three independent primaries', () => {
  it('fault-free it is one holder at a time; with two of three paused nobody gets it', async () => {
    const runId = `test-redlock-${process.pid}-${Date.now().toString(36)}`;
    const db = (await redis.start({
      runId,
      topology: 'replicated',
      nodes: 3,
      readFrom: 'primary',
      log: () => {},
    })) as RedisDb;
    started.push({ runId, db });
    // Three primaries that know nothing of each other, as Redlock wants them.
    for (const node of db.nodes.slice(1)) await adminCall(node.ip, REDIS_PORT, ['REPLICAOF', 'NO', 'ONE']);
    const redlock = async (p: number) =>
      new RedlockClient(await Promise.all(db.nodes.map((n) => connect(n, 500))), newOwner(p), {
        fenced: false,
      });
    const r = await takeTurns(await Promise.all([0, 1, 2].map(redlock)), 3000, CALM_LEASE_MS);
    console.log(`redlock fault-free: ${r.holds} grants`);
    expect(r.holds).toBeGreaterThan(20);
    expect(r).toMatchObject({ valid: true, overlaps: { count: 0 }, unsafe: { count: 0 } });

    const client = await redlock(7);
    await db.pause('n2');
    await db.pause('n3');
    try {
      expect(await client.acquire('lone', 2000)).toBeNull();
    } finally {
      await db.resume('n2');
      await db.resume('n3');
    }
    const grant = await client.acquire('lone', 2000);
    expect(grant?.leaseMs).toBeGreaterThan(1900);
    expect(grant?.leaseMs).toBeLessThanOrEqual(2000 - 22);
  });
});

async function queueRun(node: ClusterNode, make: (c: Redis, consumer: string) => QueueClient) {
  const recorder = new Recorder();
  const producers = [0, 1].map(async (p) => {
    const client = make(await connect(node), `c${p}`);
    for (let i = 0; i < 150; i++) {
      const message = p * 10_000 + i;
      await recorder.op(
        p,
        'enqueue',
        'q',
        message,
        () => client.enqueue('q', message),
        () => message,
      );
    }
  });
  let producing = true;
  const consumers = [2, 3].map(async (p) => {
    const client = make(await connect(node), `c${p}`);
    for (;;) {
      const delivery = await recorder.op(
        p,
        'dequeue',
        'q',
        null,
        () => client.dequeue('q'),
        (d) => d?.message ?? null,
      );
      if (delivery) await delivery.ack();
      else if (!producing) return;
      else await sleep(2);
    }
  });
  await Promise.all(producers);
  producing = false;
  await Promise.all(consumers);
  const drainer = make(await connect(node), 'drain');
  await recorder.op(
    4,
    'drain',
    'q',
    null,
    () => drainer.drain('q'),
    (m) => m,
  );
  return recorder.operations.sort((a, b) => a.call - b.call);
}

describe('redis queue', () => {
  for (const [kind, delivery] of [
    ['stream', 'at-least-once'],
    ['stream', 'at-most-once'],
    ['list', 'at-least-once'],
  ] as const) {
    it(`fault-free ${kind} queue, ${delivery}: nothing lost, nothing twice`, async () => {
      const { node } = await single(`queue-${kind}-${delivery}`);
      const options = { delivery: delivery as DeliveryMode, redeliverAfterMs: 1000 };
      const operations = await queueRun(node, (c, consumer) =>
        kind === 'stream'
          ? new RedisStreamQueueClient(c, consumer, options)
          : new RedisListQueueClient(c, consumer, options),
      );
      const r = checkQueue({ operations }, { promised: delivery });
      expect(r).toMatchObject({
        valid: true,
        delivery: 'exactly-once',
        lost: { count: 0 },
        duplicated: { count: 0 },
      });
      expect(r.enqueues.ok).toBe(300);
    });
  }

  it('at-least-once stream: a consumer that dies before acknowledging has its message delivered again', async () => {
    const { node } = await single('queue-redeliver');
    const options = { delivery: 'at-least-once' as const, redeliverAfterMs: 300 };
    const dying = new RedisStreamQueueClient(await connect(node), 'dying', options);
    const other = new RedisStreamQueueClient(await connect(node), 'other', options);
    await dying.enqueue('q', 7);
    expect((await dying.dequeue('q'))?.message).toBe(7);
    expect(await other.dequeue('q')).toBeNull();
    await sleep(400);
    const again = await other.dequeue('q');
    expect(again?.message).toBe(7);
    await again?.ack();
    expect(await other.drain('q')).toEqual([]);
  });
});
