import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { UsageError } from '../../errors.js';
import { errorText, traced } from '../log.js';

/**
 * Where a Docker engine of the Swarm listens, as the user wrote it in `--hosts`. Parsing is pure;
 * `connectEngine` turns an endpoint into a dockerode client (docker-modem speaks ssh, tcp and unix).
 */
export type Endpoint =
  | {
      readonly kind: 'ssh';
      readonly text: string;
      readonly user?: string;
      readonly host: string;
      readonly port: number;
    }
  | { readonly kind: 'tcp'; readonly text: string; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly text: string; readonly path: string };

/** A connected engine: the endpoint names it in every message. */
export interface Engine {
  readonly endpoint: Endpoint;
  /** The endpoint as written: how findings and errors name this host. */
  readonly name: string;
  readonly docker: Docker;
}

const FORMS = 'ssh://user@host[:port], tcp://host:port or unix:///path';

/** Parses the value of `--hosts` (comma-separated endpoints). */
export function parseEndpoints(value: string): Endpoint[] {
  const texts = value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (texts.length === 0) throw new UsageError(`--hosts needs at least one Docker endpoint (${FORMS})`);
  const endpoints = texts.map(parseEndpoint);
  const seen = new Set<string>();
  for (const endpoint of endpoints) {
    if (seen.has(endpoint.text)) throw new UsageError(`host '${endpoint.text}' is listed twice in --hosts`);
    seen.add(endpoint.text);
  }
  return endpoints;
}

export function parseEndpoint(text: string): Endpoint {
  const bad = (why: string) => new UsageError(`bad Docker endpoint '${text}': ${why}; valid forms: ${FORMS}`);
  const scheme = /^([a-z]+):\/\//.exec(text)?.[1];
  if (scheme === 'unix') {
    const path = text.slice('unix://'.length);
    if (!path.startsWith('/')) throw bad('the socket path must be absolute');
    return { kind: 'unix', text, path };
  }
  if (scheme !== 'ssh' && scheme !== 'tcp') throw bad(scheme ? `unknown scheme '${scheme}'` : 'no scheme');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('not a URL');
  }
  if (url.hostname === '') throw bad('no host');
  if (url.pathname !== '' && url.pathname !== '/') throw bad(`unexpected path '${url.pathname}'`);
  if (scheme === 'tcp') {
    if (url.port === '') throw bad('a tcp endpoint needs a port (2376 with TLS, 2375 without)');
    return { kind: 'tcp', text, host: url.hostname, port: Number(url.port) };
  }
  const port = url.port === '' ? 22 : Number(url.port);
  return url.username === ''
    ? { kind: 'ssh', text, host: url.hostname, port }
    : { kind: 'ssh', text, user: decodeURIComponent(url.username), host: url.hostname, port };
}

/** What a tcp endpoint needs from the environment, read the way the docker CLI reads it. */
export interface TlsEnvironment {
  DOCKER_TLS_VERIFY?: string;
  DOCKER_CERT_PATH?: string;
  SSH_AUTH_SOCK?: string;
}

/** The dockerode options for an endpoint; TLS files are read here, so a missing one is named. */
export function dockerOptions(endpoint: Endpoint, env: TlsEnvironment = process.env): Docker.DockerOptions {
  switch (endpoint.kind) {
    case 'unix':
      return { socketPath: endpoint.path };
    case 'ssh':
      return {
        protocol: 'ssh',
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.user,
        sshOptions: { agent: env.SSH_AUTH_SOCK },
      };
    case 'tcp': {
      const verify =
        env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0';
      if (!verify) return { protocol: 'http', host: endpoint.host, port: endpoint.port };
      const dir = env.DOCKER_CERT_PATH;
      if (!dir) {
        throw new UsageError(
          `host '${endpoint.text}': DOCKER_TLS_VERIFY is set but DOCKER_CERT_PATH is not (the folder with ca.pem, cert.pem, key.pem)`,
        );
      }
      const read = (file: string): Buffer => {
        try {
          return readFileSync(join(dir, file));
        } catch (err) {
          throw new UsageError(`host '${endpoint.text}': cannot read ${join(dir, file)} (${errorText(err)})`);
        }
      };
      return {
        protocol: 'https',
        host: endpoint.host,
        port: endpoint.port,
        ca: read('ca.pem'),
        cert: read('cert.pem'),
        key: read('key.pem'),
      };
    }
  }
}

/** A client for the endpoint. Does not connect: `swarmCheck` finds out whether it answers. */
export function engineAt(endpoint: Endpoint, env: TlsEnvironment = process.env): Engine {
  const DockerClass = createRequire(import.meta.url)('dockerode') as typeof Docker;
  return { endpoint, name: endpoint.text, docker: new DockerClass(dockerOptions(endpoint, env)) };
}

/** The engine, once it has answered a ping; otherwise a UsageError naming it (exit 254). */
export async function connectEngine(endpoint: Endpoint, env: TlsEnvironment = process.env): Promise<Engine> {
  const engine = engineAt(endpoint, env);
  try {
    await traced(`ping ${engine.name}`, () => engine.docker.ping());
  } catch (err) {
    throw new UsageError(
      `host '${engine.name}' does not answer (${errorText(err)}): is its Docker engine running and reachable?`,
    );
  }
  return engine;
}
