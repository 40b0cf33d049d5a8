import type { Client } from 'cassandra-driver';
import { writeFilesIn } from '../../docker/containers.js';
import { execIn, execOk } from '../../docker/exec.js';
import { ClusterDb } from '../cluster-db.js';
import { newOwner } from '../lock-owner.js';
import type { ServerOption } from '../server-options.js';
import type {
  ClusterNode,
  Db,
  ErrorVerdict,
  HasClock,
  HasLocks,
  HasLogs,
  HasNetwork,
  HasPrimary,
  HasSets,
  Killable,
  LockClient,
  LockClientOptions,
  Pausable,
  RegisterClient,
  SetClient,
} from '../types.js';
import { waitUntil } from '../wait.js';
import {
  type AccessMode,
  CassandraRegisterClient,
  CassandraSetClient,
  connect,
  SCHEMA,
  TABLES,
} from './client.js';
import { SkewedClock } from './clock.js';
import { cassandraYaml, KEYSPACE, PATHS, REPLICATION_FACTOR, type ServerTimeouts } from './config.js';
import { classifyCassandraError } from './errors.js';
import { CassandraLockClient, LOCK_TABLES, LOCK_TABLES_CQL } from './lock-client.js';
import { LOG_EVENTS_PATTERN, readLogEvents } from './readiness.js';

export interface CassandraDbOptions {
  mode: AccessMode;
  durable: boolean;
  timeouts: ServerTimeouts;
  /** `--server-option` keys for every node's cassandra.yaml. */
  serverOptions?: readonly ServerOption[];
  /** The clients' timeout, above the server's. */
  clientTimeoutMs: number;
  /** The clock nemesis may skew the clients' clocks: each node's client stamps writes with a SkewedClock. */
  clockFaults?: boolean;
  log: (message: string) => void;
  signal?: AbortSignal;
}

/** Three JVMs starting at once on two cores take a minute or more; a restart alone, less. */
const START_TIMEOUT_MS = 240_000;
/** Schema changes and system-table queries while the ring forms: slow on a busy machine. */
const DDL_TIMEOUT_MS = 30_000;
/** How long a node may take to learn a new table before it is restarted to pull the schema. */
const SCHEMA_PUSH_MS = 45_000;

/**
 * A running Cassandra cluster: every node a seed with a fixed token, one keyspace replicated
 * to min(3, nodes) nodes. There is no primary. Each node has one shared driver client that
 * only talks to that node; processes are spread over the nodes.
 */
