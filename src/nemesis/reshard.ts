import type { Json } from '../history/types.js';
import { NEMESIS_FS } from './events.js';
import { cacheTierOf, type Fault, type FaultOptions } from './fault.js';

/**
 * Changes the clients' shard map at one instant. With a spare cache node it is added (emptied
 * first: a new node has nothing) and removed again at the end of the window; without one, a
 * seeded node leaves and comes back. Each change is an event with the old and new node lists,
 * from which the checker computes the share of keys that moved.
 */
export function reshardFault(options: FaultOptions): Fault {
  const db = cacheTierOf(options.db, 'reshard');
  let original: string[] | null = null;
  return {
    kind: 'reshard',
    startF: NEMESIS_FS.reshard.start,
    stopF: NEMESIS_FS.reshard.stop,
    async start(): Promise<Json> {
      const before = [...db.shards];
      const spare = db.cacheNodes.map((n) => n.name).find((name) => !before.includes(name));
      if (spare !== undefined) {
        await db.flush(spare);
        original = before;
        return { ...db.reshard([...before, spare]), change: 'add', node: spare };
      }
      if (before.length < 2) throw new Error('reshard needs a spare cache node or at least two in the map');
      const leaving = options.random.pick(before);
      original = before;
      return { ...db.reshard(before.filter((n) => n !== leaving)), change: 'remove', node: leaving };
    },
    async stop(): Promise<Json> {
      const back = original ?? [...db.shards];
      original = null;
      const now = [...db.shards];
      const node = now.find((n) => !back.includes(n)) ?? back.find((n) => !now.includes(n)) ?? null;
      return { ...db.reshard(back), change: now.length > back.length ? 'remove' : 'add', node };
    },
  };
}
