import type Docker from 'dockerode';
import { dockerClient } from '../client.js';
import { startNode } from '../containers.js';
import type { Progress } from '../images.js';
import { errorText } from '../log.js';
import { localRuntime, placedNode, type Runtime, removeRunOn } from '../runtime.js';
import { refuseUnlessReady, swarmCheck } from './check.js';
import { type Engine, engineAt, parseEndpoints } from './endpoints.js';
import { ensureImagesOn } from './images.js';
import { createOverlayNetwork } from './overlay.js';

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
    createNetwork: (runId, labels) => createOverlayNetwork(runId, labels, manager, engines, local),
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
        engines.map((e) => ({ name: e.name, docker: e.docker, removesSwarmNetworks: e === manager })),
        runId,
      ),
  };
}

/**
 * Checks the engines (`swarmCheck`), refuses with every problem named (exit 254) before any
 * container starts, and returns the runtime with the first manager listed as its manager.
 */
export async function openSwarmRuntime(
  engines: readonly Engine[],
  local: Docker = dockerClient(),
): Promise<Runtime> {
  const findings = await swarmCheck(engines);
  refuseUnlessReady(findings);
  const managerName = findings.find((f) => f.check === 'manager' && f.ok)?.host;
  const manager = engines.find((e) => e.name === managerName) ?? engines[0];
  return swarmRuntime(engines, manager, local);
}

/** The runtime `--hosts` asks for (checked, exit 254 naming a bad host); without it, the local engine. */
export async function runtimeFor(hosts: string | undefined): Promise<Runtime> {
  if (hosts === undefined) return localRuntime();
  return openSwarmRuntime(parseEndpoints(hosts).map((endpoint) => engineAt(endpoint)));
}
