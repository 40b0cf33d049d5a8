import type Docker from 'dockerode';
import { dockerClient } from '../client.js';
import { startNode } from '../containers.js';
import type { Progress } from '../images.js';
import { errorText } from '../log.js';
import { localRuntime, placedNode, type Runtime, removeRunOn } from '../runtime.js';
import { refuseUnlessReady, swarmCheck } from './check.js';
import { CONTROL_ENV, CONTROL_NODE, controlProblem, startControl } from './control.js';
import { type Engine, engineAt, parseEndpoints } from './endpoints.js';
import { ensureImagesOn } from './images.js';
import { adoptOverlayNetwork, createOverlayNetwork } from './overlay.js';

/**
 * Nodes spread over the engines of one Swarm: node i on host (i mod H), all on an attachable
 * overlay created through a manager. Containers keep the names, labels, NET_ADMIN and fixed
 * addresses of a local run, so stores, workloads and nemeses work unchanged; a node's handle talks
 * to the engine that holds it (exec for iptables, pause, kill).
 */
export function swarmRuntime(
  engines: readonly Engine[],
  manager: Engine,
  local: Docker = dockerClient(),
  given?: string,
): Runtime {
  return {
    kind: 'swarm',
    hosts: engines.map((e) => e.name),
    async ensureImages(tags: readonly string[], progress: Progress) {
      const states = await ensureImagesOn(engines, tags, progress, local);
      const lacking = states.filter((s) => s.missing.length > 0);
      if (lacking.length > 0) {
        throw new Error(
          `images missing after loading: ${lacking.map((s) => `${s.host}: ${s.missing.join(', ')}`).join('; ')}`,
        );
      }
    },
    createNetwork: (runId, labels) =>
      given === undefined
        ? createOverlayNetwork(runId, labels, manager, engines, local)
        : adoptOverlayNetwork(given, manager),
    async startNode(spec, index) {
      const engine = engines[index % engines.length];
      try {
        return placedNode(spec, engine.name, engine.docker, await startNode(spec, engine.docker));
      } catch (err) {
        throw new Error(`starting ${spec.name} on host '${engine.name}': ${errorText(err)}`, {
          cause: err,
        });
      }
    },
    removeRun: (runId) =>
      removeRunOn(
        // The overlay a control container was given is its owner's to remove (it is still attached).
        engines.map((e) => ({
          name: e.name,
          docker: e.docker,
          removesSwarmNetworks: given === undefined && e === manager,
        })),
        runId,
        // Inside the control container, the run sweeps its nodes but not the container it runs in.
        given === undefined ? undefined : CONTROL_NODE,
      ),
    // Inside the control container the clients are already on the overlay.
    ...(given === undefined
      ? { control: { problem: controlProblem(engines), start: (spec) => startControl(spec, manager) } }
      : {}),
  };
}

/**
 * Checks the engines (`swarmCheck`), refuses with every problem named (exit 254) before any
 * container starts, and returns the runtime with the first manager listed as its manager.
 */
export async function openSwarmRuntime(
  engines: readonly Engine[],
  local: Docker = dockerClient(),
  given?: string,
): Promise<Runtime> {
  const findings = await swarmCheck(engines);
  refuseUnlessReady(findings);
  const managerName = findings.find((f) => f.check === 'manager' && f.ok)?.host;
  const manager = engines.find((e) => e.name === managerName) ?? engines[0];
  return swarmRuntime(engines, manager, local, given);
}

/**
 * The runtime `--hosts` asks for (checked, exit 254 naming a bad host); without it, the local
 * engine. Inside a control container, the run's overlay is the one its owner gave it.
 */
export async function runtimeFor(hosts: string | undefined): Promise<Runtime> {
  if (hosts === undefined) return localRuntime();
  return openSwarmRuntime(
    parseEndpoints(hosts).map((endpoint) => engineAt(endpoint)),
    dockerClient(),
    process.env[CONTROL_ENV.network],
  );
}

/** The run id a control container was given by the dscheck that started it; undefined elsewhere. */
export function givenRunId(): string | undefined {
  return process.env[CONTROL_ENV.runId];
}

/** The run folder's name a control container was given; undefined elsewhere. */
export function givenRunFolder(): string | undefined {
  return process.env[CONTROL_ENV.folder];
}
