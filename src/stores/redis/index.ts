import { connectDocker } from '../../docker/client.js';
import { startCluster } from '../../docker/cluster.js';
import { ensureImage } from '../../docker/images.js';
import { errorText } from '../../docker/log.js';
import { oneOf, UsageError } from '../../errors.js';
import type { ClusterOptions, Store } from '../types.js';
import { type ReadFrom, RedisDb, type RedisTopology } from './db.js';
import { REDIS_IMAGE } from './image.js';

const TOPOLOGIES: readonly RedisTopology[] = ['replicated', 'sentinel'];
const READ_FROM: readonly ReadFrom[] = ['primary', 'replicas'];
const NODE_MEMORY_BYTES = 512 * 1024 * 1024;

export const redis: Store = {
  name: 'redis',
  topologies: TOPOLOGIES,
  defaultTopology: 'replicated',
  readFromChoices: READ_FROM,
  defaultNodes: 3,
  offersWait: true,
  images: [REDIS_IMAGE],

  async start(options: ClusterOptions): Promise<RedisDb> {
    const topology = oneOf('topology', options.topology, TOPOLOGIES);
    const readFrom = oneOf('read-from', options.readFrom, READ_FROM);
    const minimum = topology === 'sentinel' ? 3 : 1;
    if (!Number.isInteger(options.nodes) || options.nodes < minimum || options.nodes > 9) {
      throw new UsageError(`redis ${topology} needs ${minimum} to 9 nodes, not ${options.nodes}`);
    }
    await connectDocker();
    const image = await ensureImage(REDIS_IMAGE, options.log);
    options.signal?.throwIfAborted();
    const cluster = await startCluster({
      runId: options.runId,
      store: 'redis',
      image,
      nodes: options.nodes,
      memoryBytes: NODE_MEMORY_BYTES,
    });
    const db = new RedisDb(cluster, {
      topology,
      readFrom,
      durable: options.durable ?? false,
      waitReplicas: options.waitReplicas,
      log: options.log,
      signal: options.signal,
    });
    try {
      await db.setup();
    } catch (err) {
      // teardown never throws, so the error that stopped the start is the one the user sees.
      options.log(`redis cluster did not come up: ${errorText(err)}`);
      await db.teardown();
      throw err;
    }
    return db;
  },
};
