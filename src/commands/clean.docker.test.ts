import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runResources } from '../docker/cleanup.js';
import { type DockerCluster, startCluster } from '../docker/cluster.js';
import { startNode } from '../docker/containers.js';
import { imageTag } from '../docker/images.js';
import { currentOwner, runLabels } from '../docker/labels.js';
import { createRunNetwork, type RunNetwork } from '../docker/networks.js';
import { REDIS_IMAGE } from '../stores/redis/image.js';
import { clean } from './clean.js';

/** The pid of a process that has exited: what a killed dscheck leaves in its labels. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('dscheck clean', () => {
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const deadRun = `test-dead-${suffix}`;
  const liveRun = `test-live-${suffix}`;
  let live: DockerCluster | undefined;
  let deadNetwork: RunNetwork | undefined;

  afterAll(async () => {
    await live?.remove();
    await deadNetwork?.remove().catch(() => {});
  });

  it('removes the containers and network of a run whose process died, and keeps a live run', async () => {
    const labels = runLabels(deadRun, { pid: deadPid(), host: currentOwner().host });
    deadNetwork = await createRunNetwork(deadRun, labels);
    await startNode({
      name: 'n1',
      image: imageTag(REDIS_IMAGE),
      network: deadNetwork,
      ip: deadNetwork.nodeIp(1),
      labels,
      memoryBytes: 64 * 1024 * 1024,
      cmd: ['sleep', 'infinity'],
    });
    live = await startCluster({
      runId: liveRun,
      store: 'redis',
      image: imageTag(REDIS_IMAGE),
      nodes: 1,
      memoryBytes: 64 * 1024 * 1024,
    });

    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    await clean({}, out);

    expect(await runResources(deadRun)).toEqual({ containers: [], networks: [] });
    expect(printed).toContain(`removed container dscheck-${deadRun}-n1 (run ${deadRun})`);
    expect(printed).toContain(`removed network dscheck-${deadRun} (run ${deadRun})`);
    expect(printed).toContain(`kept run ${liveRun}`);
    expect((await runResources(liveRun)).containers).toHaveLength(1);
  });
});
