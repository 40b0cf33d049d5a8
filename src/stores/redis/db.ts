import type { Redis } from 'ioredis';
import { writeFilesIn } from '../../docker/containers.js';
import { execOk } from '../../docker/exec.js';
import { errorText } from '../../docker/log.js';
import { UsageError } from '../../errors.js';
import { ClusterDb } from '../cluster-db.js';
import { newOwner } from '../lock-owner.js';
import { blamedOption, type ServerOption } from '../server-options.js';
import type {
  ClusterNode,
  Db,
  ErrorVerdict,
  HasLocks,
  HasLogs,
  HasNetwork,
  HasPrimary,
  HasQueues,
  HasSets,
  HasTransactions,
  Killable,
  LockClient,
  LockClientOptions,
  Pausable,
  QueueClient,
  QueueClientOptions,
  RegisterClient,
  SetClient,
  TxnClient,
} from '../types.js';
import { waitUntil } from '../wait.js';
import { adminCall, parseInfo } from './admin.js';
import {
  openConnection,
  RedisRegisterClient,
  RedisSetClient,
  type Target,
  type WaitPolicy,
} from './client.js';
import {
  PATHS,
  REDIS_PORT,
  SENTINEL_DEFAULTS,
  SENTINEL_MASTER,
  SENTINEL_PORT,
  sentinelConfig,
  serverConfig,
} from './config.js';
import { classifyRedisError } from './errors.js';
import { RedisLockClient, RedlockClient } from './lock-client.js';
import { RedisListQueueClient, RedisStreamQueueClient } from './queue-client.js';
import { RedisTxnClient } from './txn-client.js';

/** independent: N standalone primaries, no replication (Redlock's setting); other workloads use n1. */
export type RedisTopology = 'replicated' | 'sentinel' | 'independent';
export type ReadFrom = 'primary' | 'replicas';

export interface RedisDbOptions {
  topology: RedisTopology;
  readFrom: ReadFrom;
  durable: boolean;
  /** WAIT for this many replicas after each write (--wait-replicas); none when absent. */
  waitReplicas?: number;
  /** `--server-option` lines for every node's redis.conf. */
  serverOptions?: readonly ServerOption[];
  log: (message: string) => void;
  signal?: AbortSignal;
}

const SERVE_TIMEOUT_MS = 30_000;

