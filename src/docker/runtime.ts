import type Docker from 'dockerode';
import { dockerClient } from './client.js';
import {
  type NodeSpec,
  pauseContainer,
  readFileIn,
  removeContainer,
  startNode,
  unpauseContainer,
} from './containers.js';
import { type ExecOptions, type ExecResult, execIn } from './exec.js';
import { imageExists, type Progress } from './images.js';
import { LABEL, type Labels } from './labels.js';
import { errorText, traced } from './log.js';
import { createRunNetwork, type RunNetwork, removeNetwork } from './networks.js';
import type { ControlRun, ControlSpec } from './swarm/control.js';

/**
 * Where a run's containers live (DESIGN.md, "Runtimes"). `localRuntime` is the one engine dscheck
 * talks to today; `swarmRuntime` (swarm/runtime.ts) spreads the nodes over the engines of a Docker
 * Swarm. Kubernetes is the next backend behind this interface (pods on a headless service).
 * A cluster asks the runtime for a network and for nodes; everything else it does to a node goes
 * through the node's handle, which is bound to the engine that holds it.
 */
export interface Runtime {
  readonly kind: 'local' | 'swarm';
  /** The hosts, as reports and messages name them. */
  readonly hosts: readonly string[];
  /** Makes sure every host has these images (built where dscheck runs). */
  ensureImages(tags: readonly string[], progress: Progress): Promise<void>;
  createNetwork(runId: string, labels: Labels): Promise<RunNetwork>;
  /** Starts the `index`-th node (0-based) of the cluster on the host the placement gives it. */
  startNode(spec: NodeSpec, index: number): Promise<PlacedNode>;
  /** Removes whatever carries this run's label on any host; returns what it could not remove. */
  removeRun(runId: string): Promise<string[]>;
  /**
   * Where the run's clients must run when this machine cannot reach the nodes' addresses (an
   * overlay seen from outside the Swarm); absent when they can run here. `problem` says why these
   * hosts cannot have one (exit 254 before any container starts).
   */
  readonly control?: {
    readonly problem: string | undefined;
    start(spec: ControlSpec): Promise<ControlRun>;
  };
}

/** One node's container, on the host that holds it. */
export interface PlacedNode {
  readonly name: string;
  readonly host: string;
  readonly ip: string;
  readonly container: Docker.Container;
  /** The engine that holds the container. */
  readonly engine: Docker;
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** `docker kill` (SIGKILL unless told): the whole container stops, as a machine that loses power. */
  kill(signal?: string): Promise<void>;
  /** A file's content (e.g. a log to copy into the report); undefined when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  remove(): Promise<void>;
}

export function placedNode(
  spec: NodeSpec,
  host: string,
  engine: Docker,
  container: Docker.Container,
): PlacedNode {
  return {
    name: spec.name,
    host,
    ip: spec.ip,
    container,
    engine,
    exec: (argv, options) => execIn(container, argv, options),
    pause: () => pauseContainer(container),
    resume: () => unpauseContainer(container),
    kill: async (signal = 'SIGKILL') => {
      await traced(`kill ${spec.name} on ${host}`, () => container.kill({ signal }));
    },
    readFile: (path) => readFileIn(container, path),
    remove: () => removeContainer(container),
  };
}

/** Today's behaviour: one engine holds every node, on a bridge network. */
export function localRuntime(docker: Docker = dockerClient()): Runtime {
  return {
    kind: 'local',
    hosts: ['local'],
    async ensureImages(tags) {
      for (const tag of tags) {
        if (!(await imageExists(tag, docker)))
          throw new Error(`image ${tag} is missing: 'dscheck images build'`);
      }
    },
    createNetwork: (runId, labels) => createRunNetwork(runId, labels, docker),
    startNode: async (spec) => placedNode(spec, 'local', docker, await startNode(spec, docker)),
    removeRun: (runId) => removeRunOn([{ name: 'local', docker, removesSwarmNetworks: true }], runId),
  };
}

/** An engine to sweep, and whether it may remove Swarm-scoped networks (only a manager may). */
export interface SweptEngine {
  readonly name: string;
  readonly docker: Docker;
  readonly removesSwarmNetworks: boolean;
}

/**
 * Removes every container labelled with the run on every engine, then its networks (a network
 * cannot go while a container is attached). Failures are collected, never thrown: this runs in
 * teardown, where the first error must stay the one reported. A container whose node label is
 * `spared` is left (the control container, while the run inside it sweeps its own nodes).
 */
export async function removeRunOn(
  engines: readonly SweptEngine[],
  runId: string,
  spared?: string,
): Promise<string[]> {
  const filters = { label: [`${LABEL.run}=${runId}`] };
  const problems: string[] = [];
  const attempt = async (what: string, action: () => Promise<void>) => {
    try {
      await action();
    } catch (err) {
      problems.push(`${what}: ${errorText(err)}`);
    }
  };
  await Promise.all(
    engines.map(({ docker, name }) =>
      attempt(`containers on ${name}`, async () => {
        const containers = await docker.listContainers({ all: true, filters });
        await Promise.all(
          containers
            .filter((c) => spared === undefined || c.Labels[LABEL.node] !== spared)
            .map((c) =>
              attempt(`${c.Names[0] ?? c.Id} on ${name}`, () => removeContainer(docker.getContainer(c.Id))),
            ),
        );
      }),
    ),
  );
  for (const { docker, name, removesSwarmNetworks } of engines) {
    await attempt(`networks on ${name}`, async () => {
      for (const network of await docker.listNetworks({ filters })) {
        if (network.Scope === 'swarm' && !removesSwarmNetworks) continue;
        await attempt(`${network.Name} on ${name}`, () => removeNetwork(docker.getNetwork(network.Id)));
      }
    });
  }
  return problems;
}
