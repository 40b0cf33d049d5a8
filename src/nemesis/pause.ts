import { UsageError } from '../errors.js';
import { isPausable } from '../stores/types.js';
import { type Fault, type FaultOptions, minorityFault } from './fault.js';

/** Freezes a seeded minority of nodes (SIGSTOP-like: connections stay open, nothing answers). */
export function pauseFault(options: FaultOptions): Fault {
  const { db } = options;
  if (!isPausable(db)) throw new UsageError(`store ${db.store} cannot pause nodes`);
  return minorityFault(
    'pause',
    options,
    (node) => db.pause(node),
    (node) => db.resume(node),
  );
}
