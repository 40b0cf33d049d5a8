import { UsageError } from '../errors.js';
import { isKillable } from '../stores/types.js';
import { NEMESIS_FS } from './events.js';
import type { Fault, FaultOptions } from './fault.js';
import { nodeNames, pickMinority } from './fault.js';

/** SIGKILLs the server on a seeded minority of nodes; restarts them (data kept) on stop. */
export function killFault(options: FaultOptions): Fault {
  const { db, random } = options;
  if (!isKillable(db)) throw new UsageError(`store ${db.store} cannot kill nodes`);
  const nodes = nodeNames(db);
  let killed: string[] = [];
  return {
    kind: 'kill',
    startF: NEMESIS_FS.kill.start,
    stopF: NEMESIS_FS.kill.stop,
    async start() {
      killed = pickMinority(nodes, random);
      await Promise.all(killed.map((node) => db.kill(node)));
      return killed;
    },
    async stop() {
      const nodesToRestart = killed;
      await Promise.all(nodesToRestart.map((node) => db.restart(node)));
      killed = [];
      return nodesToRestart;
    },
  };
}
