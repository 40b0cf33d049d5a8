import { UsageError } from '../errors.js';
import { uniformKeys } from '../generator/keys.js';
import type { Random } from '../generator/random.js';
import { SET_FS, type SetF, SetGenerator, type SetMix } from '../generator/set.js';
import type { Json } from '../history/types.js';
import { hasSets, type SetClient } from '../stores/types.js';
import type { CheckerSpecs, ClientOp, OpSource, Workload, WorkloadClient } from './types.js';

export interface SetDefinition {
  keys: string[];
  mix: SetMix;
  checkers: CheckerSpecs;
  source: string;
  definition: Json;
}

/**
 * Processes add unique integers to a few sets and now and then read a whole set; after healing,
 * every set is read once more (the final reads the lost-writes checker judges by).
 */
export function setWorkload(def: SetDefinition): Workload {
  const keyDistribution = uniformKeys(def.keys);
  return {
    name: 'set',
    needs: ['sets'],
    source: def.source,
    keys: def.keys,
    checkers: def.checkers,
    definition: def.definition,
    async openClient(db, index, timeoutMs) {
      if (!hasSets(db)) {
        throw new UsageError(
          `the set workload needs a store with sets; ${db.store} has none (redis, mysql and cassandra have them)`,
        );
      }
      return setOps(await db.setClient(index, timeoutMs));
    },
    generator(worker: number, workers: number, random: Random): OpSource {
      const generator = new SetGenerator({ random, keys: keyDistribution, mix: def.mix, worker, workers });
      return { next: () => generator.next(), observe() {} };
    },
    finalOps: () => def.keys.map((key) => ({ f: 'read-all', key, value: null })),
  };
}

/** Maps history operations onto the store's set client; a read's `ok` value is the sorted elements. */
function setOps(client: SetClient): WorkloadClient {
  return {
    get node() {
      return client.node;
    },
    async invoke(op: ClientOp): Promise<Json> {
      const key = op.key ?? 'set';
      const f = op.f as SetF;
      if (!SET_FS.includes(f)) throw new Error(`the set workload has no operation '${op.f}'`);
      if (f === 'add') {
        await client.add(key, op.value as number);
        return op.value;
      }
      return (await client.read(key)).sort((a, b) => a - b);
    },
    close: () => client.close(),
  };
}
