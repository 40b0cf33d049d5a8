import type { Random } from '../generator/random.js';
import type { Fault, FaultOptions } from './fault.js';
import { killFault } from './kill.js';
import { lossFault } from './loss.js';
import { partitionFault } from './partition.js';
import { pauseFault } from './pause.js';
import type { NemesisKind } from './schedule.js';

const FACTORIES: Readonly<Record<NemesisKind, (options: FaultOptions) => Fault>> = {
  partition: partitionFault,
  kill: killFault,
  pause: pauseFault,
  loss: lossFault,
};

/**
 * One fault per selected kind, each with its own stream derived from the nemesis's, so adding a
 * kind does not change the choices of the others. A kind the cluster cannot do is a UsageError.
 */
export function createFaults(
  kinds: readonly NemesisKind[],
  options: Omit<FaultOptions, 'random'> & { random: Random },
): Fault[] {
  return kinds.map((kind) => FACTORIES[kind]({ ...options, random: options.random.derive(kind) }));
}
