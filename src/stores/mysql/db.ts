import type { Connection } from 'mysql2/promise';
import type { DockerCluster } from '../../docker/cluster.js';
import { writeFilesIn } from '../../docker/containers.js';
import { execIn, execOk } from '../../docker/exec.js';
import { errorText } from '../../docker/log.js';
import { UsageError } from '../../errors.js';
import type { Json } from '../../history/types.js';
import { ClusterDb } from '../cluster-db.js';
import { faketimeCommand, faketimeEnvironment } from '../faketime.js';
import { newOwner } from '../lock-owner.js';
import { blamedOption, type ServerOption } from '../server-options.js';
import type {
  ClusterNode,
  CrashRecoverable,
  Db,
  ErrorVerdict,
  HasClock,
  HasFailover,
  HasLocks,
  HasLogs,
  HasNetwork,
  HasPrimary,
  HasSets,
  HasTransactions,
  IsolationLevel,
  Killable,
  LockClient,
  LockClientOptions,
  Pausable,
  RegisterClient,
  SetClient,
  TxnClient,
  TxnOptions,
} from '../types.js';
import { waitUntil } from '../wait.js';
import {
  ADMIN,
  adminQuery,
  adminVariables,
  gtidPositions,
  type ReplicaStatus,
  replicaStatus,
} from './admin.js';
import { type Account, Link, MysqlRegisterClient, MysqlSetClient, type Route } from './client.js';
import { MYSQL_PORT, type MysqlTopology, PATHS, serverConfig, tableNames } from './config.js';
import { classifyMysqlError } from './errors.js';
import {
  chooseBootstrap,
  type GaleraPosition,
  markSafeToBootstrap,
  parseGrastate,
  parseRecoveredPosition,
} from './galera-recovery.js';
import { choosePromotion, parseGtidPosition } from './gtid.js';
import { CLIENT_USER, DATABASE, PASSWORD } from './image.js';
import { LOCK_TABLES_DDL, MysqlLeaseLockClient, MysqlLockClient } from './lock-client.js';
import { MysqlTxnClient } from './txn-client.js';

export type ReadFrom = 'primary' | 'replicas' | 'any';

export interface MysqlDbOptions {
  runId: string;
  topology: MysqlTopology;
  readFrom: ReadFrom;
  semiSyncTimeoutMs: number;
  /** `--isolation`: every transaction's level, over what the workload preset asks for. */
  isolation?: IsolationLevel;
  /** `--server-option` lines for every node's [mysqld]. */
  serverOptions?: readonly ServerOption[];
  /** Start every server under libfaketime, so the clock nemesis can skew it. */
  clockFaults?: boolean;
  log: (message: string) => void;
  signal?: AbortSignal;
}

const CLIENT: Account = { user: CLIENT_USER, password: PASSWORD };
/** A server starts in a second or two; a Galera joiner copies the donor's data (rsync) first. */
const SERVE_TIMEOUT_MS = 60_000;
/** How long a rejoined old primary is watched for replication to run or to stop with an error. */
const REJOIN_WATCH_MS = 5_000;
const GRASTATE = `${PATHS.dataDir}/grastate.dat`;
/** Where `mariadbd --wsrep-recover` writes the position it recovered (its own log, not the server's). */
const RECOVER_LOG = '/var/log/mysql/wsrep-recover.log';

/**
 * A running MariaDB cluster. async/semisync: n1 starts as primary and the others replicate it by
 * GTID; which node is primary is this object's pointer (`currentPrimary`), moved only by a
 * promotion, as an operator's tool moves a VIP or a proxy's writer. galera: every node takes
 * reads and writes; there is no primary.
 */
