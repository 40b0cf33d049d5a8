import { oneOf, UsageError } from '../errors.js';
import { STORES, storeNamed } from '../stores/index.js';
import type { Store } from '../stores/types.js';
import { loadWorkload } from '../workloads/index.js';
import type { Workload } from '../workloads/types.js';
import { type RunCliOptions, type RunConfig, resolveConsistency, resolveRunConfig } from './options.js';

/** Every setting of a run, checked against the store and the workload, before anything starts. */
export interface ResolvedRun {
  config: RunConfig;
  store: Store;
  topology: string;
  readFrom: string;
  nodes: number;
  consistency?: string;
  workload: Workload;
}

/**
 * `dscheck run`'s whole validation: the options, then what the store and the workload accept.
 * Shared by `run` and by `matrix`, which checks every variant of a grid before the first starts.
 */
export function resolveRun(cli: RunCliOptions, randomSeed: () => number): ResolvedRun {
  const config = resolveRunConfig(cli, randomSeed);
  const workload = loadWorkload(config.workload, { keys: config.keys, cacheAside: config.cacheAside });
  // A workload that brings its own cluster (cache-aside: Redis caches before MySQL) runs on it.
  if (workload.store && config.store !== 'redis') {
    throw new UsageError(
      `--workload ${workload.name} starts its own Redis cache nodes in front of a MySQL database; --store must be redis (or left out), not '${config.store}'`,
    );
  }
  const store = workload.store ?? storeNamed(config.store);
  const topology = oneOf('--topology', config.topology ?? store.defaultTopology, store.topologies);
  const readFrom = oneOf('--read-from', config.readFrom ?? store.readFromChoices[0], store.readFromChoices);
  const nodes = config.nodes ?? store.defaultNodes;
  const withLevels = Object.values(STORES).filter((s) => s.consistencyChoices !== undefined);
  const consistency = resolveConsistency(
    config,
    store,
    withLevels.map((s) => s.name),
  );
  if (config.waitReplicas !== undefined && !store.offersWait) {
    const stores = Object.values(STORES).filter((s) => s.offersWait);
    throw new UsageError(
      `--wait-replicas is not offered by ${store.name}; stores that have it: ${stores.map((s) => s.name).join(', ')}`,
    );
  }
  return { config, store, topology, readFrom, nodes, consistency, workload };
}
