import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_IMAGE } from '../../stores/redis/image.js';
import { runResources } from '../cleanup.js';
import { ensureImage } from '../images.js';
import { runLabels } from '../labels.js';
import type { RunNetwork } from '../networks.js';
import type { PlacedNode, Runtime } from '../runtime.js';
import { swarmCheck } from './check.js';
import { type Engine, engineAt, parseEndpoint } from './endpoints.js';
import { openSwarmRuntime } from './runtime.js';
import { startTestHosts, type TestHosts } from './test-hosts.js';

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
  }, 180_000);
});

/** Every host forgets the run: a worker drops its copy of the overlay once nothing uses it. */
async function expectNothingLeft(engines: readonly Engine[], runId: string): Promise<void> {
  const filters = { label: [`dscheck.run=${runId}`] };
  const left = async () =>
    (
      await Promise.all(
        engines.map(async (e) => [
          ...(await e.docker.listContainers({ all: true, filters })).map((c) => `${e.name} ${c.Names[0]}`),
          ...(await e.docker.listNetworks({ filters })).map((n) => `${e.name} ${n.Name}`),
        ]),
      )
    ).flat();
  const deadline = Date.now() + 15_000;
  let remaining = await left();
  while (remaining.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    remaining = await left();
  }
  expect(remaining).toEqual([]);
}
