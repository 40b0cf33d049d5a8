import { createRequire } from 'node:module';
import type { Client, ClientOptions, policies, types } from 'cassandra-driver';
import type { Json } from '../../history/types.js';
import type { ClusterNode, RegisterClient, SetClient } from '../types.js';
import type { SkewedClock } from './clock.js';
import { CQL_PORT, DATA_CENTER, KEYSPACE } from './config.js';
import { NotAppliedError, ReadPhaseError } from './errors.js';

type Driver = typeof import('cassandra-driver');

/** cassandra-driver, loaded on first use so commands that never talk to Cassandra start fast. */
export function driver(): Driver {
  return createRequire(import.meta.url)('cassandra-driver') as Driver;
}

/** What `--consistency` accepts on Cassandra; `serial` means lightweight transactions with SERIAL reads. */
export const CONSISTENCIES = ['one', 'quorum', 'all', 'serial'] as const;
export type Consistency = (typeof CONSISTENCIES)[number];

/**
 * How clients talk to the cluster. Plain (`lwt: false`): reads and writes at `consistency`, and
 * cas as a read followed by a write at that level, which is what a naive application does and is
 * not atomic: two processes can both read the expected value and both write (last write wins).
 * LWT: writes and cas are Paxos rounds (`IF ...`) committed at `consistency` (QUORUM for
 * `serial`); reads at `consistency`, or SERIAL for `serial`, which is the linearizable path.
 */
export interface AccessMode {
  consistency: Consistency;
  lwt: boolean;
}

export const TABLES = {
  registers: 'registers',
  sets: 'sets',
} as const;

