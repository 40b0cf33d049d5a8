import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_IMAGE } from '../../stores/redis/image.js';
import { runResources } from '../cleanup.js';
import { startCluster } from '../cluster.js';
import { execIn } from '../exec.js';
import { ensureImage } from '../images.js';
import { runLabels } from '../labels.js';
import type { RunNetwork } from '../networks.js';
import type { PlacedNode, Runtime } from '../runtime.js';
import { swarmCheck } from './check.js';
import { type Engine, engineAt, parseEndpoint } from './endpoints.js';
import { openSwarmRuntime } from './runtime.js';
import { leftoversOnHosts, startTestHosts, type TestHosts } from './test-hosts.js';

/**
 * Three Docker engines in containers joined in a Swarm stand in for three machines: one Redis node
 * on each, on one overlay network, faults applied through the engine that holds each node.
 * Timings are printed for the README's bench table.
 */

const HOSTS = 3;
const timings: Record<string, number> = {};
const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  try {
    return await step();
  } finally {
    timings[what] = Math.round(performance.now() - started);
  }
};

let hosts: TestHosts;
let redisTag: string;

beforeAll(async () => {
  redisTag = await ensureImage(REDIS_IMAGE, () => {});
  hosts = await timed(`start ${HOSTS} hosts + form the Swarm`, () => startTestHosts(HOSTS));
}, 180_000);

afterAll(async () => {
  const runId = hosts?.runId;
  await hosts?.remove();
  if (runId) expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
  console.log(`swarm timings (ms): ${JSON.stringify(timings)}`);
});

describe('a 3-host Swarm of test engines', () => {
  it('passes swarmCheck, and names a host outside the Swarm', async () => {
    const findings = await swarmCheck(hosts.engines);
    expect(findings.filter((f) => !f.ok)).toEqual([]);
    expect(new Set(findings.filter((f) => f.check === 'swarm').map((f) => f.host))).toEqual(
      new Set(hosts.engines.map((e) => e.name)),
    );
    const strangerAddress = `tcp://${hosts.network.nodeIp(9)}:2375`;
    const stranger: Engine = engineAt(parseEndpoint(strangerAddress), {});
    const withStranger = await swarmCheck([...hosts.engines, stranger]);
    expect(withStranger.filter((f) => !f.ok)).toEqual([
      expect.objectContaining({ host: strangerAddress, check: 'reachable', ok: false }),
    ]);
  });

  it('runs redis nodes on every host that reach each other by name and take faults through their own engine', async () => {
    const runtime: Runtime = await openSwarmRuntime(hosts.engines);
    const progress: string[] = [];
    await timed(`load the redis image on ${HOSTS} hosts`, () =>
      runtime.ensureImages([redisTag], (l) => progress.push(l)),
    );
    expect(progress.filter((l) => l.includes('loaded'))).toHaveLength(HOSTS);
    const probed = await swarmCheck(hosts.engines, { probeImage: redisTag });
    expect(probed.filter((f) => f.check === 'iptables' && f.ok)).toHaveLength(HOSTS);

    const runId = `swarm-${process.pid}-${Date.now().toString(36)}`;
    const labels = runLabels(runId);
    try {
      const network: RunNetwork = await timed('create the overlay', () =>
        runtime.createNetwork(runId, labels),
      );
      const nodes = await timed(`start ${HOSTS} nodes`, () =>
        Promise.all(
          hosts.engines.map((_, i) =>
            runtime.startNode(
              {
                name: `n${i + 1}`,
                image: redisTag,
                network,
                ip: network.nodeIp(i + 1),
                labels,
                memoryBytes: 128 * 1024 * 1024,
                cmd: ['redis-server', '--protected-mode', 'no', '--save', ''],
              },
              i,
            ),
          ),
        ),
      );
      expect(nodes.map((n) => n.host)).toEqual(hosts.engines.map((e) => e.name));
      const [n1, n2, n3] = nodes;
      const nameOf = (node: PlacedNode) => `dscheck-${runId}-${node.name}`;
      const ping = async (from: PlacedNode, to: PlacedNode) =>
        (
          await from.exec(['timeout', '2', 'redis-cli', '-h', nameOf(to), 'ping'], { timeoutMs: 10_000 })
        ).stdout.trim();
      for (const [from, to] of [
        [n1, n2],
        [n2, n3],
        [n3, n1],
      ] as const) {
        expect(await ping(from, to)).toBe('PONG');
      }

      await timed('fault: iptables DROP inside n2', () =>
        n2.exec(['iptables', '-A', 'INPUT', '-s', n1.ip, '-j', 'DROP']),
      );
      expect(await ping(n1, n2)).toBe('');
      expect(await ping(n3, n2)).toBe('PONG');
      await timed('heal: iptables -F inside n2', () => n2.exec(['iptables', '-F', 'INPUT']));
      expect(await ping(n1, n2)).toBe('PONG');

      await timed('fault: pause n3', () => n3.pause());
      expect(await ping(n1, n3)).toBe('');
      await timed('heal: resume n3', () => n3.resume());
      expect(await ping(n1, n3)).toBe('PONG');
    } finally {
      expect(await runtime.removeRun(runId)).toEqual([]);
    }
    await expectNothingLeft(hosts.engines, runId);
  }, 420_000);
});

