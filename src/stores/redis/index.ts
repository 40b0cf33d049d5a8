import { oneOf, UsageError } from '../../errors.js';
import { number, readOptions, valueOption } from '../../options/spec.js';
import { startStore } from '../lifecycle.js';
import { serverOptionPairs } from '../server-options.js';
import type { ClusterOptions, ClusterShape, Store } from '../types.js';
import { type ReadFrom, RedisDb, type RedisTopology } from './db.js';
import { REDIS_IMAGE } from './image.js';

const TOPOLOGIES: readonly RedisTopology[] = ['replicated', 'sentinel', 'independent'];
const READ_FROM: readonly ReadFrom[] = ['primary', 'replicas'];
const NODE_MEMORY_BYTES = 512 * 1024 * 1024;

/** Redis's own options of `dscheck run`. */
export const REDIS_OPTIONS = {
  waitReplicas: valueOption(
    {
      name: 'wait-replicas',
      value: 'n',
      help: 'after each write, WAIT until n replicas have it; a shortfall makes the write indeterminate',
    },
    number({ min: 0, max: 8, integer: true }),
  ),
};

function validate(shape: ClusterShape): void {
  if (shape.topology === 'independent' && shape.readFrom === 'replicas') {
    throw new UsageError(
      'redis independent has no replicas (every node a primary of its own); leave out --read-from replicas',
    );
  }
  const minimum = shape.topology === 'sentinel' ? 3 : 1;
  if (!Number.isInteger(shape.nodes) || shape.nodes < minimum || shape.nodes > 9) {
    throw new UsageError(`redis ${shape.topology} needs ${minimum} to 9 nodes, not ${shape.nodes}`);
  }
}

export const redis: Store = {
  name: 'redis',
  topologies: TOPOLOGIES,
  defaultTopology: 'replicated',
  readFromChoices: READ_FROM,
  defaultNodes: 3,
  options: REDIS_OPTIONS,
  abilities: {
    sets: true,
    transactions: true,
    kill: true,
    pause: true,
    primary: true,
    locks: true,
    queues: true,
  },
  images: [REDIS_IMAGE],
  validate,

  start(options: ClusterOptions): Promise<RedisDb> {
    const topology = oneOf('topology', options.topology, TOPOLOGIES);
    const readFrom = oneOf('read-from', options.readFrom, READ_FROM);
    validate({ topology, readFrom, nodes: options.nodes });
    const { waitReplicas } = readOptions(REDIS_OPTIONS, options.storeOptions ?? {});
    return startStore(options, {
      store: 'redis',
      images: [REDIS_IMAGE],
      cluster: ([image]) => ({ image, nodes: options.nodes, memoryBytes: NODE_MEMORY_BYTES }),
      create: (cluster) =>
        new RedisDb(cluster, {
          topology,
          readFrom,
          durable: options.durable ?? false,
          waitReplicas,
          serverOptions: serverOptionPairs(options.serverOptions),
          log: options.log,
          signal: options.signal,
        }),
      setup: (db) => db.setup(),
    });
  },
};
