import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { dockerClient } from './client.js';
import { traced } from './log.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  /** Give up waiting after this long (default 30 s). The process inside may keep running. */
  timeoutMs?: number;
  user?: string;
  env?: Record<string, string>;
  /** Sent to the process's standard input, which is then closed. */
  stdin?: string;
}

export class ExecTimeoutError extends Error {
  override name = 'ExecTimeoutError';
}

/** An exec that exited non-zero, for callers that want `execOk`'s throw-on-failure. */
export class ExecFailedError extends Error {
  override name = 'ExecFailedError';
  constructor(
    readonly argv: readonly string[],
    readonly result: ExecResult,
  ) {
    super(
      `'${argv.join(' ')}' exited ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 500)}`,
    );
  }
}

/**
 * The engine that holds each container of a run spread over several hosts (`--hosts`). Stores
 * name their nodes by container id (`ClusterNode.containerId`); this lets an id reach the engine
 * that holds it without every store carrying an engine around. Ids not listed are local.
 */
const engineOfContainer = new Map<string, Docker>();

/** Routes `execIn(id, ...)` to `docker` until `forgetContainer(id)`. */
export function placeContainer(id: string, docker: Docker): void {
  engineOfContainer.set(id, docker);
}

export function forgetContainer(id: string): void {
  engineOfContainer.delete(id);
}

/**
 * Runs `argv` inside a running container. An argument array, never a shell string: values
 * (IPs, keys, paths) cannot be read as shell syntax.
 */
export async function execIn(
  container: Docker.Container | string,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const target =
    typeof container === 'string'
      ? (engineOfContainer.get(container) ?? dockerClient()).getContainer(container)
      : container;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return traced(`exec ${target.id.slice(0, 12)} ${argv.join(' ')}`, async () => {
    const exec = await target.exec({
      Cmd: [...argv],
      AttachStdin: options.stdin !== undefined,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      User: options.user,
      Env: options.env ? Object.entries(options.env).map(([k, v]) => `${k}=${v}`) : undefined,
    });
    const stream = await exec.start({ hijack: true, stdin: options.stdin !== undefined });
    if (options.stdin !== undefined) stream.end(options.stdin);
    const stdout = collect();
    const stderr = collect();
    dockerClient().modem.demuxStream(stream, stdout.sink, stderr.sink);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', reject);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new ExecTimeoutError(`'${argv.join(' ')}' did not finish within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      stream.destroy();
    }
    return { stdout: stdout.text(), stderr: stderr.text(), exitCode: await exitCodeOf(exec) };
  });
}

/** Like execIn, but a non-zero exit is an ExecFailedError. */
export async function execOk(
  container: Docker.Container | string,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const result = await execIn(container, argv, options);
  if (result.exitCode !== 0) throw new ExecFailedError(argv, result);
  return result;
}

async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  // The output stream can end a moment before the engine records the exit code.
  for (let attempt = 0; attempt < 50; attempt++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('exec did not report an exit code');
}

function collect(): { sink: PassThrough; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * A process kept running inside a container that answers each line written to it with one line:
 * what a repeated action costs once started is a write and a read, not an exec (whose process
 * start alone takes 60-80 ms on a busy engine). Used for the firewall's rulesets.
 */
export interface ResidentProcess {
  /** Sends one line (no newline in it) and resolves with the next line of output. */
  request(line: string, timeoutMs: number): Promise<string>;
  /** True once its stream ended or a request timed out: callers fall back to an exec. */
  readonly broken: boolean;
  close(): void;
}

/** Starts `argv` in the container with its standard input attached, answering line by line. */
export async function startResident(containerId: string, argv: readonly string[]): Promise<ResidentProcess> {
  const target = (engineOfContainer.get(containerId) ?? dockerClient()).getContainer(containerId);
  const exec = await traced(`exec resident ${containerId.slice(0, 12)} ${argv[0]}`, () =>
    target.exec({ Cmd: [...argv], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false }),
  );
  const stream = await exec.start({ hijack: true, stdin: true });
  const stdout = new PassThrough();
  dockerClient().modem.demuxStream(stream, stdout, new PassThrough().resume());
  let broken = false;
  let buffered = '';
  const waiting: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  const breakAll = (why: string) => {
    broken = true;
    for (const w of waiting.splice(0)) w.reject(new Error(why));
    stream.destroy();
  };
  stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      waiting.shift()?.resolve(line);
    }
  });
  stream.on('end', () => breakAll(`resident ${argv[0]} in ${containerId.slice(0, 12)} ended`));
  stream.on('close', () => breakAll(`resident ${argv[0]} in ${containerId.slice(0, 12)} ended`));
  stream.on('error', (err: Error) => breakAll(err.message));
  return {
    get broken() {
      return broken;
    },
    request(line, timeoutMs) {
      if (broken) return Promise.reject(new Error('resident process is gone'));
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          // Answers are matched to requests by order: after a lost one, nothing can be trusted.
          breakAll(`no answer within ${timeoutMs} ms`);
        }, timeoutMs);
        waiting.push({
          resolve: (answer) => {
            clearTimeout(timer);
            resolve(answer);
          },
          reject: (err) => {
            clearTimeout(timer);
            reject(err);
          },
        });
        stream.write(`${line}\n`);
      });
    },
    close: () => breakAll('closed'),
  };
}
