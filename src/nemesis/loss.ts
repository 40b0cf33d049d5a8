import { UsageError } from '../errors.js';
import { hasNetwork } from '../stores/types.js';
import { NEMESIS_FS } from './events.js';
import type { Fault, FaultOptions } from './fault.js';
import { nodeNames } from './fault.js';

/** Drops a share of the packets arriving at every node (`--loss`). */
export function lossFault(options: FaultOptions): Fault {
  const { db, loss: probability } = options;
  if (!hasNetwork(db)) throw new UsageError(`store ${db.store} cannot drop packets`);
  const network = db.network;
  const nodes = nodeNames(db);
  const value = { nodes, probability };
  return {
    kind: 'loss',
    startF: NEMESIS_FS.loss.start,
    stopF: NEMESIS_FS.loss.stop,
    async start() {
      await network.loss(nodes, probability);
      return value;
    },
    async stop() {
      await network.heal();
      return value;
    },
  };
}
