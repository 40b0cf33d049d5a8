import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { dockerClient } from './client.js';
import { LABEL, type Labels } from './labels.js';
import { debug, errorText, traced } from './log.js';
import { type Cidr, formatCidr, freeSubnets, intToIp, parseCidr, parseProcRoutes } from './subnets.js';

/** Runs take their /24s from here: private, and unlikely to be used by anything else. */
export const SUBNET_POOL = '10.213.0.0/16';

/** The bridge network of one run. Node k (1-based) has the fixed address <subnet>.(10+k). */
export interface RunNetwork extends AsyncDisposable {
  readonly id: string;
  readonly name: string;
  /** e.g. 10.213.7.0/24 */
  readonly subnet: string;
  /** The host's address on the bridge: the client's traffic to the nodes comes from here. */
  readonly gateway: string;
  nodeIp(index: number): string;
  remove(): Promise<void>;
}

/** Every IPv4 range already taken by a Docker network or a host route. */
export async function usedSubnets(docker: Docker = dockerClient()): Promise<Cidr[]> {
  const networks = await traced('list networks', () => docker.listNetworks());
  const used: Cidr[] = [];
  for (const network of networks) {
    for (const config of network.IPAM?.Config ?? []) {
      const subnet = config.Subnet ? parseCidr(config.Subnet) : undefined;
      if (subnet) used.push(subnet);
    }
  }
  try {
    used.push(...parseProcRoutes(await readFile('/proc/net/route', 'utf8')));
  } catch (err) {
    debug(`cannot read host routes (${errorText(err)}); relying on Docker's own overlap check`);
  }
  return used;
}

/** Creates the run's bridge network on a free /24. */
export async function createRunNetwork(
  runId: string,
  labels: Labels,
  docker: Docker = dockerClient(),
): Promise<RunNetwork> {
  return createOnFreeSubnet(runId, await usedSubnets(docker), (name, subnet, gateway) =>
    traced(`create network ${name} ${subnet}`, () =>
      docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { ...labels, [LABEL.run]: runId },
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
      }),
    ),
  );
}

/**
 * Creates a run's network (`create` says which driver, on which engine) on a /24 of the pool that
 * overlaps none of `used`. Concurrent runs may pick the same subnet; Docker refuses the second
 * ("Pool overlaps"), and we move on to the next free one.
 */
export async function createOnFreeSubnet(
  runId: string,
  used: readonly Cidr[],
  create: (name: string, subnet: string, gateway: string) => Promise<Docker.Network>,
): Promise<RunNetwork> {
  const pool = parseCidr(SUBNET_POOL)!;
  const name = `dscheck-${runId}`;
  const candidates = freeSubnets(pool, used, Math.floor(Math.random() * 256));
  let lastError: unknown = new Error(`no free /24 left in ${SUBNET_POOL}; run 'dscheck clean'`);
  for (const candidate of candidates.slice(0, 8)) {
    const subnet = formatCidr(candidate);
    const gateway = intToIp(candidate.base + 1);
    try {
      return runNetworkHandle(await create(name, subnet, gateway), name, candidate, gateway);
    } catch (err) {
      lastError = err;
      if (!/overlap|conflict/i.test(errorText(err))) throw err;
    }
  }
  throw lastError;
}

export function runNetworkHandle(
  network: Docker.Network,
  name: string,
  subnet: Cidr,
  gateway: string,
  remove: () => Promise<void> = () => removeNetwork(network),
): RunNetwork {
  return {
    id: network.id,
    name,
    subnet: formatCidr(subnet),
    gateway,
    nodeIp: (index: number) => intToIp(subnet.base + 10 + index),
    remove,
    [Symbol.asyncDispose]: remove,
  };
}

/** Removes a network; one that is already gone is fine. */
export async function removeNetwork(network: Docker.Network): Promise<void> {
  try {
    await traced(`remove network ${network.id.slice(0, 12)}`, () => network.remove());
  } catch (err) {
    // A Swarm manager answers 500 "not found" for an overlay removed a moment ago.
    if ((err as { statusCode?: number }).statusCode !== 404 && !/not found/i.test(errorText(err))) throw err;
  }
}
