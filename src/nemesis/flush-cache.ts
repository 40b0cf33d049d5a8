import type { Json } from '../history/types.js';
import { NEMESIS_FS } from './events.js';
import { cacheTierOf, type Fault, type FaultOptions } from './fault.js';

/**
 * FLUSHALL on every cache node of the shard map: the cache is empty at once while the nodes keep
 * serving (an operator's mistake, or a cache deployed with a new key format). Nothing to repair:
 * the window is the cold spell.
 */
export function flushCacheFault(options: FaultOptions): Fault {
  const db = cacheTierOf(options.db, 'flush-cache');
  return {
    kind: 'flush-cache',
    startF: NEMESIS_FS['flush-cache'].start,
    stopF: NEMESIS_FS['flush-cache'].stop,
    async start(): Promise<Json> {
      const nodes = [...db.shards];
      await Promise.all(nodes.map((node) => db.flush(node)));
      return { nodes };
    },
    async stop(): Promise<Json> {
      return { nodes: [...db.shards] };
    },
  };
}
