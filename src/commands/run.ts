import { randomBytes, randomInt } from 'node:crypto';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeRun, type RunResults, summarize } from '../checker/analyze.js';
import { streamFromBytes } from '../checker/streaming/analyze.js';
import type { Validity } from '../checker/types.js';
import { formatBytes } from '../checker/words.js';
import { CHECKERS } from '../checkers.js';
import type { Runtime } from '../docker/runtime.js';
import { givenRunFolder, givenRunId, runtimeFor } from '../docker/swarm/runtime.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import { describeError } from '../exit.js';
import { MAX_SEED, Random } from '../generator/random.js';
import { Recorder } from '../history/recorder.js';
import { HistoryWriter } from '../history/writer.js';
import { shownPath } from '../io/files.js';
import { createFaults, createMonitors } from '../nemesis/index.js';
import { NemesisRunner } from '../nemesis/runner.js';
import { planSchedule } from '../nemesis/schedule.js';
import { readOptions } from '../options/spec.js';
import { writeReportsIndex, writeRunReport } from '../report/writer.js';
import { Checkpoints } from '../run/checkpoint.js';
import { runInControl } from '../run/control.js';
import {
  BYTES_PER_OPERATION,
  type DiskEstimate,
  describeEarlyStop,
  describeEstimate,
  type EarlyStop,
  estimateDisk,
  growthOf,
  MEASURE_AFTER_S,
  UNKNOWN_BYTES_PER_OPERATION,
} from '../run/disk.js';
import { DiskWatch, diskSpace, tempOnSameDisk } from '../run/disk-watch.js';
import { createRunFolder, updateLatestLink, writeJson } from '../run/folder.js';
import { Interrupt } from '../run/interrupt.js';
import { RUN_MODE_OPTIONS, type RunCliOptions, type RunConfig, reproduceCommand } from '../run/options.js';
import { packageInfo } from '../run/package.js';
import { Progress } from '../run/progress.js';
import { type ResolvedRun, resolveRun } from '../run/resolve.js';
import { WorkerPool } from '../run/workers.js';
import { type Db, hasLogs } from '../stores/types.js';

export type { RunCliOptions } from '../run/options.js';

/** The linearizability search's budget after a complete run (as `dscheck check`'s default). */
const CHECK_TIMEOUT_MS = 300_000;

/** For a caller that runs several runs (`dscheck matrix`). */
export interface RunHooks {
  /** Called with the run folder as soon as it exists, so an interrupted run's folder is known. */
  onFolder?: (dir: string) => void;
  /** Put before the live progress line: where this run stands in a grid. */
  progressPrefix?: () => string;
}

interface RunContext extends ResolvedRun {
  runtime: Runtime;
  dir: string;
  runId: string;
  recorder: Recorder;
  progress: Progress;
  interrupt: Interrupt;
  disk: DiskWatch;
  /** Sets what stops the clients when the disk is nearly full (as the time limit would). */
  onDiskFull: (stopClients: () => void) => void;
  log: (message: string) => void;
}

interface RunPhaseOutcome {
  nemesisErrors: string[];
  faultDelays: Record<string, number[]>;
  /** Set when the run stopped before its time limit because the disk was nearly full. */
  stoppedEarly?: EarlyStop;
}

/** test.json's `disk`: the folder's disk at start, the estimate from the plan and the one measured. */
interface DiskPlan {
  freeBytes: number;
  totalBytes: number;
  estimate?: DiskEstimate;
  measured?: DiskEstimate;
}

/** What `dscheck run --json` prints on stdout at the end: one object, for scripts and CI. */
export type RunAnswer =
  | {
      verdict: 'valid' | 'invalid' | 'unknown';
      exitCode: number;
      folder: string;
      report: string;
      seed: number;
      interrupted: boolean;
      /** Set when the disk was nearly full: the clients stopped before the time limit. */
      stoppedEarly?: EarlyStop;
      /** Each checker that ran: its verdict and the lines the terminal shows. */
      checkers: Record<string, { valid: Validity; summary: string[] }>;
    }
  | { dryRun: true; exitCode: 0; command: string; test: Record<string, unknown> }
  | { error: string; exitCode: number };

/**
 * `dscheck run`: starts a cluster, runs the workload's processes while the nemesis injects
 * faults, heals, reads every key once more, tears down, and judges the stored history. The
 * lifetimes nest (history > cluster > clients and nemesis), each cleaned up in `finally`; a
 * clean-up failure is logged and never hides the error that came first. The verdict is the exit
 * code (0 valid, 1 invalid, 2 unknown) through ExitError. `--dry-run` stops after the checks and
 * prints the plan; `--json` moves the text to stderr and prints one RunAnswer on `out`.
 */
