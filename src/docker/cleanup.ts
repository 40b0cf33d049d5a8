import type Docker from 'dockerode';
import { dockerClient } from './client.js';
import { removeContainer } from './containers.js';
import { currentOwner, LABEL } from './labels.js';
import { traced } from './log.js';
import { removeNetwork } from './networks.js';

export interface Leftover {
  kind: 'container' | 'network';
  runId: string;
  name: string;
}

export interface CleanReport {
  removed: Leftover[];
  /** Runs left alone because their owner is alive (or on another host, where we cannot tell). */
  live: { runId: string; owner: string }[];
  /** What could not be removed, with the reason. */
  failed: { leftover: Leftover; error: string }[];
}

/**
 * Whether the process that labelled a run is still running. A run of another host is assumed
 * alive: its pid means nothing here. A resource without an owner label is a leftover.
 */
export function ownerAlive(labels: Readonly<Record<string, string>>, here = currentOwner().host): boolean {
  const pid = Number(labels[LABEL.pid]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (labels[LABEL.host] !== undefined && labels[LABEL.host] !== here) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes every container and network of a dscheck run whose process is gone. A Swarm worker
 * leaves overlay networks alone (only a manager may remove them; the worker's copy goes by
 * itself once nothing is attached): `removesSwarmNetworks` false.
 */
export async function cleanDeadRuns(
  docker: Docker = dockerClient(),
  removesSwarmNetworks = true,
): Promise<CleanReport> {
  const filters = { label: [LABEL.run] };
  const [containers, networks] = await Promise.all([
    traced('list run containers', () => docker.listContainers({ all: true, filters })),
    traced('list run networks', () => docker.listNetworks({ filters })),
  ]);
  const report: CleanReport = { removed: [], live: [], failed: [] };
  const liveRuns = new Map<string, string>();
  const dead = (labels: Record<string, string>): boolean => {
    if (!ownerAlive(labels)) return true;
    liveRuns.set(labels[LABEL.run], `pid ${labels[LABEL.pid]} on ${labels[LABEL.host] ?? 'this host'}`);
    return false;
  };
  const remove = async (leftover: Leftover, action: () => Promise<void>) => {
    try {
      await action();
      report.removed.push(leftover);
    } catch (err) {
      report.failed.push({ leftover, error: err instanceof Error ? err.message : String(err) });
    }
  };
  // Containers first: a network cannot be removed while containers are attached to it.
  await Promise.all(
    containers
      .filter((c) => dead(c.Labels))
      .map((c) =>
        remove(
          { kind: 'container', runId: c.Labels[LABEL.run], name: c.Names[0]?.replace(/^\//, '') ?? c.Id },
          () => removeContainer(docker.getContainer(c.Id)),
        ),
      ),
  );
  await Promise.all(
    networks
      .filter((n) => (removesSwarmNetworks || n.Scope !== 'swarm') && dead(n.Labels ?? {}))
      .map((n) =>
        remove({ kind: 'network', runId: n.Labels?.[LABEL.run] ?? '', name: n.Name }, () =>
          removeNetwork(docker.getNetwork(n.Id)),
        ),
      ),
  );
  report.live = [...liveRuns].map(([runId, owner]) => ({ runId, owner }));
  return report;
}

/** Names of the containers and networks labelled with this run, e.g. to check a teardown. */
export async function runResources(
  runId: string,
  docker: Docker = dockerClient(),
): Promise<{ containers: string[]; networks: string[] }> {
  const filters = { label: [`${LABEL.run}=${runId}`] };
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
  ]);
  return { containers: containers.map((c) => c.Names[0] ?? c.Id), networks: networks.map((n) => n.Name) };
}
