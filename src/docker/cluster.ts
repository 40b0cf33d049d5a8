import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type Docker from 'dockerode';
import type { ClusterNode, Network } from '../stores/types.js';
import { dockerClient } from './client.js';
import { pauseContainer, readFileIn, removeContainer, startNode, unpauseContainer } from './containers.js';
import { execIn } from './exec.js';
import { IptablesNetwork } from './iptables.js';
import { LABEL, type Labels, runLabels } from './labels.js';
import { debug, errorText } from './log.js';
import { createRunNetwork, type RunNetwork } from './networks.js';

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
 * Starts n1..nN on a new network, all at once. If any node fails, what was created is removed
 * and the first error is rethrown.
 */
export async function startCluster(
  spec: ClusterSpec,
  docker: Docker = dockerClient(),
): Promise<DockerCluster> {
  const labels: Labels = { ...runLabels(spec.runId), [LABEL.store]: spec.store };
  const network = await createRunNetwork(spec.runId, labels, docker);
  const members =
    spec.members ??
    Array.from({ length: spec.nodes }, (_, i) => ({
      name: `n${i + 1}`,
      image: spec.image,
      memoryBytes: spec.memoryBytes,
    }));
  const names = members.map((m) => m.name);
  const started = await Promise.allSettled(
    members.map((member, i) =>
      startNode(
        {
          name: member.name,
          image: member.image,
          network,
          ip: network.nodeIp(i + 1),
          labels,
          memoryBytes: member.memoryBytes,
          cmd: spec.cmd ?? IDLE_CMD,
        },
        docker,
      ),
    ),
  );
  const containers = new Map<string, Docker.Container>();
  started.forEach((result, i) => {
    if (result.status === 'fulfilled') containers.set(names[i], result.value);
  });
  const cluster = clusterHandle(spec.runId, network, names, containers);
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
  names: readonly string[],
  containers: ReadonlyMap<string, Docker.Container>,
): DockerCluster {
  const nodes: ClusterNode[] = names.flatMap((name, i) => {
    const container = containers.get(name);
    return container ? [{ name, ip: network.nodeIp(i + 1), containerId: container.id }] : [];
  });
  let removed: Promise<void> | undefined;
  const remove = () => {
    removed ??= (async () => {
      const results = await Promise.allSettled([...containers.values()].map((c) => removeContainer(c)));
      const problems = results
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => errorText(r.reason));
      try {
        await network.remove();
      } catch (err) {
        problems.push(errorText(err));
      }
      if (problems.length > 0) {
        throw new Error(`could not remove all of run ${runId} (try 'dscheck clean'): ${problems.join('; ')}`);
      }
    })();
    return removed;
  };
  const container = (node: string): Docker.Container => {
    const found = containers.get(node);
    if (!found) throw new Error(`run ${runId} has no node ${node}`);
    return found;
  };
  const paused = new Set<string>();
  const resume = async (node: string): Promise<void> => {
    await unpauseContainer(container(node));
    paused.delete(node);
  };
  return {
    runId,
    network,
    nodes,
    container,
    firewall: new IptablesNetwork(nodes),
    async killProcess(node, match) {
      const result = await execIn(container(node).id, ['pkill', '-KILL', ...match]);
      // pkill exits 1 when nothing matched: the server was already down, which is what we want.
      if (result.exitCode > 1)
        throw new Error(`killing ${match.join(' ')} on ${node} failed: ${result.stderr.trim()}`);
    },
    async pause(node) {
      await pauseContainer(container(node));
      paused.add(node);
    },
    resume,
    isPaused: (node) => paused.has(node),
    async copyLogs(dir, which, files) {
      await Promise.all(
        which.map(async (node) => {
          const nodeDir = join(dir, node.name);
          await mkdir(nodeDir, { recursive: true });
          if (paused.has(node.name)) await resume(node.name).catch(() => {});
          const problems: string[] = [];
          for (const path of files) {
            try {
              const content = await readFileIn(container(node.name), path);
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
