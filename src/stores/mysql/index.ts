import { connectDocker } from '../../docker/client.js';
import { startCluster } from '../../docker/cluster.js';
import { ensureImage } from '../../docker/images.js';
import { errorText } from '../../docker/log.js';
import { oneOf, UsageError } from '../../errors.js';
import type { Json } from '../../history/types.js';
import type { ClusterOptions, Store } from '../types.js';
import { MYSQL_DEFAULTS, type MysqlTopology } from './config.js';
import { MysqlDb, type ReadFrom } from './db.js';
import { MYSQL_IMAGE } from './image.js';

const TOPOLOGIES: readonly MysqlTopology[] = ['async', 'semisync', 'galera'];
const READ_FROM: readonly ReadFrom[] = ['primary', 'replicas', 'any'];
const NODE_MEMORY_BYTES = 768 * 1024 * 1024;

export const mysql: Store = {
  name: 'mysql',
  topologies: TOPOLOGIES,
  defaultTopology: 'async',
  readFromChoices: READ_FROM,
  defaultNodes: 3,
  images: [MYSQL_IMAGE],

  describe(topology: string): Record<string, Json> {
    const durability = { innodbFlushLogAtTrxCommit: 1, syncBinlog: 1 };
    switch (topology) {
      case 'galera':
        return { ...durability, sst: 'rsync', wsrepSyncWait: MYSQL_DEFAULTS.galeraSyncWait };
      case 'semisync':
        return {
          ...durability,
          gtidStrictMode: true,
          semiSyncTimeoutMs: MYSQL_DEFAULTS.semiSyncTimeoutMs,
          semiSyncWaitPoint: MYSQL_DEFAULTS.semiSyncWaitPoint,
          replicaNetTimeoutS: MYSQL_DEFAULTS.replicaNetTimeoutS,
        };
      default:
        return { ...durability, gtidStrictMode: true, replicaNetTimeoutS: MYSQL_DEFAULTS.replicaNetTimeoutS };
    }
  },

  async start(options: ClusterOptions): Promise<MysqlDb> {
    const topology = oneOf('topology', options.topology, TOPOLOGIES);
    const readFrom = oneOf('read-from', options.readFrom, READ_FROM);
    if (topology === 'galera' && readFrom !== 'primary') {
      throw new UsageError(
        `mysql galera has no primary or replicas: each client reads and writes on its own node; leave out --read-from ${readFrom}`,
      );
    }
    const minimum = topology === 'galera' ? 3 : 1;
    if (!Number.isInteger(options.nodes) || options.nodes < minimum || options.nodes > 9) {
      throw new UsageError(`mysql ${topology} needs ${minimum} to 9 nodes, not ${options.nodes}`);
    }
    await connectDocker();
    const image = await ensureImage(MYSQL_IMAGE, options.log);
    options.signal?.throwIfAborted();
    const cluster = await startCluster({
      runId: options.runId,
      store: 'mysql',
      image,
      nodes: options.nodes,
      memoryBytes: NODE_MEMORY_BYTES,
    });
    const db = new MysqlDb(cluster, {
      runId: options.runId,
      topology,
      readFrom,
      semiSyncTimeoutMs: MYSQL_DEFAULTS.semiSyncTimeoutMs,
      log: options.log,
      signal: options.signal,
    });
    try {
      await db.setup();
    } catch (err) {
      // teardown never throws, so the error that stopped the start is the one the user sees.
      options.log(`mysql cluster did not come up: ${errorText(err)}`);
      await db.teardown();
      throw err;
    }
    return db;
  },
};
