import type Docker from 'dockerode';
import { dockerClient } from '../client.js';
import { removeContainer } from '../containers.js';
import { ensureImage, type Progress } from '../images.js';
import { LABEL, type Labels, runLabels } from '../labels.js';
import { debug, errorText, traced } from '../log.js';
import { createRunNetwork, type RunNetwork } from '../networks.js';
import { type Engine, engineAt } from './endpoints.js';
import { HOST_IMAGE } from './host-image.js';

/**
 * Docker engines in containers, joined in a Swarm: the separate machines the tests and the bench
 * cannot have (DESIGN.md, "Docker engines inside containers"). Each listens on tcp inside a private
 * bridge network, which this host reaches directly; nothing is published on its interfaces.
 */
export interface TestHosts extends AsyncDisposable {
  readonly runId: string;
  /** host1..hostN; the first is the Swarm's manager. */
  readonly engines: readonly Engine[];
  readonly network: RunNetwork;
  /** Removes the host containers (and with them everything inside) and their network. */
  remove(): Promise<void>;
}

/** The engines' API port inside the private network: plain tcp, only this host can reach it. */
const API_PORT = 2375;
const SWARM_PORT = 2377;
/**
 * vfs copies every layer and every container's whole file system: room for a store image, its node
 * and, on the manager, the control container (a limit, not a reservation: tmpfs takes what is used).
 */
const DOCKER_TMPFS = 'exec,size=5g';
/** What `--privileged` would give that a Docker engine needs (`--privileged` itself is refused here). */
const HOST_CAPS = [
  'SYS_ADMIN',
  'NET_ADMIN',
  'SYS_PTRACE',
  'MKNOD',
  'SYS_CHROOT',
  'SETFCAP',
  'NET_RAW',
  'SYS_MODULE',
  'AUDIT_WRITE',
];

/**
 * Starts `count` engines, waits until each answers, and joins them in one Swarm (host1 manages).
 * On any failure, whatever was started is removed and the first error rethrown.
 */
export async function startTestHosts(
  count: number,
  options: { runId?: string; progress?: Progress } = {},
  docker: Docker = dockerClient(),
): Promise<TestHosts> {
  const progress = options.progress ?? (() => {});
  const runId = options.runId ?? `hosts-${process.pid}-${Date.now().toString(36)}`;
  const image = await ensureImage(HOST_IMAGE, progress, docker);
  const labels = runLabels(runId);
  const network = await createRunNetwork(runId, labels, docker);
  const containers: Docker.Container[] = [];
  const hosts = handle(runId, network, containers, []);
  try {
    const names = Array.from({ length: count }, (_, i) => `host${i + 1}`);
    const started = await Promise.all(
      names.map(async (name, i) => {
        const container = await startHostContainer(
          runId,
          name,
          image,
          network,
          network.nodeIp(i + 1),
          labels,
          docker,
        );
        containers.push(container);
        const engine = engineAt(
          {
            kind: 'tcp',
            text: `tcp://${network.nodeIp(i + 1)}:${API_PORT}`,
            host: network.nodeIp(i + 1),
            port: API_PORT,
          },
          {},
        );
        await waitForEngine(engine, container);
        return engine;
      }),
    );
    progress(`${count} Docker hosts answer; forming a Swarm`);
    await formSwarm(
      started,
      started.map((_, i) => network.nodeIp(i + 1)),
    );
    return handle(runId, network, containers, started);
  } catch (err) {
    await hosts
      .remove()
      .catch((cleanup: unknown) => debug(`removing test hosts after a failure: ${errorText(cleanup)}`));
    throw err;
  }
}

