import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runResources } from '../docker/cleanup.js';
import { execIn } from '../docker/exec.js';
import { adminCall } from '../stores/redis/admin.js';
import { REDIS_PORT } from '../stores/redis/config.js';
import type { RedisDb } from '../stores/redis/db.js';
import { redis } from '../stores/redis/index.js';
import type { ClusterNode } from '../stores/types.js';
import type { Grudge } from './grudge.js';

/** Whether `from` can open a TCP connection to `to`'s Redis port within 1 s, probed inside `from`. */
async function reaches(from: ClusterNode, to: ClusterNode): Promise<boolean> {
  const result = await execIn(from.containerId, [
    'timeout',
    '1',
    'bash',
    '-c',
    'exec 3<>"/dev/tcp/$0/$1"',
    to.ip,
    String(REDIS_PORT),
  ]);
  return result.exitCode === 0;
}

/** How many of `count` connection attempts from `from` to `to` succeed, each given 300 ms. */
async function successfulConnects(from: ClusterNode, to: ClusterNode, count: number): Promise<number> {
  const script =
    'ok=0; for i in $(seq "$2"); do timeout 0.3 bash -c \'exec 3<>"/dev/tcp/$0/6379"\' "$1" 2>/dev/null && ok=$((ok+1)); done; echo "$ok"';
  const result = await execIn(from.containerId, ['bash', '-c', script, 'probe', to.ip, String(count)], {
    timeoutMs: 60_000,
  });
  return Number(result.stdout.trim());
}

const hostReaches = async (node: ClusterNode): Promise<boolean> =>
  (await adminCall(node.ip, REDIS_PORT, ['PING'], 1000).catch(() => 'unreachable')) === 'PONG';

describe('iptables network faults', () => {
  const runId = `test-net-${process.pid}-${Date.now().toString(36)}`;
  let db: RedisDb;
  let node: (name: string) => ClusterNode;

  beforeAll(async () => {
    db = (await redis.start({
      runId,
      topology: 'replicated',
      nodes: 3,
      readFrom: 'primary',
      log: () => {},
    })) as RedisDb;
    node = (name) => db.nodes.find((n) => n.name === name)!;
  });

  afterAll(async () => {
    await db?.teardown();
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
  });

  /** Every ordered pair of nodes, and whether the first reaches the second. */
  async function reachability(): Promise<Record<string, boolean>> {
    const pairs = db.nodes.flatMap((a) => db.nodes.filter((b) => b !== a).map((b) => [a, b] as const));
    const results = await Promise.all(pairs.map(([a, b]) => reaches(a, b)));
    return Object.fromEntries(pairs.map(([a, b], i) => [`${a.name}->${b.name}`, results[i]]));
  }

  it('cuts exactly the grudged links, keeps the host reaching every node, and heals', async () => {
    expect(Object.values(await reachability()).every(Boolean)).toBe(true);

    const isolateN1: Grudge = { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] };
    const started = performance.now();
    await db.network.partition(isolateN1);
    const tookMs = performance.now() - started;
    expect(await reachability()).toEqual({
      'n1->n2': false,
      'n1->n3': false,
      'n2->n1': false,
      'n2->n3': true,
      'n3->n1': false,
      'n3->n2': true,
    });
    expect(await Promise.all(db.nodes.map(hostReaches))).toEqual([true, true, true]);
    console.log(`partition took effect in ${tookMs.toFixed(0)} ms`);

    // A new grudge replaces the old one.
    await db.network.partition({ n3: ['n2'], n2: ['n3'] });
    expect(await reachability()).toMatchObject({
      'n1->n2': true,
      'n2->n1': true,
      'n2->n3': false,
      'n3->n2': false,
    });

    await db.network.heal();
    expect(Object.values(await reachability()).every(Boolean)).toBe(true);
    // The rules went through each node's resident loader (an exec is only the fallback).
    for (const n of db.nodes) {
      expect((await execIn(n.containerId, ['pgrep', '-f', 'read -r rules'])).exitCode, n.name).toBe(0);
    }
  });

  it('drops some packets but not all under loss, and heal stops it', async () => {
    const probes = 60;
    await db.network.loss(['n2'], 0.5);
    // Each probe needs its SYN to reach n2; half are dropped. Bounds are ~6 standard deviations out.
    const lossy = await successfulConnects(node('n1'), node('n2'), probes);
    expect(lossy).toBeGreaterThan(5);
    expect(lossy).toBeLessThan(probes - 5);
    // Loss applies to the named nodes only.
    expect(await successfulConnects(node('n1'), node('n3'), 10)).toBe(10);

    await db.network.heal();
    expect(await successfulConnects(node('n1'), node('n2'), 20)).toBe(20);
  });
});
