import { STORES, storeNamed } from '../stores/index.js';
import type { Store } from '../stores/types.js';
import { loadWorkload } from '../workloads/index.js';
import type { Workload } from '../workloads/types.js';
import { type RunCliOptions, type RunConfig, resolveRunConfig } from './options.js';
import { type ValidatedRun, validateRun } from './validate.js';

/** Every setting of a run, checked against the store and the workload, before anything starts. */
export interface ResolvedRun extends ValidatedRun {
  config: RunConfig;
  store: Store;
  workload: Workload;
}

/**
 * `dscheck run`'s whole validation: the options, then what the store and the workload accept.
 * Shared by `run` and by `matrix`, which checks every variant of a grid before the first starts.
 */
export function resolveRun(cli: RunCliOptions, randomSeed: () => number): ResolvedRun {
  const config = resolveRunConfig(cli, randomSeed);
  const workload = loadWorkload(config.workload, { keys: config.keys, options: config.workloadOptions });
  const store = workload.store ?? storeNamed(config.store);
  return { config, store, workload, ...validateRun(config, store, workload, Object.values(STORES)) };
}
