import { oneOf, UsageError } from '../../errors.js';
import type { Json } from '../../history/types.js';
import { choice, readOptions, switchOption, valueOption } from '../../options/spec.js';
import { startStore } from '../lifecycle.js';
import { serverOptionPairs } from '../server-options.js';
import type { ClusterOptions, ClusterShape, Store } from '../types.js';
import { CONSISTENCIES } from './client.js';
import { CASSANDRA_VERSION, HEAP_MB, NODE_MEMORY_BYTES, serverTimeouts } from './config.js';
import { CassandraDb } from './db.js';
import { cassandraImage } from './image.js';

const DEFAULT_TIMEOUT_MS = 1000;

/** Cassandra's own options of `dscheck run`. */
export const CASSANDRA_OPTIONS = {
  consistency: valueOption(
    {
      name: 'consistency',
      value: 'level',
      help: 'one, quorum, all, or serial (lightweight transactions, SERIAL reads)',
      default: 'quorum',
    },
    choice(CONSISTENCIES),
  ),
  lwt: switchOption({
    name: 'lwt',
    help: 'writes and cas as lightweight transactions, committed at --consistency',
  }),
};

function validate(shape: ClusterShape): void {
  if (!Number.isInteger(shape.nodes) || shape.nodes < 1 || shape.nodes > 9) {
    throw new UsageError(`cassandra needs 1 to 9 nodes, not ${shape.nodes}`);
  }
}

export const cassandra: Store = {
  name: 'cassandra',
  // One shape: a ring of peers, every key on min(3, nodes) of them.
  topologies: ['ring'],
  defaultTopology: 'ring',
  readFromChoices: ['any'],
  defaultNodes: 3,
  options: CASSANDRA_OPTIONS,
  // No primary: every node takes writes.
  // Clock: the clients' (the driver stamps writes for last-write-wins), not the servers'.
  abilities: { sets: true, kill: true, pause: true, locks: true, clock: true },
  abilityNotes: { clock: 'the clock lives in the clients: they stamp writes for last-write-wins' },
  get images() {
    return [cassandraImage()];
  },
  validate,

  describe(): Record<string, Json> {
    return { version: CASSANDRA_VERSION, heapMb: HEAP_MB };
  },

  start(options: ClusterOptions): Promise<CassandraDb> {
    oneOf('topology', options.topology, ['ring']);
    validate({ topology: options.topology, readFrom: options.readFrom, nodes: options.nodes });
    const { consistency, lwt } = readOptions(CASSANDRA_OPTIONS, options.storeOptions ?? {});
    const clientTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return startStore(options, {
      store: 'cassandra',
      images: [cassandraImage()],
      cluster: ([image]) => ({ image, nodes: options.nodes, memoryBytes: NODE_MEMORY_BYTES }),
      create: (cluster) =>
        new CassandraDb(cluster, {
          mode: { consistency, lwt: consistency === 'serial' || lwt },
          durable: options.durable ?? false,
          timeouts: serverTimeouts(clientTimeoutMs),
          serverOptions: serverOptionPairs(options.serverOptions),
          clientTimeoutMs,
          clockFaults: options.clockFaults,
          log: options.log,
          signal: options.signal,
        }),
      setup: (db) => db.setup(),
    });
  },
};