async function startHostContainer(
  runId: string,
  name: string,
  image: string,
  network: RunNetwork,
  ip: string,
  labels: Labels,
  docker: Docker,
): Promise<Docker.Container> {
  const containerName = `dscheck-${runId}-${name}`;
  const container = await traced(`create test host ${name} ${ip}`, () =>
    docker.createContainer({
      name: containerName,
      Hostname: name,
      Image: image,
      Cmd: [
        'dockerd',
        '--storage-driver',
        'vfs',
        // Every inner engine shares this host's cgroup tree: each needs its own parent in it.
        '--cgroup-parent',
        containerName,
        '-H',
        'unix:///var/run/docker.sock',
        '-H',
        `tcp://0.0.0.0:${API_PORT}`,
      ],
      Labels: { ...labels, [LABEL.node]: name },
      HostConfig: {
        NetworkMode: network.name,
        CapAdd: HOST_CAPS,
        SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
        // What the CLI's `--security-opt systempaths=unconfined` sends: /proc and /sys unmasked.
        MaskedPaths: [],
        ReadonlyPaths: [],
        Binds: ['/sys/fs/cgroup:/sys/fs/cgroup:rw'],
        Tmpfs: { '/var/lib/docker': DOCKER_TMPFS },
        Init: true,
      },
      NetworkingConfig: { EndpointsConfig: { [network.name]: { IPAMConfig: { IPv4Address: ip } } } },
    }),
  );
  try {
    await traced(`start test host ${name}`, () => container.start());
  } catch (err) {
    await removeContainer(container).catch(() => {});
    throw err;
  }
  return container;
}

async function waitForEngine(engine: Engine, container: Docker.Container, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await engine.docker.ping();
      return;
    } catch (err) {
      const state = await container.inspect();
      if (!state.State.Running || Date.now() > deadline) {
        const logs = (await container.logs({ stdout: true, stderr: true, tail: 20 })).toString('utf8');
        throw new Error(`test host ${engine.name} did not start its engine (${errorText(err)}):\n${logs}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface SwarmJoinTokens {
  JoinTokens: { Worker: string; Manager: string };
}

/** `docker swarm init` on the first engine, `docker swarm join` (as workers) on the others. */
export async function formSwarm(engines: readonly Engine[], addresses: readonly string[]): Promise<void> {
  const [manager, ...workers] = engines;
  await traced(`swarm init on ${manager.name}`, () =>
    manager.docker.swarmInit({ ListenAddr: `0.0.0.0:${SWARM_PORT}`, AdvertiseAddr: addresses[0] }),
  );
  const swarm: SwarmJoinTokens = await manager.docker.swarmInspect();
  await Promise.all(
    workers.map((worker, i) =>
      traced(`swarm join ${worker.name}`, () =>
        worker.docker.swarmJoin({
          ListenAddr: `0.0.0.0:${SWARM_PORT}`,
          AdvertiseAddr: addresses[i + 1],
          RemoteAddrs: [`${addresses[0]}:${SWARM_PORT}`],
          JoinToken: swarm.JoinTokens.Worker,
        }),
      ),
    ),
  );
}

function handle(
  runId: string,
  network: RunNetwork,
  containers: readonly Docker.Container[],
  engines: readonly Engine[],
): TestHosts {
  let removed: Promise<void> | undefined;
  const remove = () => {
    removed ??= (async () => {
      // Removing a host container removes its engine and every container and network inside it.
      const results = await Promise.allSettled(containers.map((c) => removeContainer(c)));
      await network.remove();
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    })();
    return removed;
  };
  return { runId, engines, network, remove, [Symbol.asyncDispose]: remove };
}

/**
 * What carries the run's label on any host (containers and networks, named with their host), once
 * it stops shrinking or after `waitMs`: a worker drops its copy of an overlay a moment after the
 * manager removed it.
 */
export async function leftoversOnHosts(
  engines: readonly Engine[],
  runId: string,
  waitMs = 15_000,
): Promise<string[]> {
  const filters = { label: [`${LABEL.run}=${runId}`] };
  const left = async () =>
    (
      await Promise.all(
        engines.map(async (e) => [
          ...(await e.docker.listContainers({ all: true, filters })).map((c) => `${e.name} ${c.Names[0]}`),
          ...(await e.docker.listNetworks({ filters })).map((n) => `${e.name} ${n.Name}`),
        ]),
      )
    ).flat();
  const deadline = Date.now() + waitMs;
  let remaining = await left();
  while (remaining.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    remaining = await left();
  }
  return remaining;
}
