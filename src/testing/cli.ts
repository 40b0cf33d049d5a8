import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** For tests: the built CLI run as a user runs it (npm test builds first). */

export const projectRoot = join(import.meta.dirname, '..', '..');
const cli = join(projectRoot, 'bin', 'dscheck.js');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  done: Promise<Finished>;
}

/** Starts `dscheck <args>` in the project folder; `done` resolves when it exits. */
export function startCli(args: readonly string[]): RunningCli {
  const child = spawn(process.execPath, [cli, ...args], { cwd: projectRoot, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<Finished>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, done };
}

/** Runs `dscheck <args>` to the end. */
export function runCli(args: readonly string[]): Promise<Finished> {
  return startCli(args).done;
}

/** The newest run folder of run `name` under `out` (its `latest` link). */
export function latestRun(out: string, name: string): string {
  return join(out, name, readlinkSync(join(out, name, 'latest')));
}

/**
 * Runs `dscheck run --out out --name name <args>` and reads one checker's result from the run's
 * results.json, with the history's nemesis events. A stack trace on stderr fails the test.
 */
export async function runAndRead<R>(
  out: string,
  name: string,
  checker: string,
  args: readonly string[],
): Promise<{ code: number | null; result: R; stderr: string; folder: string }> {
  const finished = await runCli(['run', '--out', out, '--name', name, ...args]);
  if (/at .*\.js:\d+/.test(finished.stderr)) throw new Error(`a stack trace:\n${finished.stderr}`);
  const folder = latestRun(out, name);
  const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
  return { code: finished.code, result: results.checkers[checker] as R, stderr: finished.stderr, folder };
}
