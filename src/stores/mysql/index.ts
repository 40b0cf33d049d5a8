import { oneOf, UsageError } from '../../errors.js';
import type { Json } from '../../history/types.js';
import { readOptions } from '../../options/spec.js';
import { startStore } from '../lifecycle.js';
import { serverOptionPairs } from '../server-options.js';
import type { ClusterOptions, ClusterShape, Store } from '../types.js';
import { MYSQL_DEFAULTS, type MysqlTopology } from './config.js';
import { MysqlDb, type ReadFrom } from './db.js';
import { MYSQL_IMAGE } from './image.js';
import { MYSQL_OPTIONS } from './options.js';

const TOPOLOGIES: readonly MysqlTopology[] = ['async', 'semisync', 'galera', 'single'];
const READ_FROM: readonly ReadFrom[] = ['primary', 'replicas', 'any'];
const NODE_MEMORY_BYTES = 768 * 1024 * 1024;

function validate(shape: ClusterShape): void {
  if (shape.topology === 'galera' && shape.readFrom !== 'primary') {
    throw new UsageError(
      `mysql galera has no primary or replicas: each client reads and writes on its own node; leave out --read-from ${shape.readFrom}`,
    );
  }
  if (shape.topology === 'single') {
    if (shape.nodes !== 1)
      throw new UsageError(`mysql single is one node; leave out --nodes (not ${shape.nodes})`);
    return;
  }
  const minimum = shape.topology === 'galera' ? 3 : 1;
  if (!Number.isInteger(shape.nodes) || shape.nodes < minimum || shape.nodes > 9) {
    throw new UsageError(`mysql ${shape.topology} needs ${minimum} to 9 nodes, not ${shape.nodes}`);
  }
}

export const mysql: Store = {
  name: 'mysql',
  topologies: TOPOLOGIES,
  defaultTopology: 'async',
  readFromChoices: READ_FROM,
  defaultNodes: 3,
  // One server without replication: the baseline that isolation levels are judged against.
  defaultNodesOf: { single: 1 },
  options: MYSQL_OPTIONS,
  // An operator's failover tool replaces a primary; galera has none (every node takes writes).
  // Galera refuses GET_LOCK (a lock of one node's session cannot be certified cluster-wide).
  abilities: {
    sets: true,
    transactions: true,
    kill: true,
    pause: true,
    primary: true,
    failover: ['async', 'semisync'],
    locks: ['async', 'semisync', 'single'],
    clock: true,
  },
  abilityNotes: { clock: 'the clock lives in the server: libfaketime in mariadbd' },
  images: [MYSQL_IMAGE],
  validate,

  describe(topology: string): Record<string, Json> {
    const durability = { innodbFlushLogAtTrxCommit: 1, syncBinlog: 1 };
    switch (topology) {
      case 'single':
        return durability;
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

  start(options: ClusterOptions): Promise<MysqlDb> {
    const topology = oneOf('topology', options.topology, TOPOLOGIES);
    const readFrom = oneOf('read-from', options.readFrom, READ_FROM);
    validate({ topology, readFrom, nodes: options.nodes });
    const { isolation } = readOptions(MYSQL_OPTIONS, options.storeOptions ?? {});
    return startStore(options, {
      store: 'mysql',
      images: [MYSQL_IMAGE],
      cluster: ([image]) => ({ image, nodes: options.nodes, memoryBytes: NODE_MEMORY_BYTES }),
      create: (cluster) =>
        new MysqlDb(cluster, {
          runId: options.runId,
          topology,
          readFrom,
          semiSyncTimeoutMs: MYSQL_DEFAULTS.semiSyncTimeoutMs,
          isolation,
          serverOptions: serverOptionPairs(options.serverOptions),
          clockFaults: options.clockFaults,
          log: options.log,
          signal: options.signal,
        }),
      setup: (db) => db.setup(),
    });
  },
};
