import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { UsageError } from '../../errors.js';
import { type ArchiveFile, tarOf } from '../archive.js';
import { removeContainer } from '../containers.js';
import { LABEL, type Labels, OWNER_ENV } from '../labels.js';
import { debug, errorText, traced } from '../log.js';
import type { RunNetwork } from '../networks.js';
import type { Engine } from './endpoints.js';

/**
 * The control container (Jepsen's control node): a run over a Swarm cannot reach the overlay's
 * addresses from the machine dscheck was started on, so the run itself (clients, nemesis, checks,
 * report) happens in a container on the overlay, on a manager. It is the machine's own Node.js
 * binary and dscheck package, put into a container of the store's image (Debian bookworm, already
 * on every host): no registry, no image to build, and always the code that was started. It talks
 * to the engines as the CLI does, over their tcp endpoints; its run folder is copied back at the end.
 */

/** Where dscheck lives inside the control container, and where it writes its run folder. */
export const CONTROL_ROOT = '/dscheck';
export const CONTROL_REPORTS = `${CONTROL_ROOT}/reports`;
/** Node k of the run has <subnet>.(10+k); the control container sits far above any node. */
export const CONTROL_INDEX = 200;
/** The control container's node label (and host name). */
export const CONTROL_NODE = 'control';

/** Inside the control container: the run id and overlay it was given (the owner removes both). */
export const CONTROL_ENV = {
  runId: 'DSCHECK_CONTROL_RUN',
  network: 'DSCHECK_CONTROL_NETWORK',
  /** The run folder's timestamp, chosen by the owner so that it can follow the history as it is written. */
  folder: 'DSCHECK_CONTROL_FOLDER',
} as const;

export interface ControlSpec {
  readonly runId: string;
  readonly labels: Labels;
  readonly network: RunNetwork;
  /** An image every host has (the store's): Debian bookworm, where the copied node binary runs. */
  readonly image: string;
  /** The dscheck package to copy in (its root: bin/, dist/, workloads/, node_modules/). */
  readonly packageRoot: string;
  /** dscheck's arguments inside, e.g. `run --store mysql ... --json`. */
  readonly argv: readonly string[];
  /** The name of the run folder inside (its timestamp), the same as the owner's. */
  readonly folder: string;
  /** Where the control container's standard error goes (its progress and messages). */
  readonly stderr: NodeJS.WritableStream;
}

/** A started control container. */
export interface ControlRun {
  /** dscheck's exit code inside, once it ends. */
  readonly exited: Promise<number>;
  /** Everything dscheck printed on its standard output. */
  stdout(): string;
  /** Forwards Ctrl-C: dscheck inside stops, heals and tears the cluster down as a local run does. */
  interrupt(signal: NodeJS.Signals): Promise<void>;
  /**
   * Copies a file into `into` as it grows (from its start; it may not exist yet), until the
   * container stops or `into` fails. Resolves when the copy ends.
   */
  follow(path: string, into: NodeJS.WritableStream): Promise<void>;
  /** The container's folder as a tar stream (works after it exited). */
  archive(path: string): Promise<NodeJS.ReadableStream>;
  remove(): Promise<void>;
}

/**
 * Why a run cannot use a control container with these endpoints, or undefined when it can: the
 * container reaches the engines over the network, so each must be a tcp endpoint (with TLS when
 * DOCKER_TLS_VERIFY is set, whose files are copied in). An ssh agent or a unix socket stays behind.
 */
export function controlProblem(engines: readonly Engine[]): string | undefined {
  const unusable = engines.filter((e) => e.endpoint.kind !== 'tcp').map((e) => e.name);
  if (unusable.length === 0) return undefined;
  return (
    `a run over --hosts needs tcp:// endpoints (TLS from DOCKER_CERT_PATH when DOCKER_TLS_VERIFY=1): its clients ` +
    `run in a control container on the Swarm, which reaches the engines over the network and cannot use ` +
    `${unusable.join(', ')}; ssh:// and unix:// endpoints work for doctor, images and clean`
  );
}

/**
 * Creates the control container on `engine` (a manager) on the run's overlay, copies Node.js and
 * the dscheck package in, starts `node bin/dscheck.js ARGV` and streams its standard error.
 */
