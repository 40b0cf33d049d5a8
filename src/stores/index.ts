import { UsageError } from '../errors.js';
import { cassandra } from './cassandra/index.js';
import { mysql } from './mysql/index.js';
import { redis } from './redis/index.js';
import type { Store } from './types.js';

/** Every store dscheck can test, by the name `--store` takes. */
export const STORES: Readonly<Record<string, Store>> = { redis, mysql, cassandra };

export const STORE_NAMES: readonly string[] = Object.keys(STORES);

export function storeNamed(name: string): Store {
  const store = Object.hasOwn(STORES, name) ? STORES[name] : undefined;
  if (!store) throw new UsageError(`unknown store '${name}'; valid choices: ${STORE_NAMES.join(', ')}`);
  return store;
}
