import { UsageError } from '../errors.js';
import { finalReads, ListAppendGenerator, type ListAppendStep } from '../generator/list-append.js';
import type { Random } from '../generator/random.js';
import type { Json } from '../history/types.js';
import { hasTransactions, type TxnClient, type TxnOptions } from '../stores/types.js';
import type { CheckerSpecs, ClientOp, OpSource, Workload, WorkloadClient } from './types.js';

export interface ListAppendDefinition {
  /** Keys 0 .. keys-1. */
  keys: number;
  maxTxnLength: number;
  checkers: CheckerSpecs;
  source: string;
  definition: Json;
  /** The isolation level transactions ask for; absent: the server's default. */
  txn?: TxnOptions;
}

/**
 * Elle's list-append: transactions of 1..maxTxnLength steps that append unique numbers to lists
 * or read whole lists, on a few keys so that transactions collide; after healing, every key is
 * read once more (marked final), for the lost appends. The transactions checker judges the history.
 */
export function listAppendWorkload(def: ListAppendDefinition): Workload {
  const keyNames = Array.from({ length: def.keys }, (_, k) => String(k));
  return {
    name: 'list-append',
    source: def.source,
    keys: keyNames,
    checkers: def.checkers,
    definition: def.definition,
    // Checked before start: a store without transactions (cassandra) is refused with the ones that have them.
    needs: ['transactions'],
    async openClient(db, index, timeoutMs) {
      if (!hasTransactions(db)) {
        throw new UsageError(
          `the list-append workload needs a store with transactions; ${db.store} has none (mysql and redis have them)`,
        );
      }
      return txnOps(await db.txnClient(index, timeoutMs, def.txn));
    },
    generator(worker: number, workers: number, random: Random): OpSource {
      const generator = new ListAppendGenerator({
        random,
        keys: def.keys,
        maxTxnLength: def.maxTxnLength,
        worker,
        workers,
      });
      return { next: () => ({ f: 'txn', key: null, value: generator.next() }), observe() {} };
    },
    finalOps: () => finalReads(def.keys).map((value) => ({ f: 'txn', key: null, value })),
  };
}

/** History operations onto the store's transaction client: the `ok` value is the steps with reads filled in. */
function txnOps(client: TxnClient): WorkloadClient {
  return {
    get node() {
      return client.node;
    },
    async invoke(op: ClientOp): Promise<Json> {
      if (op.f !== 'txn' || !Array.isArray(op.value))
        throw new Error(`the list-append workload has no operation '${op.f}'`);
      return await client.transact(op.value as ListAppendStep[]);
    },
    close: () => client.close(),
  };
}
