import { createRequire } from 'node:module';
import type Docker from 'dockerode';
import { UsageError } from '../errors.js';
import { errorText, traced } from './log.js';

/** No Docker engine answers, or we may not talk to it: the user must fix their set-up. */
export class DockerUnavailableError extends UsageError {
  override name = 'DockerUnavailableError';
}

let shared: Docker | undefined;

/** The engine named by DOCKER_HOST, or the local socket. Does not connect. */
export function dockerClient(): Docker {
  // Loaded on first use: dockerode takes ~150 ms to load, which `dscheck check` should not pay.
  shared ??= new (createRequire(import.meta.url)('dockerode') as typeof Docker)();
  return shared;
}

/** Where the client looks for the engine, for messages. */
export function engineAddress(): string {
  return process.env.DOCKER_HOST ?? '/var/run/docker.sock';
}

/** The client, once the engine has answered a ping; otherwise a message that says what to do. */
export async function connectDocker(): Promise<Docker> {
  const docker = dockerClient();
  try {
    await traced('ping', () => docker.ping());
  } catch (err) {
    throw new DockerUnavailableError(unreachableAdvice(err));
  }
  return docker;
}

export function unreachableAdvice(err: unknown): string {
  const code = (err as { code?: string }).code;
  const where = engineAddress();
  if (code === 'EACCES' || code === 'EPERM') {
    return `permission denied on the Docker socket ${where}: run as root, or add your user to the 'docker' group and log in again`;
  }
  return (
    `no Docker engine answers at ${where} (${errorText(err)}): start one ` +
    `('bash bin/setup' installs and starts it on Debian as root; elsewhere install Docker Engine), ` +
    'or point DOCKER_HOST at a running engine'
  );
}
