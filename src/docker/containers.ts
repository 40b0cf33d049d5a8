import type Docker from 'dockerode';
import { type ArchiveFile, tarOf } from './archive.js';
import { dockerClient } from './client.js';
import { execOk } from './exec.js';
import { LABEL, type Labels } from './labels.js';
import { debug, errorText, traced } from './log.js';
import type { RunNetwork } from './networks.js';

export interface NodeSpec {
  /** n1 .. nN: also the container's hostname. */
  name: string;
  image: string;
  network: RunNetwork;
  ip: string;
  labels: Labels;
  memoryBytes: number;
  /** PID 1 of the container; the store's server runs beside it so it can be killed and restarted. */
  cmd: readonly string[];
}

/**
 * Creates and starts one node: fixed IP on the run's network, NET_ADMIN for iptables, no
 * published ports. A node that fails to start is removed and the original error rethrown.
 */
export async function startNode(spec: NodeSpec, docker: Docker = dockerClient()): Promise<Docker.Container> {
  const runId = spec.labels[LABEL.run];
  const container = await traced(`create container ${spec.name} ${spec.ip}`, () =>
    docker.createContainer({
      name: `dscheck-${runId}-${spec.name}`,
      Hostname: spec.name,
      Image: spec.image,
      Cmd: [...spec.cmd],
      Labels: { ...spec.labels, [LABEL.node]: spec.name },
      HostConfig: {
        NetworkMode: spec.network.name,
        CapAdd: ['NET_ADMIN'],
        Memory: spec.memoryBytes,
        MemorySwap: spec.memoryBytes,
        // tini as PID 1 reaps the server processes we kill and restart with exec.
        Init: true,
        PublishAllPorts: false,
      },
      NetworkingConfig: {
        EndpointsConfig: { [spec.network.name]: { IPAMConfig: { IPv4Address: spec.ip } } },
      },
    }),
  );
  try {
    await traced(`start container ${spec.name}`, () => container.start());
  } catch (err) {
    await removeContainer(container).catch((cleanupError: unknown) =>
      debug(`removing ${spec.name} after a failed start also failed: ${errorText(cleanupError)}`),
    );
    throw err;
  }
  return container;
}

/** Removes a container whatever its state (running, paused); one already gone is fine. */
export async function removeContainer(container: Docker.Container): Promise<void> {
  const remove = () => container.remove({ force: true, v: true });
  try {
    await traced(`remove container ${container.id.slice(0, 12)}`, remove);
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) return;
    if (!/paused/i.test(errorText(err))) throw err;
    await unpauseContainer(container);
    await traced(`remove container ${container.id.slice(0, 12)} after unpause`, remove);
  }
}

export async function pauseContainer(container: Docker.Container): Promise<void> {
  await traced(`pause ${container.id.slice(0, 12)}`, () => container.pause());
}

/** Resumes a paused container; one that is not paused is left as it is. */
export async function unpauseContainer(container: Docker.Container): Promise<void> {
  try {
    await traced(`unpause ${container.id.slice(0, 12)}`, () => container.unpause());
  } catch (err) {
    if (!/not paused/i.test(errorText(err))) throw err;
  }
}

/** Writes files (paths relative to `dir`) into a container, with their parent directories. */
export async function writeFilesIn(
  container: Docker.Container | string,
  dir: string,
  files: readonly ArchiveFile[],
): Promise<void> {
  const target = typeof container === 'string' ? dockerClient().getContainer(container) : container;
  await traced(`put ${files.map((f) => f.path).join(', ')} into ${target.id.slice(0, 12)}:${dir}`, () =>
    target.putArchive(tarOf(files), { path: dir }),
  );
}

/** The content of a file inside a container; undefined when it does not exist. */
export async function readFileIn(container: Docker.Container, path: string): Promise<string | undefined> {
  try {
    return (await execOk(container, ['cat', path])).stdout;
  } catch (err) {
    if (/No such file/i.test(errorText(err))) return undefined;
    throw err;
  }
}

/** A container for a one-off check, with no network; disposing of it removes it. */
export interface ThrowawayContainer extends AsyncDisposable {
  readonly container: Docker.Container;
}

/**
 * Starts `image` idle with NET_ADMIN and no network, labelled like a run so that `dscheck clean`
 * reaps it if we die before removing it.
 */
export async function startThrowaway(
  image: string,
  labels: Labels,
  docker: Docker = dockerClient(),
): Promise<ThrowawayContainer> {
  const container = await traced(`create throwaway container from ${image}`, () =>
    docker.createContainer({
      Image: image,
      Cmd: ['sleep', 'infinity'],
      Labels: labels,
      HostConfig: { NetworkMode: 'none', CapAdd: ['NET_ADMIN'], Init: true, Memory: 64 * 1024 * 1024 },
    }),
  );
  try {
    await traced('start throwaway container', () => container.start());
  } catch (err) {
    await removeContainer(container).catch((cleanupError: unknown) =>
      debug(`removing a throwaway container after a failed start also failed: ${errorText(cleanupError)}`),
    );
    throw err;
  }
  return { container, [Symbol.asyncDispose]: () => removeContainer(container) };
}
