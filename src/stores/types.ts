import type { ImageRecipe } from '../docker/images.js';
import type { Runtime } from '../docker/runtime.js';
import type { ListAppendStep } from '../generator/list-append.js';
import type { Json } from '../history/types.js';
import type { Grudge } from '../nemesis/grudge.js';
import type { CliValues, OptionTable } from '../options/spec.js';

/**
 * What the orchestrator knows of a store. Like Jepsen's db.clj: a running cluster only has
 * `teardown`; extra abilities (kill, pause, primary, logs) are optional interfaces detected with
 * the type guards below.
 */

/** One container of the cluster, reachable from the host on the run's private network. */
export interface ClusterNode {
  /** n1 .. nN */
  name: string;
  ip: string;
  containerId: string;
  /** The Docker host that holds it, as `--hosts` named it; absent on a local run. */
  host?: string;
}

export interface ClusterOptions {
  /** Unique id of the run; every container and network carries the label dscheck.run=<runId>. */
  runId: string;
  topology: string;
  /** Number of store nodes (n1..nN). */
  nodes: number;
  /** Where a client reads from, when the topology has a choice (primary | replicas | any). */
  readFrom: string;
  /** Progress and diagnostics for the user. */
  log: (message: string) => void;
  /** Aborted when the user interrupts the run: stop waiting, clean up, rethrow. */
  signal?: AbortSignal;
  /**
   * Persist every acknowledged write before answering (Redis: appendonly + fsync always), so a
   * killed and restarted node keeps its data. Off by default: the stores' usual deployments, and
   * what Jepsen tested.
   */
  durable?: boolean;
  /** The clients' operation timeout (`--timeout`): a store sets its server's timeouts below it. */
  timeoutMs?: number;
  /** The store's own options as given (`Store.options`), by attribute; the store reads them typed. */
  storeOptions?: CliValues;
  /** Where the containers go: the local engine unless `--hosts` named the engines of a Swarm. */
  runtime?: Runtime;
  /**
   * The run has clock faults: the clocks the nemesis skews are made skewable (MariaDB: servers
   * start with libfaketime preloaded, src/stores/faketime.ts; Cassandra: the driver clients take a
   * timestamp generator with an offset). Off otherwise: every clock read then looks at a file.
   */
  clockFaults?: boolean;
  /** `--server-option NAME=VALUE` lines for the server's own configuration, checked in shape (server-options.ts). */
  serverOptions?: readonly string[];
}

/** What a store's clusters can do, for the workloads and nemeses that need it. */
export const ABILITIES = [
  'sets',
  'transactions',
  'kill',
  'pause',
  'primary',
  'failover',
  'cache-tier',
  'locks',
  'queues',
  'clock',
] as const;
export type Ability = (typeof ABILITIES)[number];

/** Each ability in words, for the message that refuses a run needing it: "needs a store with ...". */
export const ABILITY_WORDS: Readonly<Record<Ability, string>> = {
  sets: 'sets',
  transactions: 'multi-key transactions',
  kill: 'server processes to kill',
  pause: 'containers to pause',
  primary: 'a primary',
  failover: 'a replaceable primary',
  'cache-tier': 'a cache tier (--workload cache-aside brings one)',
  locks: 'a lease lock',
  queues: 'a queue',
  clock: 'clocks to skew',
};

/** A store's abilities as data: true for every topology, or the topologies that have it. */
export type Abilities = Readonly<Partial<Record<Ability, true | readonly string[]>>>;

/** Whether a cluster of `store` in `topology` has `ability`. */
export function storeCan(store: Pick<Store, 'abilities'>, ability: Ability, topology: string): boolean {
  const has = store.abilities[ability];
  return has === true || has?.includes(topology) === true;
}

/** The cluster shape a run asks for, checked by `Store.validate` before anything starts. */
export interface ClusterShape {
  topology: string;
  readFrom: string;
  nodes: number;
}