export async function run(
  cli: RunCliOptions,
  out: NodeJS.WritableStream = process.stdout,
  hooks: RunHooks = {},
): Promise<void> {
  const mode = readOptions(RUN_MODE_OPTIONS, cli);
  if (!mode.json) {
    const answer = await runOnce(cli, mode, out, hooks);
    if (answer.exitCode !== EXIT.valid) throw new ExitError(answer.exitCode);
    return;
  }
  let answer: RunAnswer;
  try {
    answer = await runOnce(cli, mode, process.stderr, hooks);
  } catch (err) {
    const { code, message } = describeError(err);
    answer = { error: message.replace(/^dscheck(?: crashed)?: /, ''), exitCode: code };
    out.write(`${JSON.stringify(answer)}\n`);
    throw err;
  }
  out.write(`${JSON.stringify(answer)}\n`);
  if (answer.exitCode !== EXIT.valid) throw new ExitError(answer.exitCode);
}

/** The plan of a run as test.json will hold it: the reproduce command and every resolved option. */
function planTest(resolved: ResolvedRun) {
  const { config, store, topology, readFrom, nodes, storeValues, workload } = resolved;
  const keys = workload.keys.length;
  const command = reproduceCommand(config, { ...resolved, keys });
  const { storeOptions: _given, ...generic } = config;
  return {
    name: config.name,
    seed: config.seed,
    command,
    options: { ...generic, topology, readFrom, keys, nodes, ...storeValues },
    store: { name: store.name, topology, nodes, readFrom, ...storeValues, ...store.describe?.(topology) },
    workload: { name: workload.name, source: workload.source, definition: workload.definition },
  };
}

/** One run (or its plan, for a dry run): the text goes to `out`, the answer is returned. */
async function runOnce(
  cli: RunCliOptions,
  { dryRun, checkpointMin }: { dryRun: boolean; checkpointMin: number },
  out: NodeJS.WritableStream,
  hooks: RunHooks,
): Promise<Exclude<RunAnswer, { error: string }>> {
  const resolved = resolveRun(cli, () => randomInt(0, MAX_SEED + 1));
  const plan = planTest(resolved);
  if (dryRun) {
    out.write(`${plan.command}\n${JSON.stringify(plan.options, null, 2)}\n`);
    return { dryRun: true, exitCode: 0, command: plan.command, test: plan };
  }
  const { config } = resolved;
  // Hosts that cannot carry the run are refused (exit 254, each named) before any folder or container.
  const runtime = await runtimeFor(config.hosts);
  if (runtime.control) return runElsewhere(resolved, runtime, runtime.control, out, hooks);

  const { dir, timestamp } = createRunFolder(config.out, config.name, new Date(), givenRunFolder());
  hooks.onFolder?.(dir);
  const runId =
    givenRunId() ?? `${timestamp.replace(/[^0-9TZ]/g, '').toLowerCase()}-${randomBytes(3).toString('hex')}`;
  // test.json's fields in their long-standing order: name, runId, then the plan.
  const { name, ...planned } = plan;
  const test = {
    name,
    runId,
    ...planned,
    versions: { dscheck: packageInfo().version, node: process.version },
    startedAt: new Date().toISOString(),
    argv: process.argv.slice(2),
    disk: startEstimate(resolved, dir, checkpointMin),
  };
  writeJson(join(dir, 'test.json'), test);
  process.stderr.write(`dscheck run ${config.name}: seed ${config.seed}, folder ${shownPath(dir)}\n`);
  process.stderr.write(`${diskLines(test.disk, config.rate).join('\n')}\n`);

  const historyFile = join(dir, 'history.ndjson');
  const writer = new HistoryWriter(historyFile, undefined, (err) => {
    log(`writing the history failed (${err.message}): the history ends here`);
    disk.writeFailed();
  });
  const recorder = new Recorder(writer);
  let describeFault = () => 'none';
  const progress = new Progress({
    stream: process.stderr,
    recorder,
    totalS: config.timeLimitS,
    prefix: hooks.progressPrefix,
    fault: () => describeFault(),
  });
  const log = (message: string) => progress.log(message);
  const interrupt = new Interrupt(log);
  const checkpoints = new Checkpoints({
    dir,
    everyMs: checkpointMin * 60_000,
    flush: () => {
      writer.flush();
      return { bytes: statSync(historyFile).size, atS: recorder.elapsedMs() / 1000 };
    },
    fits: (bytes): boolean => disk.checkpointFits(bytes),
    log,
  });
  let stoppedEarly: EarlyStop | undefined;
  let stopClients = () => {};
  const disk = new DiskWatch({
    dir,
    historyFile,
    timeLimitS: config.timeLimitS,
    checkpointMin,
    growth: growthOf(clientKind(resolved.workload)),
    elapsedS: () => recorder.elapsedMs() / 1000,
    operations: () => recorder.tally.ok + recorder.tally.fail + recorder.tally.info,
    checkpoint: checkpoints,
    onMeasured: (estimate) => {
      log(describeEstimate(estimate).join('\n'));
      test.disk.measured = estimate;
      quietly(log, 'updating test.json', () => writeJson(join(dir, 'test.json'), test));
    },
    onFull: (stop) => {
      stoppedEarly = stop;
      log(
        `the disk is nearly full (${formatBytes(stop.freeBytes)} free, ${formatBytes(stop.reserveBytes)} kept free): ` +
          'stopping the clients early; the verdict covers what was recorded',
      );
      checkpoints.stop();
      stopClients();
    },
    log,
  });
  progress.showHistory(() => disk.historyBytes());
  const context: RunContext = {
    ...resolved,
    runtime,
    dir,
    runId,
    recorder,
    progress,
    interrupt,
    disk,
    onDiskFull: (stop) => {
      stopClients = stop;
    },
    log,
  };

  let outcome: RunPhaseOutcome;
  try {
    progress.start();
    checkpoints.start();
    outcome = await withCluster(context, (db) => {
      recordPlacement(join(dir, 'test.json'), test, db);
      return runPhases(context, db, (describe) => {
        describeFault = describe;
      });
    });
    outcome.stoppedEarly = stoppedEarly;
  } catch (err) {
    interrupt.dispose();
    throw startError(err, config.store);
  } finally {
    disk.stop();
    checkpoints.stop();
    progress.stop();
    quietly(log, 'closing the history', () => writer.close());
  }

  try {
    return await judge(context, outcome, out, timestamp);
  } finally {
    interrupt.dispose();
  }
}