export class CassandraDb
  extends ClusterDb<CassandraDbOptions>
  implements Db, Killable, Pausable, HasPrimary, HasLogs, HasNetwork, HasSets, HasLocks, HasClock
{
  readonly store = 'cassandra';
  readonly topology = 'ring';
  /** The driver stamps every write with the client's clock; last-write-wins compares those (clock.ts). */
  readonly clockLives = 'clients';
  private readonly clients = new Map<string, Client>();
  /** Each node's client clock, under clock faults. */
  private readonly clocks = new Map<string, SkewedClock>();
  /** The processes bound to each node, as they opened their clients. */
  private readonly processes = new Map<string, Set<number>>();

  get mode(): AccessMode {
    return this.options.mode;
  }

  /**
   * Writes each node's cassandra.yaml, starts every node at once, waits until each serves CQL
   * and sees all its peers up, creates the keyspace and tables, and connects one client per node.
   */
  async setup(): Promise<void> {
    const seeds = this.nodes.map((n) => n.ip);
    await Promise.all(
      this.nodes.map((node, index) =>
        writeFilesIn(this.cluster.container(node.name), '/', [
          {
            path: PATHS.config.slice(1),
            content: cassandraYaml({
              ip: node.ip,
              index,
              seeds,
              durable: this.options.durable,
              timeouts: this.options.timeouts,
              serverOptions: this.options.serverOptions,
            }),
          },
        ]),
      ),
    );
    const started = performance.now();
    await Promise.all(this.nodes.map((node) => this.startServer(node, { peers: true })));
    this.options.log(`cassandra: ${this.nodes.length} nodes up in ${seconds(started)}`);
    const clients = await Promise.all(this.nodes.map((node) => this.clientOf(node)));
    // "UP" in the log is gossip, not ring membership: a keyspace created then (seen here, n1
    // warning of "2 nodes" for replication factor 3) reached one peer only a minute later. A peer
    // is in the ring, with its token, when it is in system.peers_v2.
    await this.waitOnEveryNode(clients, 'to list its peers with their tokens', async (client, node) => {
      const rows = (
        await client.execute('SELECT peer, tokens FROM system.peers_v2', [], { readTimeout: DDL_TIMEOUT_MS })
      ).rows;
      const known = new Set(rows.filter((r) => r.get('tokens') !== null).map((r) => String(r.get('peer'))));
      return this.nodes.every((n) => n === node || known.has(n.ip));
    });
    const replicas = Math.min(REPLICATION_FACTOR, this.nodes.length);
    const schema = [
      `CREATE KEYSPACE IF NOT EXISTS ${KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${replicas}}`,
      ...SCHEMA,
      ...LOCK_TABLES_CQL,
    ];
    for (const statement of schema) await clients[0].execute(statement, [], { readTimeout: DDL_TIMEOUT_MS });
    // The driver waits for schema agreement only so long: every node must know both tables
    // before a client prepares a statement on them.
    await Promise.all(this.nodes.map((node, i) => this.awaitSchema(node, clients[i])));
    this.options.log(`cassandra: keyspace ${KEYSPACE} ready in ${seconds(started)}`);
  }

  /**
   * Waits until `node` knows every table of the keyspace. On a loaded machine a node can miss the
   * schema push and then not pull it for minutes (seen in CI: still missing after 240 s); a node
   * that starts pulls the schema from its peers as it joins, so one that has not learned the
   * tables in SCHEMA_PUSH_MS is restarted once.
   */
  private async awaitSchema(node: ClusterNode, client: Client): Promise<void> {
    const what = `${node.name} to know the tables of ${KEYSPACE}`;
    const knows = async () => {
      const rows = (
        await client.execute(
          'SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?',
          [KEYSPACE],
          {
            readTimeout: DDL_TIMEOUT_MS,
          },
        )
      ).rows;
      return [...Object.values(TABLES), ...Object.values(LOCK_TABLES)].every((table) =>
        rows.some((r) => r.get('table_name') === table),
      );
    };
    const wait = (timeoutMs: number) =>
      waitUntil(what, knows, { timeoutMs, signal: this.options.signal, intervalMs: 500 });
    try {
      await wait(SCHEMA_PUSH_MS);
      return;
    } catch (err) {
      if (this.options.signal?.aborted) throw err;
    }
    this.options.log(
      `cassandra: ${node.name} has not learned the tables in ${SCHEMA_PUSH_MS / 1000} s; restarting it, so that it pulls the schema from its peers`,
    );
    await this.kill(node.name);
    // The old daemon must be gone before the new one binds its ports.
    await execOk(
      node.containerId,
      ['sh', '-c', `while pgrep -F ${PATHS.pid} >/dev/null; do sleep 0.1; done`],
      {
        timeoutMs: 30_000,
      },
    );
    await this.startServer(node, { peers: true });
    await wait(START_TIMEOUT_MS);
  }

  private async waitOnEveryNode(
    clients: readonly Client[],
    what: string,
    probe: (client: Client, node: ClusterNode) => Promise<boolean>,
  ): Promise<void> {
    await Promise.all(
      this.nodes.map((node, i) =>
        waitUntil(`${node.name} ${what}`, () => probe(clients[i], node), {
          timeoutMs: START_TIMEOUT_MS,
          signal: this.options.signal,
          intervalMs: 500,
        }),
      ),
    );
  }

  /**
   * Starts the daemon and waits until it listens for CQL clients and, with `peers`, sees every
   * other node up. Only log lines written after the start count, so a restart is judged by its
   * own lines; a daemon that exits meanwhile fails at once with the end of its output.
   */
  private async startServer(node: ClusterNode, want: { peers: boolean }): Promise<void> {
    const before = await this.logEvents(node);
    await execOk(node.containerId, ['cassandra-start']);
    const others = this.nodes.filter((n) => n !== node).map((n) => n.ip);
    let exited: string | undefined;
    await waitUntil(
      want.peers
        ? `${node.name} to serve CQL and see ${others.length} peers up`
        : `${node.name} to serve CQL`,
      async () => {
        const state = readLogEvents((await this.logEvents(node)).slice(before.length));
        if (state.cql && (!want.peers || others.every((ip) => state.up.has(ip)))) return true;
        if (await this.alive(node)) return false;
        const tail = await execIn(node.containerId, ['tail', '-n', '20', PATHS.outputLog, PATHS.systemLog]);
        exited = `cassandra on ${node.name} exited:\n${tail.stdout.trim()}`;
        return true;
      },
      { timeoutMs: START_TIMEOUT_MS, signal: this.options.signal, intervalMs: 1000 },
    );
    if (exited) throw new Error(exited);
  }

  /** The log lines readiness is judged by: CQL listening, peers up and down. */
  private async logEvents(node: ClusterNode): Promise<string[]> {
    const result = await execIn(node.containerId, ['grep', '-E', LOG_EVENTS_PATTERN, PATHS.systemLog]);
    // grep: 1 = no line matched (or no file yet), which is an answer too.
    if (result.exitCode > 1 && !/No such file/.test(result.stderr)) throw new Error(result.stderr.trim());
    return result.stdout.split('\n').filter((line) => line !== '');
  }

  private async alive(node: ClusterNode): Promise<boolean> {
    return (await execIn(node.containerId, ['pgrep', '-F', PATHS.pid])).exitCode === 0;
  }

  /** The node's shared driver client, connected on first use. */
  private clientOf(node: ClusterNode): Promise<Client> {
    const existing = this.clients.get(node.name);
    if (existing) return Promise.resolve(existing);
    return connect(node, this.options.clientTimeoutMs, this.clockOf(node.name)).then((client) => {
      const raced = this.clients.get(node.name);
      if (raced) {
        void client.shutdown().catch(() => undefined);
        return raced;
      }
      this.clients.set(node.name, client);
      return client;
    });
  }

  private clockOf(node: string): SkewedClock | undefined {
    if (!this.options.clockFaults) return undefined;
    let clock = this.clocks.get(node);
    if (!clock) {
      clock = new SkewedClock();
      this.clocks.set(node, clock);
    }
    return clock;
  }

  /** Process `index` talks to node `index mod n`, so processes are spread evenly. */
  private nodeFor(index: number): ClusterNode {
    const node = this.nodes[index % this.nodes.length];
    const bound = this.processes.get(node.name) ?? new Set<number>();
    this.processes.set(node.name, bound.add(index));
    return node;
  }

  /**
   * Sets the clock of `node`'s client, which stamps the writes of every process bound to `node`:
   * its next write carries (host clock + offset), kept monotonic. The server is untouched.
   */
  async setClock(node: string, offsetMs: number): Promise<void> {
    const clock = this.clockOf(this.node(node).name);
    if (!clock) throw new Error('the clients were started without skewable clocks');
    clock.offsetMs = offsetMs;
  }

  /** The processes whose writes `node`'s client stamps. */
  clockProcesses(node: string): number[] {
    return [...(this.processes.get(node) ?? [])].sort((a, b) => a - b);
  }

  async registerClient(index: number, timeoutMs: number): Promise<RegisterClient> {
    const node = this.nodeFor(index);
    return new CassandraRegisterClient(await this.clientOf(node), node.name, this.mode, timeoutMs);
  }

  async setClient(index: number, timeoutMs: number): Promise<SetClient> {
    const node = this.nodeFor(index);
    return new CassandraSetClient(await this.clientOf(node), node.name, this.mode, timeoutMs);
  }

  /** The LWT lease lock, its token counter and the resource it protects, through the process's node. */
  async lockClient(index: number, timeoutMs: number, options: LockClientOptions): Promise<LockClient> {
    const node = this.nodeFor(index);
    return new CassandraLockClient(await this.clientOf(node), newOwner(index), options, node.name, timeoutMs);
  }

  classify(error: unknown, f: string): ErrorVerdict {
    return classifyCassandraError(error, f, this.mode.lwt);
  }

  async kill(node: string): Promise<void> {
    await this.cluster.killProcess(this.node(node).name, ['-F', PATHS.pid]);
  }

  /**
   * Starts the daemon again on its own data and waits until it serves CQL. Not for its peers:
   * a partition may be cutting it off at the same time, and serving is what clients see.
   */
  async restart(node: string): Promise<void> {
    await this.startServer(this.node(node), { peers: false });
  }

  /** Every replica takes writes: there is no primary. */
  async primary(): Promise<string | null> {
    return null;
  }

  /** Copies each node's logs and cassandra.yaml; what cannot be read is noted, not thrown. */
  async collectLogs(dir: string): Promise<void> {
    const files = [PATHS.systemLog, PATHS.debugLog, PATHS.gcLog, PATHS.outputLog, PATHS.config];
    await this.cluster.copyLogs(dir, this.nodes, files);
  }

  /** Closes the driver clients and removes every container and the network. Never throws. */
  async teardown(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(clients.map((client) => client.shutdown()));
    await this.cluster.removeQuietly(this.options.log);
  }
}

const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;
