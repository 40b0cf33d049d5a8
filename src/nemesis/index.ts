import type { Random } from '../generator/random.js';
import type { Ability } from '../stores/types.js';
import { clockFault } from './clock.js';
import { crashAllFault } from './crash-all.js';
import { failoverMonitor, type Monitor, type MonitorOptions } from './failover.js';
import type { Fault, FaultOptions } from './fault.js';
import { flushCacheFault } from './flush-cache.js';
import { killFault } from './kill.js';
import { lossFault } from './loss.js';
import { partitionFault } from './partition.js';
import { pauseFault } from './pause.js';
import { reshardFault } from './reshard.js';
import { restartCacheFault } from './restart-cache.js';
import { MONITOR_KINDS, type NemesisKind } from './schedule.js';

/** What each kind needs of the store (none: every cluster has a network to break). */
export const NEMESIS_NEEDS: Readonly<Record<NemesisKind, Ability | undefined>> = {
  partition: undefined,
  loss: undefined,
  kill: 'kill',
  'crash-all': 'kill',
  pause: 'pause',
  clock: 'clock',
  failover: 'failover',
  'restart-cache': 'cache-tier',
  'flush-cache': 'cache-tier',
  reshard: 'cache-tier',
};

const FACTORIES: Readonly<Record<Exclude<NemesisKind, 'failover'>, (options: FaultOptions) => Fault>> = {
  partition: partitionFault,
  kill: killFault,
  'crash-all': crashAllFault,
  pause: pauseFault,
  clock: clockFault,
  loss: lossFault,
  'restart-cache': restartCacheFault,
  'flush-cache': flushCacheFault,
  reshard: reshardFault,
};

/**
 * One fault per selected kind, each with its own stream derived from the nemesis's, so adding a
 * kind does not change the choices of the others. A kind the cluster cannot do is a UsageError.
 */
export function createFaults(
  kinds: readonly NemesisKind[],
  options: Omit<FaultOptions, 'random'> & { random: Random },
): Fault[] {
  return kinds
    .filter((kind): kind is Exclude<NemesisKind, 'failover'> => !MONITOR_KINDS.includes(kind))
    .map((kind) => FACTORIES[kind]({ ...options, random: options.random.derive(kind) }));
}

/** The monitors among the selected kinds (the failover tool); a kind the cluster cannot do is a UsageError. */
export function createMonitors(kinds: readonly NemesisKind[], options: MonitorOptions): Monitor[] {
  return kinds.includes('failover') ? [failoverMonitor(options)] : [];
}
