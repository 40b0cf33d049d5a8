import { oneOf, UsageError } from '../errors.js';
import { NEMESIS_NEEDS } from '../nemesis/index.js';
import { givenOptions, readOptions } from '../options/spec.js';
import { ABILITY_WORDS, type Ability, type Store, storeCan } from '../stores/types.js';
import type { Workload } from '../workloads/types.js';
import { RUN_OPTIONS, type RunConfig } from './options.js';

/** What a run settles on once the store and the workload are known. */
export interface ValidatedRun {
  topology: string;
  readFrom: string;
  nodes: number;
  /** The store's own options, with their defaults, by field of `Store.options`. */
  storeValues: Readonly<Record<string, unknown>>;
}

/**
 * Every combination of options checked against the store and the workload, before any container
 * starts: a conflict is a UsageError naming it and the valid choices. Pure. `stores` is the
 * registry, to name the stores that have what this one lacks.
 */
export function validateRun(
  config: RunConfig,
  store: Store,
  workload: Workload,
  stores: readonly Store[],
): ValidatedRun {
  const defaultStore = RUN_OPTIONS.store.default;
  // A workload that brings its own cluster (caches before a database) runs on it.
  if (workload.store && config.store !== defaultStore) {
    throw new UsageError(
      `--workload ${workload.name} starts its own cluster (${workload.store.name}); --store must be ${defaultStore} (or left out), not '${config.store}'`,
    );
  }
  refuseForeignOptions(config, store, stores);
  const storeValues = readOptions(store.options, config.storeOptions);
  const topology = oneOf('--topology', config.topology ?? store.defaultTopology, store.topologies);
  const readFrom = oneOf('--read-from', config.readFrom ?? store.readFromChoices[0], store.readFromChoices);
  const nodes = config.nodes ?? store.defaultNodesOf?.[topology] ?? store.defaultNodes;
  store.validate?.({ topology, readFrom, nodes });
  workload.validate?.({ store: store.name, topology, timeoutMs: config.timeoutMs });
  for (const ability of workload.needs ?? []) {
    requireAbility(`--workload ${workload.name}`, ability, store, topology, stores);
  }
  for (const kind of config.nemesis) {
    const ability = NEMESIS_NEEDS[kind];
    if (ability) requireAbility(`--nemesis ${kind}`, ability, store, topology, stores);
  }
  return { topology, readFrom, nodes, storeValues };
}

/** A store option given to a store that lacks it: the message names the stores that have it. */
function refuseForeignOptions(config: RunConfig, store: Store, stores: readonly Store[]): void {
  const own = new Set(Object.values(store.options).map((spec) => spec.name));
  for (const other of stores) {
    for (const spec of givenOptions(other.options, config.storeOptions)) {
      if (own.has(spec.name)) continue;
      const having = stores.filter((s) => Object.values(s.options).some((o) => o.name === spec.name));
      throw new UsageError(
        `--${spec.name} is not offered by ${store.name}; stores that have it: ${having.map((s) => s.name).join(', ')}`,
      );
    }
  }
}

function requireAbility(
  what: string,
  ability: Ability,
  store: Store,
  topology: string,
  stores: readonly Store[],
): void {
  if (storeCan(store, ability, topology)) return;
  const where = (s: Store) => {
    const has = s.abilities[ability];
    const note = s.abilityNotes?.[ability];
    return `${has === true ? s.name : `${s.name} --topology ${has?.join(', ')}`}${note ? ` (${note})` : ''}`;
  };
  const having = stores.filter((s) => s.abilities[ability] !== undefined).map(where);
  const shape = store.abilities[ability] === undefined ? store.name : `${store.name} --topology ${topology}`;
  throw new UsageError(
    `${what} needs a store with ${ABILITY_WORDS[ability]}; ${shape} has none${having.length > 0 ? ` (stores that have it: ${having.join('; ')})` : ''}`,
  );
}
