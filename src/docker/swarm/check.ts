import { UsageError } from '../../errors.js';
import { startThrowaway } from '../containers.js';
import { execIn } from '../exec.js';
import { runLabels } from '../labels.js';
import { errorText, traced } from '../log.js';
import type { Engine } from './endpoints.js';

/** One thing `swarmCheck` looked at on one host. */
export interface SwarmFinding {
  /** The endpoint as the user wrote it. */
  readonly host: string;
  readonly check: 'reachable' | 'swarm' | 'manager' | 'version' | 'iptables';
  readonly ok: boolean;
  readonly detail: string;
}

/** The part of `docker info` the check reads. */
interface EngineInfo {
  ServerVersion: string;
  Swarm: {
    LocalNodeState: string;
    NodeID: string;
    ControlAvailable: boolean;
    Cluster?: { ID: string };
  };
}

interface SwarmNode {
  ID: string;
}

interface HostFacts {
  readonly engine: Engine;
  readonly info?: EngineInfo;
  readonly error?: string;
}

/**
 * Checks that `engines` can carry a run: each answers, all are in ONE Swarm, at least one manages
 * it, all run the same engine major version, and (with `probeImage`, an image present on every
 * host that has iptables) iptables works inside a container on each. Findings name the host, for
 * `doctor --hosts` and for refusing a run before any container starts.
 */
export async function swarmCheck(
  engines: readonly Engine[],
  options: { probeImage?: string } = {},
): Promise<SwarmFinding[]> {
  const facts = await Promise.all(engines.map(factsOf));
  const findings: SwarmFinding[] = facts.map(({ engine, info, error }) => ({
    host: engine.name,
    check: 'reachable',
    ok: info !== undefined,
    detail: info ? `Docker ${info.ServerVersion}` : `does not answer: ${error}`,
  }));
  const answering = facts.filter((f): f is HostFacts & { info: EngineInfo } => f.info !== undefined);
  findings.push(...(await membership(answering)), ...versions(answering));
  if (options.probeImage !== undefined) {
    const image = options.probeImage;
    findings.push(...(await Promise.all(answering.map((f) => iptablesWorks(f.engine, image)))));
  }
  return findings;
}

/** A host that has not answered by then is reported, rather than holding up the whole check. */
const ANSWER_MS = 10_000;

function withinMs<T>(ms: number, answer: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

async function factsOf(engine: Engine): Promise<HostFacts> {
  try {
    const info: EngineInfo = await traced(`info ${engine.name}`, () =>
      withinMs(ANSWER_MS, engine.docker.info()),
    );
    return { engine, info };
  } catch (err) {
    return { engine, error: errorText(err) };
  }
}

/**
 * One Swarm: every host's node id is in the node list of a manager (a worker does not know its
 * cluster id), managers agree on the cluster id, and at least one host manages.
 */
async function membership(hosts: readonly (HostFacts & { info: EngineInfo })[]): Promise<SwarmFinding[]> {
  const managers = hosts.filter((h) => h.info.Swarm.ControlAvailable);
  const manager = managers[0];
  if (!manager) {
    return [
      {
        host: 'all',
        check: 'manager',
        ok: false,
        detail:
          'none of the hosts is a Swarm manager: list at least one manager in --hosts (it creates the overlay network)',
      },
    ];
  }
  const members: SwarmNode[] = await traced(`list Swarm nodes on ${manager.engine.name}`, () =>
    manager.engine.docker.listNodes(),
  );
  const ids = new Set(members.map((m) => m.ID));
  const cluster = manager.info.Swarm.Cluster?.ID ?? '';
  const findings: SwarmFinding[] = [
    {
      host: manager.engine.name,
      check: 'manager',
      ok: true,
      detail: `manages Swarm ${cluster.slice(0, 12)}`,
    },
  ];
  for (const { engine, info } of hosts) {
    const { LocalNodeState: state, NodeID: id } = info.Swarm;
    const otherCluster = info.Swarm.Cluster?.ID !== undefined && info.Swarm.Cluster.ID !== cluster;
    const ok = state === 'active' && ids.has(id) && !otherCluster;
    findings.push({
      host: engine.name,
      check: 'swarm',
      ok,
      detail: ok
        ? `node ${id.slice(0, 12)} of Swarm ${cluster.slice(0, 12)}`
        : state !== 'active'
          ? `not in a Swarm (state '${state || 'inactive'}'): 'docker swarm join' it to the Swarm of ${manager.engine.name}`
          : `in another Swarm than ${manager.engine.name}'s: all hosts must be in one Swarm`,
    });
  }
  return findings;
}

const major = (version: string): string => version.split('.')[0];

function versions(hosts: readonly (HostFacts & { info: EngineInfo })[]): SwarmFinding[] {
  const majors = new Set(hosts.map((h) => major(h.info.ServerVersion)));
  if (majors.size <= 1) return [];
  return hosts.map(({ engine, info }) => ({
    host: engine.name,
    check: 'version',
    ok: false,
    detail: `Docker ${info.ServerVersion}: the hosts run different major versions (${[...majors].join(', ')})`,
  }));
}

async function iptablesWorks(engine: Engine, image: string): Promise<SwarmFinding> {
  const finding = (ok: boolean, detail: string): SwarmFinding => ({
    host: engine.name,
    check: 'iptables',
    ok,
    detail,
  });
  try {
    await using probe = await startThrowaway(image, runLabels(`doctor-${process.pid}`), engine.docker);
    const result = await execIn(probe.container, ['iptables', '-n', '-L', 'INPUT'], { timeoutMs: 15_000 });
    return result.exitCode === 0
      ? finding(true, 'iptables works inside a container')
      : finding(false, `iptables fails inside a container: ${result.stderr.trim() || result.stdout.trim()}`);
  } catch (err) {
    return finding(false, `cannot start a container with ${image} to try iptables: ${errorText(err)}`);
  }
}

/** Refuses a run (exit 254) when any finding failed, naming each host and what is wrong with it. */
export function refuseUnlessReady(findings: readonly SwarmFinding[]): void {
  const failed = findings.filter((f) => !f.ok);
  if (failed.length === 0) return;
  throw new UsageError(
    `the hosts cannot carry a run:\n${failed.map((f) => `  ${f.host}: ${f.check}: ${f.detail}`).join('\n')}\n` +
      "('dscheck doctor --hosts ...' checks them again)",
  );
}
