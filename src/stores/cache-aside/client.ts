import type { Redis } from 'ioredis';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { Random } from '../../generator/random.js';
import type { Json } from '../../history/types.js';
import { openConnection } from '../redis/client.js';
import { classifyRedisError } from '../redis/errors.js';
import type { ClusterNode } from '../types.js';
import type { DbPool } from './pool.js';
import { hash32 } from './ring.js';
import type { CacheAsideSettings } from './settings.js';

/** What a client needs of the cluster: the shard map, the cache nodes, the database pool and table. */
export interface CacheAsideTier {
  readonly table: string;
  readonly pool: DbPool;
  readonly settings: CacheAsideSettings;
  shardOf(key: string): string;
  cacheNode(name: string): ClusterNode;
}

/** What one operation did, for its completion line in the history (HISTORY.md allows extra fields). */
export type OperationFields = Record<string, Json>;

/**
 * One client process of the application: read-through and write-then-invalidate against the
 * cache node the shard map names, and the shared database pool. A cache that fails counts as a
 * miss (the application falls back to the database, as cache-aside code does), never as an error
 * of the operation; the database's errors are the operation's.
 */
export class CacheAsideClient {
  private readonly connections = new Map<string, Redis>();
  private readonly jitter: Random;
  private fields: OperationFields = {};
  /** The cache's own deadline: a small share of the operation's, so the database keeps the rest. */
  private readonly cacheTimeoutMs: number;

  constructor(
    private readonly db: CacheAsideTier,
    index: number,
    timeoutMs: number,
    private readonly onClose: (client: CacheAsideClient) => void,
  ) {
    this.jitter = Random.fromSeed(hash32(`ttl-jitter-${index}`));
    this.cacheTimeoutMs = Math.max(20, Math.floor(timeoutMs / 5));
  }

  /** The last operation's fields: hit, db, dbMs, shard ... */
  lastFields(): OperationFields {
    return this.fields;
  }

  /** GET from the key's cache node; on a miss, the database, then SET with a (jittered) TTL. */
  async read(key: string): Promise<Json> {
    const started = performance.now();
    const shard = this.db.shardOf(key);
    const fields: OperationFields = { shard, hit: false, db: false };
    this.fields = fields;
    try {
      const cached = await (await this.cache(shard)).get(key);
      if (cached !== null) {
        fields.hit = true;
        return Number(cached);
      }
    } catch (err) {
      fields.cacheError = classifyRedisError(err, 'read').error;
    }
    const value = await this.database<RowDataPacket[]>(
      fields,
      started,
      this.db.settings.dbQueryMs > 0
        ? `SELECT v, SLEEP(${this.db.settings.dbQueryMs / 1000}) AS s FROM ${this.db.table} WHERE k = ?`
        : `SELECT v FROM ${this.db.table} WHERE k = ?`,
      [key],
    ).then((rows) => (rows.length === 0 ? null : Number(rows[0].v)));
    if (value !== null) await this.store(fields, shard, key, value);
    return value;
  }

  /** UPDATE in the database, then invalidate (DEL) or refresh (SET) the key's cache entry. */
  async write(key: string, value: number): Promise<void> {
    const started = performance.now();
    const shard = this.db.shardOf(key);
    const fields: OperationFields = { shard, db: true };
    this.fields = fields;
    await this.database<ResultSetHeader>(fields, started, `UPDATE ${this.db.table} SET v = ? WHERE k = ?`, [
      value,
      key,
    ]);
    try {
      const cache = await this.cache(shard);
      if (this.db.settings.writePolicy === 'invalidate') await cache.del(key);
      else await this.store(fields, shard, key, value);
      fields.invalidated = true;
    } catch (err) {
      // The database has the write: the operation succeeded, but the cache may now serve the old value.
      fields.invalidated = false;
      fields.cacheError = classifyRedisError(err, 'write').error;
    }
  }

  /** Prefill: every key of `keys` on `node` with `value` and one TTL each, pipelined. */
  async fill(node: string, keys: readonly string[], value: string): Promise<void> {
    const cache = await this.cache(node);
    const pipeline = cache.pipeline();
    for (const key of keys) pipeline.set(key, value, 'PX', this.ttlMs());
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err !== null);
    if (failed) throw failed[0];
  }

  async close(): Promise<void> {
    for (const connection of this.connections.values()) connection.disconnect();
    this.connections.clear();
    this.onClose(this);
  }

  private async database<T extends RowDataPacket[] | ResultSetHeader>(
    fields: OperationFields,
    started: number,
    sql: string,
    values: readonly Json[],
  ): Promise<T> {
    fields.db = true;
    fields.dbAtMs = round(performance.now() - started);
    try {
      const { result, waitMs, queryMs } = await this.db.pool.query<T>(
        sql,
        values,
        this.db.settings.dbTimeoutMs,
      );
      fields.dbMs = round(queryMs);
      fields.dbWaitMs = round(waitMs);
      return result;
    } catch (err) {
      const { waitMs, queryMs } = err as { waitMs?: number; queryMs?: number };
      fields.dbWaitMs = round(waitMs ?? this.db.settings.dbTimeoutMs);
      fields.dbMs = round(queryMs ?? 0);
      throw err;
    }
  }

  /** SET with the TTL; a cache that fails here only costs the next read a miss. */
  private async store(fields: OperationFields, shard: string, key: string, value: number): Promise<void> {
    const ttlMs = this.ttlMs();
    try {
      await (await this.cache(shard)).set(key, String(value), 'PX', ttlMs);
      fields.ttlMs = ttlMs;
    } catch (err) {
      fields.cacheError = classifyRedisError(err, 'write').error;
    }
  }

  private ttlMs(): number {
    const { ttlS, ttlJitter } = this.db.settings;
    const factor = 1 + ttlJitter * (2 * this.jitter.float() - 1);
    return Math.max(1, Math.round(ttlS * 1000 * factor));
  }

  private async cache(node: string): Promise<Redis> {
    const existing = this.connections.get(node);
    if (existing) return existing;
    const connection = await openConnection(
      { kind: 'node', node: this.db.cacheNode(node) },
      this.cacheTimeoutMs,
    );
    this.connections.set(node, connection);
    return connection;
  }
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