export const SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${TABLES.registers} (k text PRIMARY KEY, v int)`,
  // One row per element: an add is a blind insert, no read-modify-write of a collection.
  `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${TABLES.sets} (k text, element int, PRIMARY KEY (k, element))`,
];

// Qualified names: clients connect before the keyspace exists (db.ts waits for it on each node).
const REGISTERS = `${KEYSPACE}.${TABLES.registers}`;
const SETS = `${KEYSPACE}.${TABLES.sets}`;

const STATEMENTS = {
  read: `SELECT v FROM ${REGISTERS} WHERE k = ?`,
  write: `UPDATE ${REGISTERS} SET v = ? WHERE k = ?`,
  // Values written are unique, so `v != new` always holds (also for a missing row, whose v is
  // null): an unconditional write that still goes through Paxos, as LWT reads and cas need.
  lwtWrite: `UPDATE ${REGISTERS} SET v = ? WHERE k = ? IF v != ?`,
  lwtCas: `UPDATE ${REGISTERS} SET v = ? WHERE k = ? IF v = ?`,
  add: `INSERT INTO ${SETS} (k, element) VALUES (?, ?)`,
  lwtAdd: `INSERT INTO ${SETS} (k, element) VALUES (?, ?) IF NOT EXISTS`,
  readSet: `SELECT element FROM ${SETS} WHERE k = ?`,
} as const;

/** Never retries anything: a retried write could apply twice, and we must see every outcome. */
function neverRetry(d: Driver): policies.retry.RetryPolicy {
  class NeverRetry extends d.policies.retry.RetryPolicy {
    override onReadTimeout() {
      return this.rethrowResult();
    }
    override onWriteTimeout() {
      return this.rethrowResult();
    }
    override onUnavailable() {
      return this.rethrowResult();
    }
    override onRequestError() {
      return this.rethrowResult();
    }
  }
  return new NeverRetry();
}

/**
 * Driver options for a client of one node (DESIGN.md): the node is the only contact point and
 * the only host the load-balancing policy allows, so a process stays on its node (and a dead
 * node gives a definite NoHostAvailable instead of a silent move); nothing is retried; writes are
 * not idempotent; the client's timeout is above the server's (config.ts). With a `clock`, the
 * client stamps its writes with that clock (clock.ts); otherwise with the driver's default.
 */
export function clientOptions(node: ClusterNode, timeoutMs: number, clock?: SkewedClock): ClientOptions {
  const d = driver();
  const address = `${node.ip}:${CQL_PORT}`;
  return {
    contactPoints: [address],
    localDataCenter: DATA_CENTER,
    policies: {
      loadBalancing: new d.policies.loadBalancing.AllowListPolicy(
        new d.policies.loadBalancing.RoundRobinPolicy(),
        [address],
      ),
      retry: neverRetry(d),
      // A killed node comes back within seconds; the client should notice within a second.
      reconnection: new d.policies.reconnection.ConstantReconnectionPolicy(500),
      ...(clock ? { timestampGeneration: clock.timestampGenerator() } : {}),
    },
    queryOptions: { isIdempotent: false, prepare: true, captureStackTrace: false },
    socketOptions: { connectTimeout: timeoutMs, readTimeout: timeoutMs },
    pooling: { coreConnectionsPerHost: { [d.types.distance.local]: 1 }, heartBeatInterval: 1000 },
  };
}

export async function connect(node: ClusterNode, timeoutMs: number, clock?: SkewedClock): Promise<Client> {
  const client = new (driver().Client)(clientOptions(node, timeoutMs, clock));
  try {
    await client.connect();
  } catch (err) {
    await client.shutdown().catch(() => undefined);
    throw err;
  }
  return client;
}

/** The driver's consistency levels for an access mode: plain reads and writes, or SERIAL reads. */
function levels(mode: AccessMode): { read: types.consistencies; write: types.consistencies } {
  const c = driver().types.consistencies;
  const named = { one: c.one, quorum: c.quorum, all: c.all, serial: c.quorum } as const;
  return {
    read: mode.consistency === 'serial' ? c.serial : named[mode.consistency],
    write: named[mode.consistency],
  };
}

/**
 * One process's register on its node's shared driver client (the driver multiplexes requests
 * over one connection; each process still has at most one call outstanding).
 */
export class CassandraRegisterClient implements RegisterClient {
  private readonly read_: { consistency: types.consistencies; serialConsistency?: types.consistencies };
  private readonly write_: { consistency: types.consistencies; serialConsistency?: types.consistencies };

  constructor(
    private readonly client: Client,
    readonly node: string,
    private readonly mode: AccessMode,
    private readonly timeoutMs: number,
  ) {
    const { read, write } = levels(mode);
    const serial = driver().types.consistencies.serial;
    this.read_ = { consistency: read };
    this.write_ = mode.lwt ? { consistency: write, serialConsistency: serial } : { consistency: write };
  }

  async read(key: string): Promise<Json> {
    const result = await this.client.execute(STATEMENTS.read, [key], {
      ...this.read_,
      readTimeout: this.timeoutMs,
    });
    const value = result.first()?.get('v') as number | null | undefined;
    return value ?? null;
  }

  async write(key: string, value: number): Promise<void> {
    const options = { ...this.write_, readTimeout: this.timeoutMs };
    if (!this.mode.lwt) {
      await this.client.execute(STATEMENTS.write, [value, key], options);
      return;
    }
    const result = await this.client.execute(STATEMENTS.lwtWrite, [value, key, value], options);
    if (!result.wasApplied()) throw new NotAppliedError(`write of ${value} to ${key} was not applied`);
  }

  async cas(key: string, expected: number, next: number): Promise<boolean> {
    const options = { ...this.write_, readTimeout: this.timeoutMs };
    if (this.mode.lwt) {
      return (await this.client.execute(STATEMENTS.lwtCas, [next, key, expected], options)).wasApplied();
    }
    let current: Json;
    try {
      current = await this.read(key);
    } catch (err) {
      throw new ReadPhaseError(err);
    }
    if (current !== expected) return false;
    await this.client.execute(STATEMENTS.write, [next, key], options);
    return true;
  }

  /** The driver client is the node's, shared: the Db closes it at teardown. */
  async close(): Promise<void> {}
}

/** One process's sets, one row per element, on its node's shared driver client. */
export class CassandraSetClient implements SetClient {
  private readonly read_: { consistency: types.consistencies };
  private readonly write_: { consistency: types.consistencies; serialConsistency?: types.consistencies };

  constructor(
    private readonly client: Client,
    readonly node: string,
    private readonly mode: AccessMode,
    private readonly timeoutMs: number,
  ) {
    const { read, write } = levels(mode);
    this.read_ = { consistency: read };
    this.write_ = mode.lwt
      ? { consistency: write, serialConsistency: driver().types.consistencies.serial }
      : { consistency: write };
  }

  /** Under LWT an element already present is not inserted again; the set holds it either way. */
  async add(key: string, element: number): Promise<void> {
    await this.client.execute(this.mode.lwt ? STATEMENTS.lwtAdd : STATEMENTS.add, [key, element], {
      ...this.write_,
      readTimeout: this.timeoutMs,
    });
  }

  async read(key: string): Promise<number[]> {
    const result = await this.client.execute(STATEMENTS.readSet, [key], {
      ...this.read_,
      readTimeout: this.timeoutMs,
      fetchSize: 5000,
    });
    const elements: number[] = [];
    for await (const row of result) elements.push(row.get('element') as number);
    return elements;
  }

  async close(): Promise<void> {}
}