/**
 * A run whose clients cannot run on this machine (nodes on a Swarm's overlay): the same run inside
 * a control container on the overlay; its folder is copied into --out and its answer is this one.
 */
async function runElsewhere(
  resolved: ResolvedRun,
  runtime: Runtime,
  control: NonNullable<Runtime['control']>,
  out: NodeJS.WritableStream,
  hooks: RunHooks,
): Promise<Exclude<RunAnswer, { error: string } | { dryRun: true }>> {
  let ran: Awaited<ReturnType<typeof runInControl>>;
  try {
    ran = await runInControl(
      resolved,
      runtime,
      control,
      (line) => process.stderr.write(`${line}\n`),
      hooks.onFolder,
    );
  } catch (err) {
    throw startError(err, resolved.config.store);
  }
  const { answer, folder } = ran;
  // The run inside has already said what went wrong (its standard error is this one).
  if ('error' in answer || !folder) throw new ExitError(answer.exitCode);
  out.write(`report: ${shownPath(join(folder, 'index.html'))} (copied from the control container)\n`);
  return answer as Exclude<RunAnswer, { error: string } | { dryRun: true }>;
}

/** Checks the recorded history, writes results.json, the report and the index, prints the verdict. */
async function judge(
  context: RunContext,
  outcome: RunPhaseOutcome,
  out: NodeJS.WritableStream,
  timestamp: string,
): Promise<Exclude<RunAnswer, { error: string } | { dryRun: true }>> {
  const { config, workload, topology, dir, interrupt, log } = context;
  const historyFile = join(dir, 'history.ndjson');
  process.stderr.write('checking the history...\n');
  const checkTimeoutMs = interrupt.interrupted
    ? Math.max(1_000, interrupt.remainingMs() - 3_000)
    : CHECK_TIMEOUT_MS;
  const results: RunResults = await analyzeRun(historyFile, workload.checkers, {
    checkTimeoutMs,
    interrupted: interrupt.interrupted,
    nemesisErrors: outcome.nemesisErrors,
    faultDelays: outcome.faultDelays,
  });
  if (outcome.stoppedEarly) results.stoppedEarly = outcome.stoppedEarly;
  const summary = summarize(
    {
      name: config.name,
      store: config.store,
      topology,
      workload: workload.name,
      nemesis: describeNemesis(config),
      timeLimitS: config.timeLimitS,
      concurrency: config.concurrency,
      seed: config.seed,
    },
    results,
  );
  if (outcome.stoppedEarly) summary.splice(2, 0, describeEarlyStop(outcome.stoppedEarly, config.timeLimitS));
  writeJson(join(dir, 'results.json'), results);
  // A page that cannot be written is logged: the verdict and its exit code still stand.
  await quietlyAsync(log, 'writing the report', async () => void (await writeRunReport(dir)));
  await quietlyAsync(
    log,
    'updating reports/index.html',
    async () => void (await writeReportsIndex(config.out)),
  );
  quietly(log, 'updating the latest link', () => updateLatestLink(dir, timestamp));
  const report = join(shownPath(dir), 'index.html');
  out.write(`${summary.join('\n')}\nreport: ${report}\n`);
  const exitCode = verdictCode(results);
  return {
    verdict: results.valid === true ? 'valid' : results.valid === false ? 'invalid' : 'unknown',
    exitCode,
    folder: resolve(dir),
    report: resolve(dir, 'index.html'),
    seed: config.seed,
    interrupted: results.interrupted,
    ...(outcome.stoppedEarly ? { stoppedEarly: outcome.stoppedEarly } : {}),
    checkers: Object.fromEntries(
      CHECKERS.filter((checker) => results.checkers[checker.name] !== undefined).map((checker) => [
        checker.name,
        {
          valid: results.checkers[checker.name]?.valid ?? 'unknown',
          summary: checker.summary(results.checkers),
        },
      ]),
    ),
  };
}

