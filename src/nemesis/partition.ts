import { UsageError } from '../errors.js';
import { hasNetwork, hasPrimary } from '../stores/types.js';
import { NEMESIS_FS } from './events.js';
import type { Fault, FaultOptions } from './fault.js';
import { nodeNames } from './fault.js';
import { bridge, type Grudge, halves, majoritiesRing, one, primary, randomHalves } from './grudge.js';

/** Cuts the network into the `--partition` shape; heals it with a flush of the rules. */
export function partitionFault(options: FaultOptions): Fault {
  const { db, random, partition: shape, log } = options;
  if (!hasNetwork(db)) throw new UsageError(`store ${db.store} cannot partition its network`);
  if (shape === 'primary' && !hasPrimary(db)) {
    throw new UsageError(
      `store ${db.store} (${db.topology}) has no primary to isolate; choose another --partition`,
    );
  }
  const network = db.network;
  const nodes = nodeNames(db);
  let active: Grudge = {};

  async function grudgeFor(): Promise<Grudge> {
    switch (shape) {
      case 'random-halves':
        return randomHalves(nodes, random);
      case 'halves':
        return halves(nodes);
      case 'one':
        return one(nodes, random);
      case 'majorities-ring':
        return majoritiesRing(nodes, random);
      case 'bridge':
        return bridge(random.shuffle(nodes));
      case 'primary': {
        // Draw anyway so the stream stays aligned whether or not a primary is known.
        const fallback = one(nodes, random);
        const current = hasPrimary(db) ? await db.primary() : null;
        if (current !== null && nodes.includes(current)) return primary(nodes, current);
        log('partition: no primary known right now; isolating a random node instead');
        return fallback;
      }
    }
  }

  return {
    kind: 'partition',
    startF: NEMESIS_FS.partition.start,
    stopF: NEMESIS_FS.partition.stop,
    async start() {
      active = await grudgeFor();
      await network.partition(active);
      return active as Record<string, string[]>;
    },
    async stop() {
      await network.heal();
      const healed = active;
      active = {};
      return healed as Record<string, string[]>;
    },
  };
}
