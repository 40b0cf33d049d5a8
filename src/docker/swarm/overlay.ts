import type Docker from 'dockerode';
import { dockerClient } from '../client.js';
import { LABEL, type Labels } from '../labels.js';
import { traced } from '../log.js';
import { createOnFreeSubnet, type RunNetwork, runNetworkHandle, usedSubnets } from '../networks.js';
import { parseCidr } from '../subnets.js';
import type { Engine } from './endpoints.js';

/**
 * The run's network across hosts: an attachable overlay, created through a Swarm manager, on a
 * fixed /24 so that node k keeps the address it would have locally (<subnet>.(10+k)). The subnet
 * avoids every network of every host and the routes of the machine dscheck runs on.
 */
export async function createOverlayNetwork(
  runId: string,
  labels: Labels,
  manager: Engine,
  engines: readonly Engine[],
  local: Docker = dockerClient(),
): Promise<RunNetwork> {
  const used = (
    await Promise.all([local, ...engines.map((e) => e.docker)].map((d) => usedSubnets(d)))
  ).flat();
  return createOnFreeSubnet(runId, used, (name, subnet, gateway) =>
    traced(`create overlay ${name} ${subnet} on ${manager.name}`, () =>
      manager.docker.createNetwork({
        Name: name,
        Driver: 'overlay',
        Attachable: true,
        CheckDuplicate: true,
        Labels: { ...labels, [LABEL.run]: runId },
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
      }),
    ),
  );
}

/**
 * The overlay a run was given rather than created (inside the control container, whose owner
 * created it and removes it once the control container is gone): removing it here is a no-op.
 */
export async function adoptOverlayNetwork(name: string, manager: Engine): Promise<RunNetwork> {
  const network = manager.docker.getNetwork(name);
  const info = (await traced(`inspect overlay ${name} on ${manager.name}`, () => network.inspect())) as {
    IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] };
  };
  const config = info.IPAM?.Config?.[0];
  const subnet = config?.Subnet ? parseCidr(config.Subnet) : undefined;
  if (!subnet || !config?.Gateway) throw new Error(`overlay ${name} has no IPv4 subnet`);
  return runNetworkHandle(network, name, subnet, config.Gateway, async () => {});
}