export async function startControl(spec: ControlSpec, engine: Engine): Promise<ControlRun> {
  const docker = engine.docker;
  const tls = tlsFiles();
  const env = [
    `${CONTROL_ENV.runId}=${spec.runId}`,
    `${CONTROL_ENV.network}=${spec.network.name}`,
    `${CONTROL_ENV.folder}=${spec.folder}`,
    `${OWNER_ENV.pid}=${spec.labels[LABEL.pid]}`,
    `${OWNER_ENV.host}=${spec.labels[LABEL.host]}`,
    // The engine it runs on stands in for "the local engine" (images are checked there).
    `DOCKER_HOST=${engine.endpoint.text}`,
    ...(tls ? ['DOCKER_TLS_VERIFY=1', `DOCKER_CERT_PATH=${CONTROL_ROOT}/certs`] : []),
    ...(process.env.DSCHECK_DEBUG ? [`DSCHECK_DEBUG=${process.env.DSCHECK_DEBUG}`] : []),
  ];
  const container = await traced(`create control container on ${engine.name}`, () =>
    docker.createContainer({
      name: `dscheck-${spec.runId}-control`,
      Hostname: CONTROL_NODE,
      Image: spec.image,
      Cmd: [`${CONTROL_ROOT}/node`, `${CONTROL_ROOT}/bin/dscheck.js`, ...spec.argv],
      WorkingDir: CONTROL_ROOT,
      Env: env,
      Labels: { ...spec.labels, [LABEL.run]: spec.runId, [LABEL.node]: CONTROL_NODE },
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: { NetworkMode: spec.network.name, Init: true },
      NetworkingConfig: {
        EndpointsConfig: {
          [spec.network.name]: { IPAMConfig: { IPv4Address: spec.network.nodeIp(CONTROL_INDEX) } },
        },
      },
    }),
  );
  const remove = () => removeContainer(container);
  try {
    await copyDscheck(container, spec.packageRoot, tls);
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const stdout: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (chunk: Buffer) => stdout.push(chunk));
    const err = new PassThrough();
    err.on('data', (chunk: Buffer) => spec.stderr.write(chunk));
    docker.modem.demuxStream(stream, out, err);
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    await traced('start control container', () => container.start());
    const exited = (async () => {
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      // The last output can trail the exit by a moment.
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      return StatusCode;
    })();
    return {
      exited,
      stdout: () => Buffer.concat(stdout).toString('utf8'),
      async interrupt(signal) {
        try {
          await traced(`${signal} to the control container`, () => container.kill({ signal }));
        } catch (error) {
          debug(`forwarding ${signal}: ${errorText(error)}`);
        }
      },
      follow: (path, into) => follow(container, path, into),
      archive: (path) =>
        traced(`copy ${path} out of the control container`, () => container.getArchive({ path })),
      remove,
    };
  } catch (error) {
    await remove().catch((cleanup: unknown) =>
      debug(`removing the control container: ${errorText(cleanup)}`),
    );
    throw error;
  }
}

/** The package's runtime closure: what `bin/dscheck.js` imports, nothing that only builds or tests it. */
export function runtimePaths(root: string): string[] {
  const modules = new Set<string>();
  const pending = Object.keys(readPackage(root).dependencies ?? {});
  while (pending.length > 0) {
    const name = pending.pop() as string;
    const dir = join(root, 'node_modules', name);
    if (modules.has(name) || !existsSync(join(dir, 'package.json'))) continue;
    modules.add(name);
    const pkg = readPackage(dir);
    pending.push(...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}));
  }
  return [
    'package.json',
    'bin/dscheck.js',
    'dist',
    'workloads',
    ...[...modules].sort().map((name) => `node_modules/${name}`),
  ];
}

function readPackage(dir: string): {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
} {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

async function copyDscheck(
  container: Docker.Container,
  root: string,
  tls: ArchiveFile[] | undefined,
): Promise<void> {
  if (!existsSync(join(root, 'dist', 'src', 'main.js')))
    throw new UsageError(`dscheck is not built in ${root}: run 'npm run build'`);
  const { execa } = await import('execa');
  // Docker creates the parents of what it unpacks, but the target folder must exist: unpack at /.
  const top = CONTROL_ROOT.slice(1);
  const files: ArchiveFile[] = [
    { path: `${top}/node`, content: await readFile(process.execPath), mode: 0o755 },
    ...(tls ?? []).map((f) => ({ ...f, path: `${top}/${f.path}` })),
  ];
  await traced('put node into the control container', () =>
    container.putArchive(tarOf(files), { path: '/' }),
  );
  const tar = execa(
    'tar',
    ['-c', '-h', '-C', root, '--exclude=*.map', '--exclude=*.test.js', ...runtimePaths(root)],
    { buffer: false, stderr: 'pipe' },
  );
  await traced('put dscheck into the control container', async () => {
    if (!tar.stdout) throw new Error('tar has no output');
    await Promise.all([container.putArchive(tar.stdout, { path: CONTROL_ROOT }), tar]);
  });
}

/** The TLS files a tcp endpoint uses (DOCKER_CERT_PATH), as certs/*.pem for the control container. */
function tlsFiles(): ArchiveFile[] | undefined {
  const verify = process.env.DOCKER_TLS_VERIFY;
  const dir = process.env.DOCKER_CERT_PATH;
  if (!verify || verify === '0' || !dir) return undefined;
  return ['ca.pem', 'cert.pem', 'key.pem'].map((file) => ({
    path: `certs/${file}`,
    content: readFileSync(join(dir, file)),
    mode: 0o600,
  }));
}

async function follow(container: Docker.Container, path: string, into: NodeJS.WritableStream): Promise<void> {
  const exec = await traced(`follow ${path} in the control container`, () =>
    container.exec({ Cmd: ['tail', '-c', '+1', '-F', path], AttachStdout: true, AttachStderr: true }),
  );
  const stream = await exec.start({ hijack: true, stdin: false });
  container.modem.demuxStream(stream, into, new PassThrough().resume());
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
    into.on('error', () => {
      stream.destroy();
      resolve();
    });
  });
}
