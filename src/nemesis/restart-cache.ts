import type { Json } from '../history/types.js';
import { NEMESIS_FS } from './events.js';
import { cacheTierOf, type Fault, type FaultOptions } from './fault.js';

/** Pause between two nodes of a rolling restart: each comes back before the next goes down. */
export const ROLLING_GAP_MS = 2000;

/**
 * Kills and restarts cache nodes at once: they come back EMPTY (no persistence), so every read of
 * their keys misses until the cache warms again. `all` restarts every node of the shard map (the
 * worst case, a whole tier deployed at once), `one` a seeded one, `rolling` one after the other
 * (the first at the start, the rest in the background; `stop` waits for them). The fault window
 * runs until the next healthy period: it is the cold spell the checker measures.
 */
export function restartCacheFault(options: FaultOptions): Fault {
  const db = cacheTierOf(options.db, 'restart-cache');
  const mode = db.restartMode;
  let rolling: Promise<string[]> | null = null;
  const bounce = async (node: string) => {
    await db.kill(node);
    await db.restart(node);
  };
  return {
    kind: 'restart-cache',
    startF: NEMESIS_FS['restart-cache'].start,
    stopF: NEMESIS_FS['restart-cache'].stop,
    async start(): Promise<Json> {
      const shards = [...db.shards];
      if (mode === 'rolling') {
        const [first, ...rest] = shards;
        await bounce(first);
        rolling = (async () => {
          const done = [first];
          for (const node of rest) {
            await new Promise((resolve) => setTimeout(resolve, ROLLING_GAP_MS));
            await bounce(node);
            done.push(node);
          }
          return done;
        })();
        // A failure later in the roll is reported by `stop`; the promise must not go unhandled meanwhile.
        rolling.catch(() => undefined);
        return { mode, nodes: shards, first, gapMs: ROLLING_GAP_MS };
      }
      const nodes = mode === 'one' ? [options.random.pick(shards)] : shards;
      await Promise.all(nodes.map(bounce));
      return { mode, nodes };
    },
    async stop(): Promise<Json> {
      if (!rolling) return { mode };
      const roll = rolling;
      rolling = null;
      return { mode, restarted: await roll };
    },
  };
}
