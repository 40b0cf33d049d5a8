import { uniformKeys } from '../generator/keys.js';
import type { Random } from '../generator/random.js';
import { REGISTER_FS, type RegisterF, RegisterGenerator, type RegisterMix } from '../generator/register.js';
import type { Json } from '../history/types.js';
import type { RegisterClient } from '../stores/types.js';
import {
  type CheckerSpecs,
  type ClientOp,
  DefiniteFailure,
  type OpSource,
  type Workload,
  type WorkloadClient,
} from './types.js';

export interface RegisterDefinition {
  keys: string[];
  mix: RegisterMix;
  checkers: CheckerSpecs;
  source: string;
  definition: Json;
}

/** Reads, writes and compare-and-sets on the store's register client. */
export function registerWorkload(def: RegisterDefinition): Workload {
  const keyDistribution = uniformKeys(def.keys);
  return {
    name: 'register',
    source: def.source,
    keys: def.keys,
    checkers: def.checkers,
    definition: def.definition,
    async openClient(db, index, timeoutMs) {
      return registerOps(await db.registerClient(index, timeoutMs));
    },
    generator(worker: number, workers: number, random: Random): OpSource {
      const generator = new RegisterGenerator({
        random,
        keys: keyDistribution,
        mix: def.mix,
        worker,
        workers,
      });
      return {
        next: () => generator.next(),
        observe(op, result) {
          if (op.key === null) return;
          if (op.f === 'read' || op.f === 'write') generator.observe(op.key, result);
          else if (op.f === 'cas' && Array.isArray(result)) generator.observe(op.key, result[1]);
        },
      };
    },
    finalOps: () => def.keys.map((key) => ({ f: 'read', key, value: null })),
  };
}

/** Maps history operations onto the store's register client; results are HISTORY.md's `ok` values. */
function registerOps(client: RegisterClient): WorkloadClient {
  return {
    get node() {
      return client.node;
    },
    async invoke(op: ClientOp): Promise<Json> {
      const key = op.key ?? 'register';
      const f = op.f as RegisterF;
      if (!REGISTER_FS.includes(f)) throw new Error(`the register workload has no operation '${op.f}'`);
      if (f === 'read') return client.read(key);
      if (f === 'write') {
        await client.write(key, op.value as number);
        return op.value;
      }
      const [expected, next] = op.value as [number, number];
      if (await client.cas(key, expected, next)) return op.value;
      throw new DefiniteFailure('cas-mismatch');
    },
    close: () => client.close(),
  };
}