/** Starts the cluster, runs `body` with it, and always collects its logs and tears it down. */
async function withCluster<T>(context: RunContext, body: (db: Db) => Promise<T>): Promise<T> {
  const { config, store, topology, readFrom, nodes, runId, log, interrupt, progress, dir, runtime } = context;
  progress.setPhase('starting');
  const db = await store.start({
    runtime,
    runId,
    topology,
    nodes,
    readFrom,
    storeOptions: config.storeOptions,
    serverOptions: config.serverOptions,
    timeoutMs: config.timeoutMs,
    clockFaults: config.nemesis.includes('clock'),
    log,
    signal: interrupt.signal,
  });
  try {
    return await body(db);
  } finally {
    progress.setPhase('teardown');
    if (hasLogs(db))
      await quietlyAsync(log, 'collecting node logs', () => db.collectLogs(join(dir, 'nodes')));
    await quietlyAsync(log, 'tearing down the cluster', () => db.teardown());
  }
}

/**
 * On a run over several hosts, test.json names the host of every node (the report shows it);
 * a local run's test.json stays as it was.
 */
function recordPlacement(file: string, test: { store: Record<string, unknown> }, db: Db): void {
  const placed = db.nodes.filter((n) => n.host !== undefined);
  if (placed.length === 0) return;
  test.store.placement = Object.fromEntries(placed.map((n) => [n.name, n.host]));
  writeJson(file, test);
}

