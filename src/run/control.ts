import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureImage } from '../docker/images.js';
import { runLabels } from '../docker/labels.js';
import type { Runtime } from '../docker/runtime.js';
import { CONTROL_REPORTS, type ControlRun } from '../docker/swarm/control.js';
import { ExitError, UsageError } from '../errors.js';
import { writeReportsIndex } from '../report/writer.js';
import { WORKLOADS } from '../workloads/index.js';
import { createRunFolder } from './folder.js';
import { reproduceArgs } from './options.js';
import { packageInfo } from './package.js';
import type { ResolvedRun } from './resolve.js';

/** What the run inside answered (`dscheck run --json`), with its folder as seen from here. */
export interface ControlAnswer {
  readonly answer: Record<string, unknown> & { exitCode: number };
  readonly folder: string | undefined;
}

/**
 * A run whose clients cannot run here (a Swarm's overlay): the same run, started inside a control
 * container on the overlay (src/docker/swarm/control.ts) with the same reproduce command and
 * `--json`. Its progress streams to this terminal, Ctrl-C is forwarded (the run inside heals and
 * tears down as a local run does), its run folder is copied into `--out`, and whatever carries the
 * run's label is then swept from every host: the control container, the overlay, and any node a
 * killed run inside left behind.
 */
export async function runInControl(
  resolved: ResolvedRun,
  runtime: Runtime,
  controller: NonNullable<Runtime['control']>,
  log: (line: string) => void,
  onFolder: (dir: string) => void = () => {},
): Promise<ControlAnswer> {
  const { config, store } = resolved;
  if (controller.problem) throw new UsageError(controller.problem);
  if (!(WORKLOADS as readonly string[]).includes(config.workload)) {
    throw new UsageError(
      `--workload '${config.workload}': a run over --hosts takes a preset name (${WORKLOADS.join(', ')}); a preset file does not go into the control container yet`,
    );
  }
  const tags: string[] = [];
  for (const recipe of store.images ?? []) tags.push(await ensureImage(recipe, log));
  if (tags.length === 0) throw new Error(`store ${store.name} names no image for its control container`);
  await runtime.ensureImages(tags, log);

  const runId = `${new Date()
    .toISOString()
    .replace(/[^0-9TZ]/g, '')
    .toLowerCase()}-${randomBytes(3).toString('hex')}`;
  const labels = runLabels(runId);
  let control: ControlRun | undefined;
  let signals = 0;
  const forward = (signal: NodeJS.Signals) => {
    signals += 1;
    // A first Ctrl-C asks the run inside to stop cleanly; a second one forces it, as locally.
    log(`\n${signal}: passed to the run in the control container${signals > 1 ? ' again (forcing it)' : ''}`);
    void control?.interrupt(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const network = await runtime.createNetwork(runId, labels);
    if (signals > 0) throw new ExitError(130, 'dscheck: interrupted; nothing was started');
    const [, ...words] = reproduceArgs(config, { ...resolved, keys: resolved.workload.keys.length });
    // The same folder name inside and here: the history is followed into it as it is written.
    const { dir, timestamp } = createRunFolder(config.out, config.name);
    onFolder(dir);
    log(`starting the run in a control container on the Swarm (run ${runId})`);
    control = await controller.start({
      runId,
      labels,
      network,
      image: tags[0],
      packageRoot: packageInfo().root,
      argv: [...words, '--out', CONTROL_REPORTS, '--json'],
      stderr: process.stderr,
      folder: timestamp,
    });
    if (signals > 0) await control.interrupt('SIGINT');
    // A copy as it is written, should the link drop; the copy of the folder at the end replaces it.
    const history = createWriteStream(join(dir, 'history.ndjson'));
    const followed = control
      .follow(`${CONTROL_REPORTS}/${config.name}/${timestamp}/history.ndjson`, history)
      .catch((err: unknown) => log(`following the history: ${String(err)}`));
    const exitCode = await control.exited;
    await followed;
    await new Promise((done) => history.end(done));
    const answer = lastJson(control.stdout());
    const inside = typeof answer?.folder === 'string' ? answer.folder : undefined;
    if (inside) await copyReports(control, resolve(config.out));
    const folder = inside && dir;
    if (!answer)
      throw new ExitError(exitCode, `dscheck: the run in the control container ended with exit ${exitCode}`);
    return {
      answer: {
        ...answer,
        exitCode: typeof answer.exitCode === 'number' ? answer.exitCode : exitCode,
        ...(folder ? { folder, report: resolve(folder, 'index.html') } : {}),
      },
      folder,
    };
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    await control?.remove().catch((err: unknown) => log(`removing the control container: ${String(err)}`));
    const left = await runtime.removeRun(runId);
    if (left.length > 0)
      log(`could not remove all of run ${runId} ('dscheck clean --hosts ...'): ${left.join('; ')}`);
  }
}

/** Copies the control container's reports folder into `out` (the reports index is rebuilt here). */
async function copyReports(control: ControlRun, out: string): Promise<void> {
  mkdirSync(out, { recursive: true });
  const archive = await control.archive(CONTROL_REPORTS);
  const { execa } = await import('execa');
  const top = CONTROL_REPORTS.split('/').pop() as string;
  const tar = execa('tar', ['-x', '-C', out, '--strip-components=1', '--exclude', `${top}/index.html`], {
    stdin: 'pipe',
    stdout: 'ignore',
  });
  if (!tar.stdin) throw new Error('tar has no input');
  archive.pipe(tar.stdin);
  await tar;
  await writeReportsIndex(out);
}

function lastJson(text: string): (Record<string, unknown> & { exitCode?: unknown }) | undefined {
  const line = text.trim().split('\n').pop();
  if (!line) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