describe('a cluster handle over the 3-host Swarm', () => {
  it('places node i on host i, takes partitions, kills and pauses through each engine, and leaves nothing', async () => {
    const runtime: Runtime = await openSwarmRuntime(hosts.engines);
    await runtime.ensureImages([redisTag], () => {});
    const runId = `swarm-cluster-${process.pid}-${Date.now().toString(36)}`;
    const cluster = await timed(`startCluster: ${HOSTS} nodes on ${HOSTS} hosts`, () =>
      startCluster(
        {
          runId,
          store: 'redis',
          image: redisTag,
          nodes: HOSTS,
          memoryBytes: 128 * 1024 * 1024,
          cmd: ['redis-server', '--protected-mode', 'no', '--save', '', '--logfile', '/tmp/redis.log'],
        },
        runtime,
      ),
    );
    const logs = await mkdtemp(join(tmpdir(), 'dscheck-swarm-'));
    try {
      expect(cluster.nodes.map((n) => n.host)).toEqual(hosts.engines.map((e) => e.name));
      const [n1, n2, n3] = cluster.nodes;
      // By container id, as the stores exec: each id reaches the engine that holds it.
      const ping = async (from: typeof n1, to: typeof n1) =>
        (
          await execIn(from.containerId, ['timeout', '2', 'redis-cli', '-h', to.ip, 'ping'], {
            timeoutMs: 10_000,
          })
        ).stdout.trim();
      expect(await ping(n1, n2)).toBe('PONG');

      await timed('cluster fault: partition n2 from n1', () => cluster.firewall.partition({ n2: ['n1'] }));
      expect(await ping(n1, n2)).toBe('');
      expect(await ping(n3, n2)).toBe('PONG');
      await timed('cluster heal', () => cluster.firewall.heal());
      expect(await ping(n1, n2)).toBe('PONG');

      // Time to effect of a partition that changes every node's rules (docs/swarm.md): five times.
      const partitions: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await cluster.firewall.partition({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
        partitions.push(Math.round(performance.now() - started));
        await cluster.firewall.heal();
      }
      partitions.sort((a, b) => a - b);
      timings['partition n1 | n2 n3, median of 5'] = partitions[2];
      timings['partition n1 | n2 n3, worst of 5'] = partitions[4];
      expect(await ping(n2, n3)).toBe('PONG');

      await timed('cluster fault: pause n3', () => cluster.pause('n3'));
      expect(await ping(n1, n3)).toBe('');
      await cluster.resume('n3');
      expect(await ping(n1, n3)).toBe('PONG');

      await timed('cluster fault: kill redis-server on n2', () =>
        cluster.killProcess('n2', ['-x', 'redis-server']),
      );
      expect(await ping(n1, n2)).toBe('');

      await cluster.copyLogs(logs, [n3], ['/tmp/redis.log']);
      expect(await readFile(join(logs, 'n3', 'redis.log'), 'utf8')).toMatch(/Ready to accept connections/);
    } finally {
      await cluster.remove();
      await rm(logs, { recursive: true, force: true });
    }
    await expectNothingLeft(hosts.engines, runId);
  }, 420_000);
});

async function expectNothingLeft(engines: readonly Engine[], runId: string): Promise<void> {
  expect(await leftoversOnHosts(engines, runId)).toEqual([]);
}