/** A running Redis cluster: n1 starts as primary, the others replicate it. */
export class RedisDb
  extends ClusterDb<RedisDbOptions>
  implements
    Db,
    Killable,
    Pausable,
    HasPrimary,
    HasLogs,
    HasNetwork,
    HasSets,
    HasTransactions,
    HasLocks,
    HasQueues
{
  readonly store = 'redis';
  private readonly clients = new Set<Redis>();

  get topology(): RedisTopology {
    return this.options.topology;
  }

  /** Configures and starts every server (and sentinel), and waits until replication is in place. */
  async setup(): Promise<void> {
    const [primary, ...others] = this.nodes;
    const replicas = this.topology === 'independent' ? [] : others;
    await Promise.all(
      this.nodes.map((node) =>
        writeFilesIn(this.cluster.container(node.name), '/', [
          {
            path: PATHS.serverConfig.slice(1),
            content: serverConfig({
              replicaOf: replicas.includes(node) ? primary.ip : undefined,
              durable: this.options.durable,
              serverOptions: this.options.serverOptions,
            }),
          },
          {
            path: PATHS.sentinelConfig.slice(1),
            content: sentinelConfig({
              primaryIp: primary.ip,
              quorum: Math.floor(this.nodes.length / 2) + 1,
              ...SENTINEL_DEFAULTS,
            }),
          },
        ]),
      ),
    );
    await Promise.all(this.nodes.map((node) => this.startServer(node)));
    await Promise.all(
      replicas.map((node) =>
        this.waitFor(`${node.name} to sync with ${primary.name}`, async () => {
          const info = parseInfo(String(await adminCall(node.ip, REDIS_PORT, ['INFO', 'replication'])));
          return info.get('master_link_status') === 'up';
        }),
      ),
    );
    if (this.topology === 'sentinel') await this.startSentinels();
  }

  private async startSentinels(): Promise<void> {
    const others = this.nodes.length - 1;
    await Promise.all(
      this.nodes.map((node) => execOk(node.containerId, ['redis-sentinel', PATHS.sentinelConfig])),
    );
    // Failover needs every sentinel to know the replicas and its peers (they meet via hello messages).
    await Promise.all(
      this.nodes.map((node) =>
        this.waitFor(
          `sentinel on ${node.name} to see ${others} replicas and ${others} sentinels`,
          async () => {
            const [replicas, sentinels] = await Promise.all([
              adminCall(node.ip, SENTINEL_PORT, ['SENTINEL', 'REPLICAS', SENTINEL_MASTER]),
              adminCall(node.ip, SENTINEL_PORT, ['SENTINEL', 'SENTINELS', SENTINEL_MASTER]),
            ]);
            return (replicas as unknown[]).length === others && (sentinels as unknown[]).length === others;
          },
        ),
      ),
    );
  }

  private async startServer(node: ClusterNode): Promise<void> {
    // redis-server checks its whole config before it forks: a directive it refuses fails here.
    await execOk(node.containerId, ['redis-server', PATHS.serverConfig]).catch((err: unknown) => {
      const blamed = blamedOption(errorText(err), this.options.serverOptions ?? []);
      if (blamed)
        throw new UsageError(
          `redis refused --server-option ${blamed.name}=${blamed.value}: ${errorText(err)}`,
        );
      throw err;
    });
    await this.waitFor(`redis-server on ${node.name} to answer PING`, async () => {
      return (await adminCall(node.ip, REDIS_PORT, ['PING'])) === 'PONG';
    });
  }

  async registerClient(index: number, timeoutMs: number): Promise<RegisterClient> {
    const { writer, reader, nodeOf } = await this.connections(index, timeoutMs);
    return new RedisRegisterClient(writer, reader, nodeOf, this.waitPolicy(timeoutMs));
  }

  /** Sets on the same connections as registers: SADD to the primary, SMEMBERS where reads go. */
  async setClient(index: number, timeoutMs: number): Promise<SetClient> {
    const { writer, reader, nodeOf } = await this.connections(index, timeoutMs);
    return new RedisSetClient(writer, reader, nodeOf, this.waitPolicy(timeoutMs));
  }

  /** List-append transactions on the same connections: MULTI/EXEC on the primary, read-only ones where reads go. */
  async txnClient(index: number, timeoutMs: number): Promise<TxnClient> {
    const { writer, reader, nodeOf } = await this.connections(index, timeoutMs);
    return new RedisTxnClient(writer, reader, nodeOf, this.waitPolicy(timeoutMs));
  }

  /**
   * The single-instance lease lock, its token counter and the resource it protects, on the primary;
   * or Redlock over every node (`--lock redlock`, the default of the independent topology).
   */
  async lockClient(index: number, timeoutMs: number, options: LockClientOptions): Promise<LockClient> {
    const redlock =
      options.implementation === 'redlock' ||
      (options.implementation === undefined && this.topology === 'independent');
    if (redlock) {
      const connections = await Promise.all(
        this.nodes.map((node) => openConnection({ kind: 'node', node }, timeoutMs)),
      );
      for (const connection of connections) this.track(connection);
      return new RedlockClient(connections, newOwner(index), options);
    }
    const { writer, nodeOf } = await this.connections(index, timeoutMs);
    return new RedisLockClient(writer, newOwner(index), options, nodeOf(writer));
  }

  /** A stream (or a list) on the primary; each process is one consumer of the stream's group. */
  async queueClient(index: number, timeoutMs: number, options: QueueClientOptions): Promise<QueueClient> {
    const { writer, nodeOf } = await this.connections(index, timeoutMs);
    const Client = options.queue === 'list' ? RedisListQueueClient : RedisStreamQueueClient;
    return new Client(writer, `c${index}`, options, nodeOf(writer));
  }

  /** WAIT gets half the operation's timeout, so a shortfall is told apart from a write that hung. */
  private waitPolicy(timeoutMs: number): WaitPolicy | undefined {
    const replicas = this.options.waitReplicas;
    return replicas === undefined
      ? undefined
      : { replicas, timeoutMs: Math.max(1, Math.floor(timeoutMs / 2)) };
  }

  /** A process's writer (the primary) and reader (per --read-from), and how to name a connection's node. */
  private async connections(
    index: number,
    timeoutMs: number,
  ): Promise<{ writer: Redis; reader: Redis; nodeOf: (connection: Redis) => string | undefined }> {
    const readFromReplicas = this.options.readFrom === 'replicas' && this.nodes.length > 1;
    const target = (role: 'master' | 'slave'): Target => {
      if (this.topology === 'sentinel') return { kind: 'sentinel', role, sentinels: this.nodes, index };
      const replicas = this.nodes.slice(1);
      return { kind: 'node', node: role === 'master' ? this.nodes[0] : replicas[index % replicas.length] };
    };
    const writer = await openConnection(target('master'), timeoutMs);
    const reader = readFromReplicas ? await openConnection(target('slave'), timeoutMs) : writer;
    for (const connection of [writer, reader]) this.track(connection);
    const byIp = new Map(this.nodes.map((n) => [n.ip, n.name]));
    const fixed = target(readFromReplicas ? 'slave' : 'master');
    const nodeOf = (connection: Redis) =>
      fixed.kind === 'node' ? fixed.node.name : byIp.get(connection.stream?.remoteAddress ?? '');
    return { writer, reader, nodeOf };
  }

  /** Closed at teardown unless it ended before. */
  private track(connection: Redis): void {
    this.clients.add(connection);
    connection.once('end', () => this.clients.delete(connection));
  }

  classify(error: unknown, f: string): ErrorVerdict {
    return classifyRedisError(error, f);
  }

  async kill(node: string): Promise<void> {
    await this.cluster.killProcess(this.node(node).name, ['-F', PATHS.serverPid]);
  }

  /** Starts the server with its own config file and data directory again, and waits until it serves. */
  async restart(node: string): Promise<void> {
    await this.startServer(this.node(node));
  }

  /**
   * Sentinel: the node a majority of the sentinels name as primary (during a failover they
   * disagree for a moment: then null). Replicated: the first node whose ROLE is master.
   */
  async primary(): Promise<string | null> {
    const byIp = new Map(this.nodes.map((n) => [n.ip, n.name]));
    if (this.topology === 'sentinel') {
      const answers = await Promise.allSettled(
        this.nodes.map((n) =>
          adminCall(n.ip, SENTINEL_PORT, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER], 1000),
        ),
      );
      const votes = new Map<string, number>();
      for (const answer of answers) {
        if (answer.status !== 'fulfilled' || !Array.isArray(answer.value)) continue;
        const name = byIp.get(String(answer.value[0]));
        if (name) votes.set(name, (votes.get(name) ?? 0) + 1);
      }
      const majority = Math.floor(this.nodes.length / 2) + 1;
      return [...votes].find(([, count]) => count >= majority)?.[0] ?? null;
    }
    const roles = await Promise.allSettled(
      this.nodes.map((n) => adminCall(n.ip, REDIS_PORT, ['ROLE'], 1000)),
    );
    const index = roles.findIndex(
      (r) => r.status === 'fulfilled' && Array.isArray(r.value) && r.value[0] === 'master',
    );
    return index >= 0 ? this.nodes[index].name : null;
  }

  /** Copies each node's server and sentinel logs and config files; what cannot be read is noted, not thrown. */
  async collectLogs(dir: string): Promise<void> {
    const files: string[] = [PATHS.serverLog, PATHS.serverConfig];
    if (this.topology === 'sentinel') files.push(PATHS.sentinelLog, PATHS.sentinelConfig);
    await this.cluster.copyLogs(dir, this.nodes, files);
  }

  /** Closes clients and removes every container and the network (paused ones too). Never throws. */
  async teardown(): Promise<void> {
    for (const connection of this.clients) connection.disconnect();
    this.clients.clear();
    await this.cluster.removeQuietly(this.options.log);
  }

  private waitFor(what: string, probe: () => Promise<boolean>): Promise<void> {
    return waitUntil(what, probe, { timeoutMs: SERVE_TIMEOUT_MS, signal: this.options.signal });
  }
}
