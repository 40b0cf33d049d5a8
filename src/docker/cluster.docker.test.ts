import { describe, expect, it } from 'vitest';
import { REDIS_IMAGE } from '../stores/redis/image.js';
import { runResources } from './cleanup.js';
import { startCluster } from './cluster.js';
import { startNode } from './containers.js';
import { ensureImage, imageTag } from './images.js';
import { runLabels } from './labels.js';
import { createRunNetwork } from './networks.js';

const MEMORY = 64 * 1024 * 1024;

describe('starting nodes', () => {
  it('removes a node that fails to start and rethrows its error', async () => {
    const image = await ensureImage(REDIS_IMAGE, () => {});
    const runId = `test-start-${process.pid}-${Date.now().toString(36)}`;
    const labels = runLabels(runId);
    await using network = await createRunNetwork(runId, labels);
    const spec = {
      image,
      network,
      ip: network.nodeIp(1),
      labels,
      memoryBytes: MEMORY,
      cmd: ['sleep', 'infinity'],
    };
    const first = await startNode({ ...spec, name: 'n1' });
    try {
      // Same fixed address: the engine refuses to start the second container.
      await expect(startNode({ ...spec, name: 'n2' })).rejects.toThrow(/address|in use/i);
      expect((await runResources(runId)).containers).toEqual([`/dscheck-${runId}-n1`]);
    } finally {
      await first.remove({ force: true });
    }
  });

  it('removes the network when the cluster cannot be created, and rethrows the first error', async () => {
    const runId = `test-cluster-${process.pid}-${Date.now().toString(36)}`;
    const start = startCluster({
      runId,
      store: 'redis',
      image: 'dscheck/no-such-image:0',
      nodes: 2,
      memoryBytes: MEMORY,
    });
    await expect(start).rejects.toThrow(/no such image/i);
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
    expect(imageTag(REDIS_IMAGE)).toMatch(/^dscheck\/redis:[0-9a-f]{12}$/);
  });
});
