import { UsageError } from '../errors.js';
import { isPausable } from '../stores/types.js';
import { NEMESIS_FS } from './events.js';
import type { Fault, FaultOptions } from './fault.js';
import { nodeNames, pickMinority } from './fault.js';

/** Freezes a seeded minority of nodes (SIGSTOP-like: connections stay open, nothing answers). */
export function pauseFault(options: FaultOptions): Fault {
  const { db, random } = options;
  if (!isPausable(db)) throw new UsageError(`store ${db.store} cannot pause nodes`);
  const nodes = nodeNames(db);
  let paused: string[] = [];
  return {
    kind: 'pause',
    startF: NEMESIS_FS.pause.start,
    stopF: NEMESIS_FS.pause.stop,
    async start() {
      paused = pickMinority(nodes, random);
      await Promise.all(paused.map((node) => db.pause(node)));
      return paused;
    },
    async stop() {
      const nodesToResume = paused;
      await Promise.all(nodesToResume.map((node) => db.resume(node)));
      paused = [];
      return nodesToResume;
    },
  };
}
