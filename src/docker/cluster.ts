import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type Docker from 'dockerode';
import type { ClusterNode, Network } from '../stores/types.js';
import { forgetContainer, placeContainer } from './exec.js';
import { IptablesNetwork } from './iptables.js';
import { LABEL, type Labels, runLabels } from './labels.js';
import { debug, errorText } from './log.js';
import type { RunNetwork } from './networks.js';
import { localRuntime, type PlacedNode, type Runtime } from './runtime.js';

export interface ClusterSpec {
  runId: string;
  store: string;
  image: string;
  /** Number of nodes, named n1..nN. */
  nodes: number;
  memoryBytes: number;
  /** PID 1 of each container (the store's servers are started beside it with exec). */
  cmd?: readonly string[];
  /**
   * Nodes of different images on the one network (a composite cluster: cache nodes in front of a
   * database). When given, they replace n1..nN of `image`; node k gets the network's address k.
   */
  members?: readonly ClusterMember[];
}

export interface ClusterMember {
  name: string;
  image: string;
  memoryBytes: number;
}

/** The containers and network of one run. Removing it removes everything the run created. */
export interface DockerCluster extends AsyncDisposable {
  readonly runId: string;
  readonly network: RunNetwork;
  readonly nodes: readonly ClusterNode[];
  container(node: string): Docker.Container;
  /** Partitions and packet loss between the nodes, as iptables rules inside the containers. */
  readonly firewall: Network;
  /**
   * SIGKILLs the processes `pkill` matches with `match` (`['-x', 'mariadbd']`, `['-F', pidFile]`)
   * on `node`; data on disk is kept. Nothing matching is fine: the server was already down.
   */
  killProcess(node: string, match: readonly string[]): Promise<void>;
  /** Freezes a node's container (`docker pause`); the cluster remembers which nodes are paused. */
  pause(node: string): Promise<void>;
  resume(node: string): Promise<void>;
  isPaused(node: string): boolean;
  /**
   * Copies `files` from each of `nodes` into `dir/<node>/`, resuming paused nodes first (Docker
   * cannot exec into them). What cannot be read is listed in `collect-errors.txt`, never thrown.
   */
  copyLogs(dir: string, nodes: readonly ClusterNode[], files: readonly string[]): Promise<void>;
  /** Removes every container, then the network. Reports what it could not remove. */
  remove(): Promise<void>;
  /** `remove` for a store's teardown, which never throws: what could not be removed is logged. */
  removeQuietly(log: (message: string) => void): Promise<void>;
}

/** Keeps a container alive without doing anything, so the store's server can be killed and restarted. */
export const IDLE_CMD = ['sleep', 'infinity'] as const;

/**
 * Starts n1..nN on a new network, all at once, through `runtime` (one local engine unless
 * `--hosts` spread the nodes over a Swarm). If any node fails, what was created is removed on
 * every host and the first error is rethrown.
 */
export async function startCluster(
  spec: ClusterSpec,
  runtime: Runtime = localRuntime(),
): Promise<DockerCluster> {
  const labels: Labels = { ...runLabels(spec.runId), [LABEL.store]: spec.store };
  const network = await runtime.createNetwork(spec.runId, labels);
  const members =
    spec.members ??
    Array.from({ length: spec.nodes }, (_, i) => ({
      name: `n${i + 1}`,
      image: spec.image,
      memoryBytes: spec.memoryBytes,
    }));
  const started = await Promise.allSettled(
    members.map((member, i) =>
      runtime.startNode(
        {
          name: member.name,
          image: member.image,
          network,
          ip: network.nodeIp(i + 1),
          labels,
          memoryBytes: member.memoryBytes,
          cmd: spec.cmd ?? IDLE_CMD,
        },
        i,
      ),
    ),
  );
  const placed = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const cluster = clusterHandle(spec.runId, network, placed, runtime);
  const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await cluster
      .remove()
      .catch((err: unknown) => debug(`cleaning up a cluster that failed to start: ${errorText(err)}`));
    throw failure.reason;
  }
  return cluster;
}

function clusterHandle(
  runId: string,
  network: RunNetwork,
  placed: readonly PlacedNode[],
  runtime: Runtime,
): DockerCluster {
  const byName = new Map(placed.map((p) => [p.name, p]));
  // Stores exec by container id: each id goes to the engine that holds it.
  for (const p of placed) placeContainer(p.container.id, p.engine);
  const nodes: ClusterNode[] = placed.map((p) => ({
    name: p.name,
    ip: p.ip,
    containerId: p.container.id,
    ...(runtime.kind === 'local' ? {} : { host: p.host }),
  }));
  let removed: Promise<void> | undefined;
  const remove = () => {
    removed ??= (async () => {
      await firewall.close();
      const results = await Promise.allSettled(placed.map((p) => p.remove()));
      for (const p of placed) forgetContainer(p.container.id);
      const problems = results
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => errorText(r.reason));
      try {
        await network.remove();
      } catch (err) {
        problems.push(errorText(err));
      }
      // A node that failed to start may have left a container behind on its host: sweep them all.
      if (runtime.kind !== 'local') problems.push(...(await runtime.removeRun(runId)));
      if (problems.length > 0) {
        throw new Error(`could not remove all of run ${runId} (try 'dscheck clean'): ${problems.join('; ')}`);
      }
    })();
    return removed;
  };
  const node = (name: string): PlacedNode => {
    const found = byName.get(name);
    if (!found) throw new Error(`run ${runId} has no node ${name}`);
    return found;
  };
  const container = (name: string): Docker.Container => node(name).container;
  const paused = new Set<string>();
  const firewall = new IptablesNetwork(nodes, undefined, (name) => paused.has(name));
  firewall.warm();
  const resume = async (name: string): Promise<void> => {
    await node(name).resume();
    paused.delete(name);
  };
  return {
    runId,
    network,
    nodes,
    container,
    firewall,
    async killProcess(name, match) {
      const result = await node(name).exec(['pkill', '-KILL', ...match]);
      // pkill exits 1 when nothing matched: the server was already down, which is what we want.
      if (result.exitCode > 1)
        throw new Error(`killing ${match.join(' ')} on ${name} failed: ${result.stderr.trim()}`);
    },
    async pause(name) {
      await node(name).pause();
      paused.add(name);
    },
    resume,
    isPaused: (node) => paused.has(node),
    async copyLogs(dir, which, files) {
      await Promise.all(
        which.map(async ({ name }) => {
          const nodeDir = join(dir, name);
          await mkdir(nodeDir, { recursive: true });
          if (paused.has(name)) await resume(name).catch(() => {});
          const problems: string[] = [];
          for (const path of files) {
            try {
              const content = await node(name).readFile(path);
              if (content !== undefined) await writeFile(join(nodeDir, basename(path)), content);
            } catch (err) {
              problems.push(`${path}: ${errorText(err)}`);
            }
          }
          if (problems.length > 0)
            await writeFile(join(nodeDir, 'collect-errors.txt'), `${problems.join('\n')}\n`);
        }),
      );
    },
    remove,
    async removeQuietly(log) {
      try {
        await this.remove();
      } catch (err) {
        log(`teardown: ${errorText(err)}`);
      }
    },
    [Symbol.asyncDispose]: remove,
  };
}