export class MysqlDb
  extends ClusterDb<MysqlDbOptions>
  implements
    Db,
    Killable,
    CrashRecoverable,
    Pausable,
    HasClock,
    HasPrimary,
    HasLogs,
    HasNetwork,
    HasSets,
    HasFailover,
    HasTransactions,
    HasLocks
{
  readonly store = 'mysql';
  /** MariaDB's NOW() is the server's: libfaketime skews mariadbd. */
  readonly clockLives = 'server';
  private readonly connections = new Set<Connection>();
  private readonly tables: { registers: string; sets: string; lists: string };
  private currentPrimary: string;
  /** Old primaries to bring back as replicas of the current primary once they are reachable. */
  private readonly pendingRejoin = new Set<string>();

  constructor(cluster: DockerCluster, options: MysqlDbOptions) {
    super(cluster, options);
    this.tables = tableNames(options.runId);
    this.currentPrimary = cluster.nodes[0].name;
  }

  get topology(): MysqlTopology {
    return this.options.topology;
  }

  private get galera(): boolean {
    return this.topology === 'galera';
  }

  /** Configures and starts every server, sets up replication (or the Galera cluster) and the run's tables. */
  async setup(): Promise<void> {
    await Promise.all(
      this.nodes.map((node, i) =>
        writeFilesIn(this.cluster.container(node.name), '/', [
          {
            path: PATHS.config.slice(1),
            content: serverConfig({
              topology: this.topology,
              serverId: i + 1,
              nodeName: node.name,
              nodeIp: node.ip,
              clusterIps: this.nodes.map((n) => n.ip),
              // Every replication node starts read-only (a restarted old primary must not take
              // writes); the primary is made writable at run time, as an operator's tool does.
              readOnly: !this.galera,
              semiSyncTimeoutMs: this.options.semiSyncTimeoutMs,
              serverOptions: this.options.serverOptions,
            }),
          },
        ]),
      ),
    );
    // Every clock starts right; a restarted server keeps whatever offset the nemesis set.
    if (this.options.clockFaults) await Promise.all(this.nodes.map((node) => this.setClock(node.name, 0)));
    if (this.galera) await this.setupGalera();
    else await this.setupReplication();
    await this.createTables();
  }

  private async setupGalera(): Promise<void> {
    const [first, ...joiners] = this.nodes;
    await this.startServer(first, ['--wsrep-new-cluster']);
    await this.waitForGalera(first, 1);
    await Promise.all(joiners.map((node) => this.startServer(node)));
    await Promise.all(this.nodes.map((node) => this.waitForGalera(node, this.nodes.length)));
  }

  private async setupReplication(): Promise<void> {
    const [primary, ...replicas] = this.nodes;
    await Promise.all(this.nodes.map((node) => this.startServer(node)));
    await adminQuery(primary, 'SET GLOBAL read_only = 0');
    await Promise.all(replicas.map((node) => this.replicate(node, primary, 'slave_pos')));
    await Promise.all(
      replicas.map((node) =>
        this.waitFor(`${node.name} to replicate from ${primary.name}`, async () => {
          const status = await replicaStatus(node);
          if (status?.lastIoError || status?.lastSqlError)
            throw new Error(status.lastIoError || status.lastSqlError);
          return status?.ioRunning === 'Yes' && status.sqlRunning === 'Yes';
        }),
      ),
    );
    if (this.topology === 'semisync') {
      // Until the replicas have registered as semi-sync, the first commit waits out the timeout.
      await this.waitFor(`${replicas.length} semi-sync replicas on ${primary.name}`, async () => {
        const status = await adminVariables(primary, "SHOW STATUS LIKE 'Rpl_semi_sync_master_clients'");
        return Number(status.get('Rpl_semi_sync_master_clients')) === replicas.length;
      });
    }
  }

  private async createTables(): Promise<void> {
    const writer = this.galera ? this.nodes[0] : this.primaryNode();
    await adminQuery(writer, [
      `CREATE TABLE ${DATABASE}.${this.tables.registers} (k VARCHAR(64) NOT NULL PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB`,
      `CREATE TABLE ${DATABASE}.${this.tables.sets} (k VARCHAR(64) NOT NULL, element BIGINT NOT NULL, PRIMARY KEY (k, element)) ENGINE=InnoDB`,
      `CREATE TABLE ${DATABASE}.${this.tables.lists} (k VARCHAR(64) NOT NULL PRIMARY KEY, v TEXT NOT NULL) ENGINE=InnoDB`,
      ...LOCK_TABLES_DDL,
    ]);
    await Promise.all(
      this.nodes.map((node) =>
        this.waitFor(`the run's tables on ${node.name}`, async () => {
          await adminQuery(node, `SELECT 1 FROM ${DATABASE}.${this.tables.sets} LIMIT 0`);
          return true;
        }),
      ),
    );
  }

  /**
   * Starts mariadbd in the background with the node's own config and data directory. Not through
   * mysqld_safe, which would restart a server the nemesis killed. A server that exits instead of
   * answering refused its configuration: the error log's lines say why (a `--server-option` it
   * does not know is a usage error).
   */
  private async startServer(node: ClusterNode, extra: readonly string[] = []): Promise<void> {
    const faketime = this.options.clockFaults
      ? ['env', ...Object.entries(faketimeEnvironment(false)).map(([name, value]) => `${name}=${value}`)]
      : [];
    await execOk(node.containerId, [
      ...faketime,
      'start-stop-daemon',
      '--start',
      '--background',
      '--exec',
      '/usr/sbin/mariadbd',
      '--',
      `--defaults-file=${PATHS.config}`,
      ...extra,
    ]);
    let stopped = false;
    await this.waitFor(`mariadbd on ${node.name} to answer`, async () => {
      try {
        await adminQuery(node, 'SELECT 1', 1000);
        return true;
      } catch (err) {
        stopped = !(await this.serverRunning(node));
        if (stopped) return true;
        throw err;
      }
    });
    if (stopped) throw await this.startupFailure(node);
  }

  private async serverRunning(node: ClusterNode): Promise<boolean> {
    return (await execIn(node.containerId, ['pgrep', '-x', 'mariadbd'])).exitCode === 0;
  }

  /** Why a server stopped at start-up, from its error log: a UsageError when a --server-option is to blame. */
  private async startupFailure(node: ClusterNode): Promise<Error> {
    const tail = await execIn(node.containerId, ['tail', '-n', '30', PATHS.errorLog]).catch(() => null);
    const errors = (tail?.stdout ?? '')
      .split('\n')
      .filter((line) => /\[ERROR\]/.test(line))
      .map((line) => line.replace(/^.*?\[ERROR\]\s*/, ''));
    const reason = errors.length > 0 ? errors.join('; ') : 'no [ERROR] line in its log';
    const blamed = blamedOption(reason, this.options.serverOptions ?? []);
    if (blamed) {
      return new UsageError(
        `mysql refused --server-option ${blamed.name}=${blamed.value}: ${reason} (MariaDB 10.11's server variables are the valid names)`,
      );
    }
    return new Error(
      `mariadbd on ${node.name} stopped at start-up: ${reason}; its log is in the run folder, nodes/${node.name}/error.log`,
    );
  }

  /** Waits until the node is Synced in a Primary component of `size` nodes. */
  private waitForGalera(node: ClusterNode, size: number): Promise<void> {
    return this.waitFor(`${node.name} to be synced in a Galera cluster of ${size}`, async () => {
      const status = await adminVariables(node, "SHOW STATUS LIKE 'wsrep_%'", 1000);
      return (
        status.get('wsrep_cluster_status') === 'Primary' &&
        Number(status.get('wsrep_cluster_size')) === size &&
        status.get('wsrep_ready') === 'ON' &&
        status.get('wsrep_local_state_comment') === 'Synced'
      );
    });
  }

  /** Points `node` at `primary` by GTID: slave_pos for replicas, current_pos for an old primary. */
  private async replicate(
    node: ClusterNode,
    primary: ClusterNode,
    from: 'slave_pos' | 'current_pos',
  ): Promise<void> {
    await adminQuery(node, [
      'STOP SLAVE',
      `CHANGE MASTER TO MASTER_HOST = '${primary.ip}', MASTER_PORT = ${MYSQL_PORT}, MASTER_USER = '${ADMIN.user}', MASTER_PASSWORD = '${ADMIN.password}', MASTER_USE_GTID = ${from}, MASTER_CONNECT_RETRY = 1`,
      'START SLAVE',
    ]);
  }

  async registerClient(index: number, timeoutMs: number): Promise<RegisterClient> {
    return new MysqlRegisterClient(this.tables.registers, this.route(index), CLIENT, timeoutMs, this.track);
  }

  async setClient(index: number, timeoutMs: number): Promise<SetClient> {
    return new MysqlSetClient(this.tables.sets, this.route(index), CLIENT, timeoutMs, this.track);
  }

  async txnClient(index: number, timeoutMs: number, options?: TxnOptions): Promise<TxnClient> {
    const isolation = this.options.isolation ?? options?.isolation;
    return new MysqlTxnClient(this.tables.lists, this.route(index), CLIENT, timeoutMs, this.track, {
      ...options,
      isolation,
    });
  }

  /**
   * GET_LOCK (or `--lock mysql-lease`, a lease row) on the primary, with its token counter and the
   * resource it protects. The session holds GET_LOCK's lock: a client stays on the node it
   * connected to until an error drops the connection, so after a failover holders on the old
   * primary and on the new one can coexist.
   */
  async lockClient(index: number, timeoutMs: number, options: LockClientOptions): Promise<LockClient> {
    const link = new Link(this.route(index).writer, CLIENT, timeoutMs, this.track);
    return options.implementation === 'mysql-lease'
      ? new MysqlLeaseLockClient(link, options, newOwner(index))
      : new MysqlLockClient(link, options);
  }

  /** Rewrites the node's libfaketime offset file: its server's clock jumps at once. */
  async setClock(node: string, offsetMs: number): Promise<void> {
    if (!this.options.clockFaults) throw new Error('the servers were started without libfaketime');
    await execOk(this.node(node).containerId, faketimeCommand(offsetMs));
  }

  private readonly track = (connection: Connection, open: boolean): void => {
    if (open) this.connections.add(connection);
    else this.connections.delete(connection);
  };

  /**
   * Galera: each process reads and writes on its own node. Replication: writes go to the current
   * primary; reads to it, to a replica, or to any node, by `--read-from`.
   */
  private route(index: number): Route {
    if (this.galera) {
      const own = this.nodes[index % this.nodes.length];
      return { writer: () => own, reader: () => own, shared: true };
    }
    const writer = () => this.primaryNode();
    switch (this.options.readFrom) {
      case 'primary':
        return { writer, reader: writer, shared: true };
      case 'any':
        return { writer, reader: () => this.nodes[index % this.nodes.length], shared: false };
      case 'replicas':
        return {
          writer,
          reader: () => {
            const replicas = this.nodes.filter((n) => n.name !== this.currentPrimary);
            return replicas.length > 0 ? replicas[index % replicas.length] : writer();
          },
          shared: false,
        };
    }
  }

  classify(error: unknown, f: string): ErrorVerdict {
    return classifyMysqlError(error, f);
  }

  async kill(node: string): Promise<void> {
    await this.cluster.killProcess(this.node(node).name, ['-x', 'mariadbd']);
    // The signal is sent, not yet delivered: return once the process is gone, so a client's next
    // connection finds nothing listening rather than a dying server.
    await this.waitFor(`mariadbd on ${node} to die`, async () => {
      return (await execIn(this.node(node).containerId, ['pgrep', '-x', 'mariadbd'])).exitCode === 1;
    });
  }

  /**
   * Starts the server again with its data directory and config. A Galera node joins the running
   * cluster (never bootstraps a new one); a replica resumes replication by itself; the current
   * primary is made writable again (its config starts it read-only).
   */
  async restart(node: string): Promise<void> {
    const target = this.node(node);
    await this.startServer(target);
    if (this.galera) {
      await this.waitFor(`${node} to rejoin the Galera cluster`, async () => {
        const status = await adminVariables(target, "SHOW STATUS LIKE 'wsrep_ready'", 1000);
        return status.get('wsrep_ready') === 'ON';
      });
    } else if (node === this.currentPrimary) {
      await adminQuery(target, 'SET GLOBAL read_only = 0');
    }
  }

  /**
   * After every server was killed: Galera is bootstrapped again from its most advanced node
   * (galera-recovery.ts); replication starts the primary first, then the replicas, which resume
   * from their own positions.
   */
  async recoverAll(): Promise<Json> {
    if (!this.galera) {
      await this.restart(this.currentPrimary);
      const replicas = this.nodes.filter((n) => n.name !== this.currentPrimary).map((n) => n.name);
      await Promise.all(replicas.map((name) => this.restart(name)));
      return { order: [this.currentPrimary, ...replicas] };
    }
    const recovered = await Promise.all(this.nodes.map((node) => this.recoverPosition(node)));
    const positions = Object.fromEntries(recovered.map((r) => [r.node, r.position]));
    const chosen = chooseBootstrap(positions);
    if (chosen === null) {
      throw new Error(
        `no Galera node knows its position after the crash (${recovered.map((r) => `${r.node}: ${r.how}`).join(', ')})`,
      );
    }
    const startAt = (name: string) => {
      const position = positions[name];
      return position && position.seqno >= 0
        ? [`--wsrep_start_position=${position.uuid}:${position.seqno}`]
        : [];
    };
    const bootstrap = this.node(chosen);
    const grastate = await execOk(bootstrap.containerId, ['cat', GRASTATE]);
    await writeFilesIn(this.cluster.container(chosen), '/', [
      { path: GRASTATE.slice(1), content: markSafeToBootstrap(grastate.stdout) },
    ]);
    await execOk(bootstrap.containerId, ['chown', 'mysql:mysql', GRASTATE]);
    await this.startServer(bootstrap, ['--wsrep-new-cluster', ...startAt(chosen)]);
    await this.waitForGalera(bootstrap, 1);
    const joiners = this.nodes.filter((n) => n !== bootstrap);
    await Promise.all(joiners.map((node) => this.startServer(node, startAt(node.name))));
    await Promise.all(this.nodes.map((node) => this.waitForGalera(node, this.nodes.length)));
    const seqnos = Object.fromEntries(recovered.map((r) => [r.node, r.position?.seqno ?? null]));
    const from = Object.fromEntries(recovered.map((r) => [r.node, r.how]));
    this.options.log(
      `crash-all: bootstrapped Galera from ${chosen} (seqnos ${recovered.map((r) => `${r.node} ${r.position?.seqno ?? '?'}`).join(', ')})`,
    );
    return { bootstrapped: chosen, seqnos, from };
  }

  /** A stopped Galera node's last committed position: grastate.dat after a clean stop, else --wsrep-recover. */
  private async recoverPosition(
    node: ClusterNode,
  ): Promise<{ node: string; position: GaleraPosition | null; how: string }> {
    const state = parseGrastate((await execIn(node.containerId, ['cat', GRASTATE])).stdout);
    if (state && state.seqno >= 0) return { node: node.name, position: state, how: 'grastate.dat' };
    const result = await execIn(
      node.containerId,
      [
        'bash',
        '-c',
        `rm -f "$1"; /usr/sbin/mariadbd --defaults-file="$0" --wsrep-recover --log-error="$1"; cat "$1"`,
        PATHS.config,
        RECOVER_LOG,
      ],
      { timeoutMs: SERVE_TIMEOUT_MS },
    );
    const position = parseRecoveredPosition(result.stdout);
    return { node: node.name, position, how: position ? 'wsrep-recover' : 'unknown' };
  }

  /** The node the clients' writes go to now; Galera has none. */
  async primary(): Promise<string | null> {
    return this.galera ? null : this.currentPrimary;
  }

  failoverUnsupported(): string | null {
    return this.galera
      ? 'mysql galera has no primary to fail over (every node takes writes); use --topology async or semisync'
      : null;
  }

  /**
   * The operator tool's view of the primary: failed when it does not answer (killed, paused), or
   * when every replica that replicates from it has lost its connection to it, as orchestrator
   * decides a primary is dead. The tool sees the network as the replicas do: the host itself can
   * still reach a partitioned primary, but the tool is deemed to stand with the majority.
   */
  async primaryFailure(): Promise<string | null> {
    const primary = this.primaryNode();
    try {
      await adminQuery(primary, 'SELECT 1', 1000);
    } catch (err) {
      return `${primary.name} does not answer (${classifyMysqlError(err, 'read').error})`;
    }
    const statuses = await Promise.allSettled(
      this.nodes.filter((n) => n !== primary).map((n) => replicaStatus(n, 1000)),
    );
    const watching = statuses
      .filter((s): s is PromiseFulfilledResult<ReplicaStatus | null> => s.status === 'fulfilled')
      .map((s) => s.value)
      .filter((s): s is ReplicaStatus => s !== null && s.masterHost === primary.ip);
    if (watching.length > 0 && watching.every((s) => s.ioRunning !== 'Yes')) {
      return `no replica is connected to ${primary.name}`;
    }
    return null;
  }

  /**
   * Promotes the most advanced reachable replica: it applies what it received, stops replicating
   * and becomes writable; the clients' new connections go to it; the other reachable replicas
   * follow it. The old primary is left alone (the tool cannot reach it) until `rejoin`.
   */
  async promote(reason: string): Promise<Json> {
    const old = this.primaryNode();
    const observed = await Promise.allSettled(
      this.nodes
        .filter((n) => n !== old)
        .map(async (node) => ({ node, status: await replicaStatus(node, 1000) })),
    );
    const reachable = observed
      .filter((o) => o.status === 'fulfilled')
      .map((o) => o.value)
      .filter((o): o is { node: ClusterNode; status: ReplicaStatus } => o.status !== null);
    const received = Object.fromEntries(reachable.map((r) => [r.node.name, r.status.gtidIoPos]));
    const chosen = choosePromotion(
      reachable.map((r) => ({
        node: r.node.name,
        received: r.status.gtidIoPos,
        replicating: r.status.masterHost === old.ip && r.status.sqlRunning === 'Yes',
      })),
    );
    if (chosen === null) throw new Error(`no reachable replica to promote in place of ${old.name}`);
    const target = this.node(chosen);
    // The position goes into SQL text: it must be a GTID list and nothing else.
    parseGtidPosition(received[chosen]);
    const [wait] = await adminQuery(
      target,
      `SELECT MASTER_GTID_WAIT('${received[chosen]}', 5) AS waited`,
      7000,
    );
    await adminQuery(target, ['STOP SLAVE', 'RESET SLAVE ALL', 'SET GLOBAL read_only = 0']);
    this.currentPrimary = chosen;
    this.pendingRejoin.add(old.name);
    this.pendingRejoin.delete(chosen);
    const repointed: string[] = [];
    const notRepointed: Record<string, string> = {};
    for (const { node } of reachable.filter((r) => r.node !== target)) {
      try {
        await this.replicate(node, target, 'slave_pos');
        repointed.push(node.name);
      } catch (err) {
        notRepointed[node.name] = errorText(err);
        this.pendingRejoin.add(node.name);
      }
    }
    const value = {
      from: old.name,
      to: chosen,
      reason,
      received,
      applied: (await gtidPositions(target).catch(() => ({}))) as Json,
      caughtUp: Number(wait?.waited) === 0,
      repointed,
      ...(Object.keys(notRepointed).length > 0 ? { notRepointed } : {}),
    };
    this.options.log(`failover: promoted ${chosen} in place of ${old.name} (${reason})`);
    return value;
  }

  /**
   * Brings back nodes that are not following the current primary (an old primary after healing
   * or restarting) once the current primary can reach them: read-only first, so clients still
   * connected to it get refused and reconnect to the current primary; then replication from the
   * current primary at the node's own GTID position. Its own unreplicated writes (errant
   * transactions) either break replication or stay: what happened is returned, not hidden.
   */
  async rejoin(): Promise<{ done: Json[]; waiting: string[] }> {
    const done: Json[] = [];
    const primary = this.primaryNode();
    for (const name of [...this.pendingRejoin]) {
      const node = this.node(name);
      if (
        this.cluster.isPaused(name) ||
        this.cluster.isPaused(primary.name) ||
        !(await this.reaches(primary, node))
      )
        continue;
      try {
        await adminQuery(node, 'SELECT 1', 1000);
      } catch {
        continue;
      }
      const before = await gtidPositions(node);
      const primaryPosition = await gtidPositions(primary);
      await adminQuery(node, 'SET GLOBAL read_only = 1');
      await this.replicate(node, primary, 'current_pos');
      let status: ReplicaStatus | null = null;
      const until = performance.now() + REJOIN_WATCH_MS;
      while (performance.now() < until) {
        status = await replicaStatus(node).catch(() => null);
        if (status && (status.lastIoError || status.lastSqlError)) break;
        if (status?.ioRunning === 'Yes' && status.sqlRunning === 'Yes') break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      this.pendingRejoin.delete(name);
      const entry = {
        node: name,
        primary: primary.name,
        positions: { [name]: before, [primary.name]: primaryPosition },
        replicating: status?.ioRunning === 'Yes' && status.sqlRunning === 'Yes',
        io: status?.ioRunning ?? 'unknown',
        sql: status?.sqlRunning ?? 'unknown',
        ...(status?.lastIoError ? { ioError: status.lastIoError } : {}),
        ...(status?.lastSqlError ? { sqlError: status.lastSqlError } : {}),
      };
      this.options.log(
        `failover: ${name} rejoined as a replica of ${primary.name}: ${entry.replicating ? 'replicating' : `replication stopped: ${entry.ioError ?? entry.sqlError ?? `io ${entry.io}, sql ${entry.sql}`}`}`,
      );
      done.push(entry);
    }
    return { done, waiting: [...this.pendingRejoin] };
  }

  /** Whether `from` can open a TCP connection to `to`'s server: the network as the nodes see it. */
  private async reaches(from: ClusterNode, to: ClusterNode): Promise<boolean> {
    const result = await execIn(
      from.containerId,
      ['timeout', '1', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', to.ip, String(MYSQL_PORT)],
      { timeoutMs: 5000 },
    ).catch(() => null);
    return result?.exitCode === 0;
  }

  /** Copies each node's error and slow logs (and the general log, if on) and its config. */
  async collectLogs(dir: string): Promise<void> {
    const files: string[] = [PATHS.errorLog, PATHS.slowLog, PATHS.generalLog, PATHS.config];
    if (this.galera) files.push(`${PATHS.dataDir}/grastate.dat`);
    await this.cluster.copyLogs(dir, this.nodes, files);
  }

  /** Closes clients and removes every container and the network (paused ones too). Never throws. */
  async teardown(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
    await this.cluster.removeQuietly(this.options.log);
  }

  private primaryNode(): ClusterNode {
    return this.node(this.currentPrimary);
  }

  private waitFor(what: string, probe: () => Promise<boolean>): Promise<void> {
    return waitUntil(what, probe, {
      timeoutMs: SERVE_TIMEOUT_MS,
      signal: this.options.signal,
      intervalMs: 100,
    });
  }
}
