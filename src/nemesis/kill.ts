import { UsageError } from '../errors.js';
import { isKillable } from '../stores/types.js';
import { type Fault, type FaultOptions, minorityFault } from './fault.js';

/** SIGKILLs the server on a seeded minority of nodes; restarts them (data kept) on stop. */
export function killFault(options: FaultOptions): Fault {
  const { db } = options;
  if (!isKillable(db)) throw new UsageError(`store ${db.store} cannot kill nodes`);
  return minorityFault(
    'kill',
    options,
    (node) => db.kill(node),
    (node) => db.restart(node),
  );
}