/** Clients and nemesis for the time limit, then heal, recover, final reads. */
async function runPhases(
  context: RunContext,
  db: Db,
  setFaultDescriber: (describe: () => string) => void,
): Promise<RunPhaseOutcome> {
  const { config, workload, recorder, progress, interrupt, disk, log } = context;
  interrupt.signal.throwIfAborted();
  const root = Random.fromSeed(config.seed);
  const nemesisRandom = root.derive('nemesis');
  const faults = createFaults(config.nemesis, {
    db,
    random: nemesisRandom,
    partition: config.partition,
    loss: config.loss,
    clock: { kind: config.clock, skewMs: config.clockSkewMs, windowMs: config.nemesisIntervalS * 1000 },
    log,
  });
  const timeLimitMs = config.timeLimitS * 1000;
  const warmUpMs = (workload.warmUpS ?? 0) * 1000;
  const nemesis = new NemesisRunner({
    faults,
    steps: planSchedule({
      kinds: config.nemesis,
      intervalMs: config.nemesisIntervalS * 1000,
      timeLimitMs,
      random: nemesisRandom.derive('schedule'),
      warmUpMs,
    }),
    recorder,
    log,
    monitors: createMonitors(config.nemesis, { db, recorder, log }),
  });
  setFaultDescriber(() => nemesis.describe());
  const pool = await WorkerPool.open({
    db,
    workload,
    recorder,
    random: root.derive('workers'),
    concurrency: config.concurrency,
    timeoutMs: config.timeoutMs,
    rate: config.rate,
    log,
  });
  // Ctrl-C and a nearly full disk stop the clients and the faults as the time limit does.
  const stopClients = () => {
    pool.stop();
    nemesis.stop();
  };
  const stopOnInterrupt = interrupt.onInterrupt(stopClients);
  context.onDiskFull(stopClients);
  try {
    try {
      recorder.startClock();
      // Marks the stretch without faults at the start, so checkers can leave the cold start out.
      if (warmUpMs > 0) recorder.nemesis('warm-up', { untilMs: warmUpMs });
      progress.setPhase('running');
      disk.start();
      const nemesisDone = nemesis.run();
      await pool.run(timeLimitMs);
      nemesis.stop();
      await nemesisDone;
    } finally {
      disk.stop();
      pool.stop();
      nemesis.stop();
      progress.setPhase('healing');
      await quietlyAsync(log, 'healing', () => nemesis.healAll());
    }
    if (!interrupt.interrupted) {
      progress.setPhase('recovery');
      await sleep(config.recoveryS * 1000, interrupt.signal);
    }
    if (!interrupt.interrupted) {
      progress.setPhase('final reads');
      await pool.runFinal(workload.finalOps());
    }
  } finally {
    stopOnInterrupt();
    await quietlyAsync(log, 'closing clients', () => pool.close());
  }
  return { nemesisErrors: nemesis.errors, faultDelays: nemesis.delays };
}

function describeNemesis(config: RunConfig): string {
  if (config.nemesis.length === 0) return 'none';
  const shape = config.nemesis.includes('partition') ? ` (partition ${config.partition})` : '';
  return `${config.nemesis.join(', ')}${shape}`;
}

function verdictCode(results: RunResults): number {
  return results.valid === true ? EXIT.valid : results.valid === false ? EXIT.invalid : EXIT.unknown;
}

/** A failure before any verdict: usage problems stay usage problems; the rest get a clear message. */
function startError(err: unknown, store: string): unknown {
  if (err instanceof UsageError || err instanceof ExitError) return err;
  if (err instanceof Error && err.name === 'AbortError')
    return new ExitError(130, 'dscheck: interrupted; the cluster was removed');
  const message = err instanceof Error ? err.message : String(err);
  if (/^interrupted by SIG/.test(message))
    return new ExitError(130, 'dscheck: interrupted; the cluster was removed');
  return new ExitError(EXIT.crash, `dscheck: the ${store} run failed: ${message}`);
}

function quietly(log: (m: string) => void, what: string, action: () => void): void {
  try {
    action();
  } catch (err) {
    log(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function quietlyAsync(
  log: (m: string) => void,
  what: string,
  action: () => Promise<void>,
): Promise<void> {
  try {
    await action();
  } catch (err) {
    log(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The disk the history will need, from the asked rate and the workload's bytes per operation
 * (src/run/disk.ts), against the free space of the run folder's disk; at full speed the estimate
 * waits for the rate measured over the first seconds.
 */
function startEstimate({ config, workload }: ResolvedRun, dir: string, checkpointMin: number): DiskPlan {
  const space = diskSpace(dir);
  const client = clientKind(workload);
  const estimate = estimateDisk({
    opsPerS: config.rate > 0 ? config.rate : undefined,
    bytesPerOperation:
      (client === undefined ? undefined : BYTES_PER_OPERATION[client]) ?? UNKNOWN_BYTES_PER_OPERATION,
    growth: growthOf(client),
    timeLimitS: config.timeLimitS,
    checkpointMin,
    ...space,
    tempOnSameDisk: tempOnSameDisk(dir),
    streamFromBytes: streamFromBytes(),
  });
  return estimate ? { estimate, ...space } : space;
}

/** The workload's client kind, as its preset names it (`client:`). */
function clientKind(workload: ResolvedRun['workload']): string | undefined {
  const client = (workload.definition as { client?: unknown } | null)?.client;
  return typeof client === 'string' ? client : undefined;
}

/** The start-up lines about the disk. */
function diskLines(disk: DiskPlan, rate: number): string[] {
  if (disk.estimate) return describeEstimate(disk.estimate);
  const why = rate === 0 ? 'at full speed (--rate 0)' : 'growing with whole-set or whole-list reads';
  return [
    `history: ${why}, its size is estimated after the first ${MEASURE_AFTER_S} s; ${formatBytes(disk.freeBytes)} free`,
  ];
}
