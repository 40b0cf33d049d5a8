import { connectDocker } from '../../docker/client.js';
import { startCluster } from '../../docker/cluster.js';
import { ensureImage } from '../../docker/images.js';
import { errorText } from '../../docker/log.js';
import { oneOf, UsageError } from '../../errors.js';
import type { Json } from '../../history/types.js';
import type { ClusterOptions, Store } from '../types.js';
import { CONSISTENCIES, type Consistency } from './client.js';
import { CASSANDRA_VERSION, HEAP_MB, NODE_MEMORY_BYTES, serverTimeouts } from './config.js';
import { CassandraDb } from './db.js';
import { cassandraImage } from './image.js';

const DEFAULT_TIMEOUT_MS = 1000;

export const cassandra: Store = {
  name: 'cassandra',
  // One shape: a ring of peers, every key on min(3, nodes) of them.
  topologies: ['ring'],
  defaultTopology: 'ring',
  readFromChoices: ['any'],
  defaultNodes: 3,
  consistencyChoices: CONSISTENCIES,
  defaultConsistency: 'quorum',
  get images() {
    return [cassandraImage()];
  },

  describe(): Record<string, Json> {
    return { version: CASSANDRA_VERSION, heapMb: HEAP_MB };
  },

  async start(options: ClusterOptions): Promise<CassandraDb> {
    oneOf('topology', options.topology, ['ring']);
    const consistency = oneOf('consistency', options.consistency ?? 'quorum', CONSISTENCIES) as Consistency;
    if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 9) {
      throw new UsageError(`cassandra needs 1 to 9 nodes, not ${options.nodes}`);
    }
    await connectDocker();
    const image = await ensureImage(cassandraImage(), options.log);
    options.signal?.throwIfAborted();
    const cluster = await startCluster({
      runId: options.runId,
      store: 'cassandra',
      image,
      nodes: options.nodes,
      memoryBytes: NODE_MEMORY_BYTES,
    });
    const clientTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const db = new CassandraDb(cluster, {
      mode: { consistency, lwt: consistency === 'serial' || options.lwt === true },
      durable: options.durable ?? false,
      timeouts: serverTimeouts(clientTimeoutMs),
      clientTimeoutMs,
      log: options.log,
      signal: options.signal,
    });
    try {
      await db.setup();
    } catch (err) {
      // teardown never throws, so the error that stopped the start is the one the user sees.
      options.log(`cassandra cluster did not come up: ${errorText(err)}`);
      await db.teardown();
      throw err;
    }
    return db;
  },
};