/** A client of one logical process for the register workload. One outstanding call at a time. */
export interface RegisterClient {
  /** The node this client talks to (for the history's `node` field), when there is one. */
  readonly node?: string;
  read(key: string): Promise<Json>;
  write(key: string, value: number): Promise<void>;
  /** Atomic on the server: true when the value was `expected` and is now `next`. */
  cas(key: string, expected: number, next: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A client of one logical process for the set workload: adds unique integers to a set per key,
 * reads a whole set. One outstanding call at a time.
 */
export interface SetClient {
  readonly node?: string;
  add(key: string, element: number): Promise<void>;
  /** Every element of the set, in any order. */
  read(key: string): Promise<number[]>;
  close(): Promise<void>;
}

/** A lease lock's grant: a fencing token (grows with each grant) and how long the lease lasts. */
export interface LockGrant {
  token: number;
  leaseMs: number;
}

/**
 * A client of one logical process for the lock workload: a lease lock plus the resource it
 * protects. One outstanding call at a time. The history shape is in src/checker/lock.ts.
 */
export interface LockClient {
  readonly node?: string;
  /** The grant, or null when someone else holds the lock (definitely not granted). */
  acquire(lock: string, leaseMs: number): Promise<LockGrant | null>;
  /** True when the lock was ours under `token` and is now free; false when it no longer was. */
  release(lock: string, token: number): Promise<boolean>;
  /** The protected write: true when the resource accepted it, false when its fence rejected an old token. */
  write(resource: string, token: number, value: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Whether the protected resource checks tokens (fenced) or accepts every write (unfenced). */
export interface LockClientOptions {
  fenced: boolean;
  /** `--lock`: which of the store's implementations; undefined: its first (LOCK_IMPLEMENTATIONS). */
  implementation?: string;
}

/** A message taken from a queue; `ack` tells the queue it was handled (no redelivery after that). */
export interface QueueDelivery {
  message: number;
  ack(): Promise<void>;
}

/**
 * A client of one logical process for the queue workload. Producers enqueue unique integers;
 * consumers dequeue, handle, then acknowledge (at-least-once) or acknowledge on receipt
 * (at-most-once: the delivery comes back already acknowledged). History shape: src/checker/queue.ts.
 */
export interface QueueClient {
  readonly node?: string;
  enqueue(queue: string, message: number): Promise<void>;
  /** The next message (a redelivery of an unacknowledged one first), or null when there is none. */
  dequeue(queue: string): Promise<QueueDelivery | null>;
  /** After healing: takes and acknowledges everything left, delivered or not. */
  drain(queue: string): Promise<number[]>;
  close(): Promise<void>;
}

export type DeliveryMode = 'at-most-once' | 'at-least-once';

/** Redis streams (consumer groups) or a list (a processing list per consumer). */
export type QueueShape = 'streams' | 'list';

export interface QueueClientOptions {
  delivery: DeliveryMode;
  /** The queue's shape, for stores that have more than one (default: streams). */
  queue?: QueueShape;
  /** An unacknowledged message idle this long belongs to a consumer presumed dead: redeliver it. */
  redeliverAfterMs: number;
}

/** How a client error ends an operation: `fail` = definitely no effect, `info` = unknown. */
export interface ErrorVerdict {
  type: 'fail' | 'info';
  /** Short, stable reason: timeout, unavailable, connection-lost, READONLY ... */
  error: string;
}

/** A running cluster. */
export interface Db {
  readonly store: string;
  readonly topology: string;
  readonly nodes: readonly ClusterNode[];
  /** A register client for one process; `index` spreads processes over nodes. */
  registerClient(index: number, timeoutMs: number): Promise<RegisterClient>;
  /** Error classification table of this store, for operation `f`. Reads that err always fail. */
  classify(error: unknown, f: string): ErrorVerdict;
  /** Heals, resumes and removes everything the run created. Never throws. */
  teardown(): Promise<void>;
}

/** Network faults, applied with iptables inside the containers. */
export interface Network {
  /** Drops, on each node, the packets from the nodes the grudge names. Replaces any earlier grudge. */
  partition(grudge: Grudge): Promise<void>;
  /** Drops a share (0..1) of packets arriving at each of `nodes`. */
  loss(nodes: readonly string[], probability: number): Promise<void>;
  /** Removes every partition and loss rule. */
  heal(): Promise<void>;
}

/**
 * Where the clock lives that decides what a store does with time: in the server process (MariaDB's
 * NOW(), skewed with libfaketime), or in the clients (Cassandra's driver stamps every write with
 * its own clock, and last-write-wins compares those stamps).
 */
export type ClockPlace = 'server' | 'clients';

/** A store with a clock of its own per node, which the clock nemesis skews. */
export interface HasClock {
  readonly clockLives: ClockPlace;
  /**
   * Sets `node`'s clock to the host's plus `offsetMs` (0 restores it); takes effect at once. With
   * `clockLives: 'clients'`, the clock of the clients bound to `node`.
   */
  setClock(node: string, offsetMs: number): Promise<void>;
  /** With `clockLives: 'clients'`: the processes whose clock `setClock(node)` skews, for the history. */
  clockProcesses?(node: string): number[];
}

/** A store that offers a lease lock and a resource to protect with it. */
export interface HasLocks {
  lockClient(index: number, timeoutMs: number, options: LockClientOptions): Promise<LockClient>;
}

/** A store that offers a queue. */
export interface HasQueues {
  queueClient(index: number, timeoutMs: number, options: QueueClientOptions): Promise<QueueClient>;
}

/** A store that can hold the set workload's sets. */
export interface HasSets {
  setClient(index: number, timeoutMs: number): Promise<SetClient>;
}

/** SQL isolation levels a transaction client can ask for; absent means the server's default. */
export const ISOLATION_LEVELS = [
  'read-uncommitted',
  'read-committed',
  'repeatable-read',
  'serializable',
] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

export interface TxnOptions {
  isolation?: IsolationLevel;
}

/** Runs list-append transactions (docs/HISTORY-TXN.md): returns the steps with the reads filled in. */
export interface TxnClient {
  readonly node?: string;
  transact(steps: readonly ListAppendStep[]): Promise<ListAppendStep[]>;
  close(): Promise<void>;
}

export interface HasTransactions {
  txnClient(index: number, timeoutMs: number, options?: TxnOptions): Promise<TxnClient>;
}

export interface Killable {
  /** SIGKILL the server process; data on disk is kept. */
  kill(node: string): Promise<void>;
  /** Start the server process again and wait until it serves. */
  restart(node: string): Promise<void>;
}

/**
 * A cluster that comes back from every server crashing at once (a power loss) the way its operator
 * brings it back (Galera: bootstrap from the most advanced node). Without it, `crash-all` restarts
 * every node at once.
 */
export interface CrashRecoverable {
  /** Starts every server again after all were killed; what it did (order, positions), for the history. */
  recoverAll(): Promise<Json>;
}

export interface Pausable {
  pause(node: string): Promise<void>;
  resume(node: string): Promise<void>;
}

export interface HasPrimary {
  /** The node currently acting as primary, if the store has one and it can be told. */
  primary(): Promise<string | null>;
}

export interface HasLogs {
  /** Copies each node's logs into `dir/<node>/`. */
  collectLogs(dir: string): Promise<void>;
}

export interface HasNetwork {
  readonly network: Network;
}

/**
 * A cluster whose primary an operator's tool (orchestrator, MHA) can replace: the `failover`
 * nemesis watches it, promotes a replica and brings old primaries back as replicas.
 */
export interface HasFailover {
  /** Null when this cluster can fail over; otherwise why not, in words for the user. */
  failoverUnsupported(): string | null;
  /** Why the current primary counts as failed from the tool's point of view, or null while it serves. */
  primaryFailure(): Promise<string | null>;
  /** Promotes the most advanced reachable replica and repoints the others; what it did, for the history. */
  promote(reason: string): Promise<Json>;
  /**
   * Repoints nodes that came back (an old primary) to the current primary: one entry per node it
   * touched in `done`, and the nodes still waiting to come back.
   */
  rejoin(): Promise<{ done: Json[]; waiting: string[] }>;
}

/**
 * A cache tier in front of a database (cache-aside): cache nodes that can be restarted empty,
 * flushed, and resharded (the clients' shard map replaced at one instant).
 */
export interface CacheTier {
  /** Every cache node, spares included. */
  readonly cacheNodes: readonly ClusterNode[];
  /** The cache nodes the clients shard over now. */
  readonly shards: readonly string[];
  /** How `restart-cache` restarts them: all, one, rolling. */
  readonly restartMode: string;
  kill(node: string): Promise<void>;
  restart(node: string): Promise<void>;
  flush(node: string): Promise<void>;
  /** Replaces the shard map; what changed (both maps), for the history. */
  reshard(after: readonly string[]): { [field: string]: Json };
}

export const hasCacheTier = (db: Db): db is Db & CacheTier =>
  typeof (db as Partial<CacheTier>).reshard === 'function';
export const hasSets = (db: Db): db is Db & HasSets =>
  typeof (db as Partial<HasSets>).setClient === 'function';
export const hasTransactions = (db: Db): db is Db & HasTransactions =>
  typeof (db as Partial<HasTransactions>).txnClient === 'function';
export const hasClock = (db: Db): db is Db & HasClock =>
  typeof (db as Partial<HasClock>).setClock === 'function';

export const hasLocks = (db: Db): db is Db & HasLocks =>
  typeof (db as Partial<HasLocks>).lockClient === 'function';
export const hasQueues = (db: Db): db is Db & HasQueues =>
  typeof (db as Partial<HasQueues>).queueClient === 'function';
export const isKillable = (db: Db): db is Db & Killable =>
  typeof (db as Partial<Killable>).kill === 'function';
export const isCrashRecoverable = (db: Db): db is Db & CrashRecoverable =>
  typeof (db as Partial<CrashRecoverable>).recoverAll === 'function';
export const isPausable = (db: Db): db is Db & Pausable =>
  typeof (db as Partial<Pausable>).pause === 'function';
export const hasPrimary = (db: Db): db is Db & HasPrimary =>
  typeof (db as Partial<HasPrimary>).primary === 'function';
export const hasLogs = (db: Db): db is Db & HasLogs =>
  typeof (db as Partial<HasLogs>).collectLogs === 'function';
export const hasNetwork = (db: Db): db is Db & HasNetwork =>
  (db as Partial<HasNetwork>).network !== undefined;
export const hasFailover = (db: Db): db is Db & HasFailover =>
  typeof (db as Partial<HasFailover>).promote === 'function';

/** One store: its topologies and how to start a cluster of it. */
export interface Store {
  readonly name: string;
  readonly topologies: readonly string[];
  readonly defaultTopology: string;
  readonly readFromChoices: readonly string[];
  readonly defaultNodes: number;
  /** Topologies whose default differs from `defaultNodes` (mysql single: 1). */
  readonly defaultNodesOf?: Readonly<Record<string, number>>;
  /** The store's own options (`dscheck run` refuses them for other stores). */
  readonly options: OptionTable;
  readonly abilities: Abilities;
  /** A few words per ability on how this store has it, for messages: clock: "the clients' clock". */
  readonly abilityNotes?: Readonly<Partial<Record<Ability, string>>>;
  /** Refuses a shape this store cannot start (a UsageError naming the problem); pure. */
  validate?(shape: ClusterShape): void;
  /** The images its nodes run, for `dscheck images` and `doctor`; `start` builds the missing ones. */
  readonly images?: readonly ImageRecipe[];
  /** Builds missing images (cached by recipe hash), then starts the cluster and waits until it serves. */
  start(options: ClusterOptions): Promise<Db>;
  /** Settings of this topology that decide what clients can observe (timeouts, modes), for test.json. */
  describe?(topology: string): Record<string, Json>;
}
