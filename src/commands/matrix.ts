import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, ExitError } from '../errors.js';
import { MAX_SEED } from '../generator/random.js';
import { loadMatrixPreset, MATRIX_OPTIONS, type PlannedRun, planMatrix } from '../matrix/plan.js';
import { attributeOf, optionWords } from '../options/spec.js';
import { type CompareFolder, writeComparePage } from '../report/compare/writer.js';
import { createRunFolder, writeJson } from '../run/folder.js';
import { runOptionSpecs, shellQuote } from '../run/options.js';

/** `dscheck matrix`'s options: MATRIX_OPTIONS by attribute (`timeLimit`), and where the grid goes. */
export interface MatrixCliOptions {
  readonly [attribute: string]: string | undefined;
  out: string;
}

/** What became of one run of the grid. */
interface RunOutcome {
  planned: PlannedRun;
  dir?: string;
  /** The run command's exit code: 0 valid, 1 invalid, 2 unknown, 130 interrupted, 254/255 could not run. */
  code: number;
  message?: string;
  seconds: number;
  /** The grid was interrupted while this run went: its verdict covers what it recorded before. */
  interrupted: boolean;
}

/**
 * `dscheck matrix <preset>`: every variant of the preset as a run, one after the other (the runs
 * share the machine's cores and would disturb each other's timing), then one comparison page.
 * Every variant is validated before the first run starts. Ctrl-C stops the current run the way
 * `dscheck run` stops (its folder and results are kept), skips the rest and still writes the page.
 * Exit code: 130 after an interrupt, else 1 if any run was invalid, 2 if any was unknown or could
 * not run, 0 when every run was valid.
 */
export async function matrix(
  presetArg: string,
  options: MatrixCliOptions,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<void> {
  const specs = runOptionSpecs();
  const preset = loadMatrixPreset(presetArg, specs);
  const seed = options.seed === undefined ? randomInt(0, MAX_SEED + 1) : Number(options.seed);
  const overrides = Object.fromEntries(
    MATRIX_OPTIONS.map((spec) => [attributeOf(spec.name), options[attributeOf(spec.name)]]),
  );
  const plan = planMatrix(preset, { out: options.out, overrides, seed }, specs);
  const command = gridCommand(presetArg, { ...options, seed: options.seed ?? String(seed) });

  const { dir } = createRunFolder(options.out, `matrix-${preset.name}`);
  const page = join(dir, 'index.html');
  const total = plan.length;
  const planned = plan.reduce((s, p) => s + p.resolved.config.timeLimitS, 0);
  err.write(
    `dscheck matrix ${preset.name}: ${total} runs of ${preset.source}, seed ${seed}, ` +
      `${planned < 120 ? `${planned} s` : `about ${Math.round(planned / 60)} min`} of clients plus start-up; folder ${resolve(dir)}\n`,
  );

  let interrupted = false;
  let signals = 0;
  // The run in progress has its own handler (it stops, heals and writes its results); this one
  // only stops the grid. A second signal ends the process as the signal would.
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    if (++signals === 1) return;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.kill(process.pid, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const started = performance.now();
  const outcomes: RunOutcome[] = [];
  try {
    const { run } = await import('./run.js');
    for (const [i, p] of plan.entries()) {
      if (interrupted) break;
      const place = `${i + 1}/${total} ${p.variant.name}`;
      err.write(
        `\n[matrix ${place}] ${p.variant.label} (grid elapsed ${clock(performance.now() - started)})\n`,
      );
      const outcome = await runVariant(run, p, {
        out,
        err,
        prefix: () => `[${place} ${clock(performance.now() - started)}] `,
      });
      outcome.interrupted = interrupted;
      outcomes.push(outcome);
      writeJson(join(dir, 'matrix.json'), matrixRecord(preset.name, preset.source, seed, command, outcomes));
    }

    const folders: CompareFolder[] = outcomes
      .filter((o) => o.dir !== undefined && existsSync(join(o.dir, 'test.json')))
      .map((o) => ({ dir: o.dir as string, label: o.planned.variant.label }));
    const skipped = plan.slice(outcomes.length).map((p) => p.variant.label);
    const { path, runs } = await writeComparePage(folders, page, {
      title: preset.title,
      explanation: preset.explanation,
      lookFor: preset.lookFor,
      command,
      skipped,
    });
    out.write(
      `\nmatrix ${preset.name}: ${outcomes.length} of ${total} runs in ${clock(performance.now() - started)}\n`,
    );
    for (const o of outcomes) {
      const shown = runs.find((r) => o.dir !== undefined && r.label === o.planned.variant.label);
      out.write(
        `  ${o.planned.variant.name}: ${verdictWord(o.code)}${o.interrupted && o.code !== 130 ? ', interrupted' : ''}, ${o.seconds} s${shown ? '' : ' (not on the page: no run folder)'}\n`,
      );
    }
    if (skipped.length > 0) out.write(`  not run (interrupted): ${skipped.join(', ')}\n`);
    out.write(`comparison: ${resolve(path)}\n`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const code = interrupted ? 130 : gridCode(outcomes.map((o) => o.code));
  if (code !== EXIT.valid) throw new ExitError(code);
}

/** One run of the grid; a run that fails is an outcome with its exit code, never a throw. */
async function runVariant(
  run: typeof import('./run.js').run,
  planned: PlannedRun,
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; prefix: () => string },
): Promise<RunOutcome> {
  const outcome: RunOutcome = { planned, code: EXIT.valid, seconds: 0, interrupted: false };
  const runStarted = performance.now();
  try {
    await run(planned.cli, io.out, {
      onFolder: (runDir) => {
        outcome.dir = runDir;
      },
      progressPrefix: io.prefix,
    });
  } catch (e) {
    outcome.code = e instanceof ExitError ? e.code : EXIT.crash;
    outcome.message = e instanceof Error ? e.message : String(e);
    if (outcome.code !== EXIT.invalid && outcome.code !== EXIT.unknown && outcome.message)
      io.err.write(`${outcome.message}\n`);
  }
  outcome.seconds = Math.round((performance.now() - runStarted) / 1000);
  return outcome;
}

/** The grid's exit code from its runs' codes: invalid beats unknown; a run that could not run is unknown. */
export function gridCode(codes: readonly number[]): number {
  if (codes.includes(EXIT.invalid)) return EXIT.invalid;
  if (codes.some((c) => c !== EXIT.valid)) return EXIT.unknown;
  return EXIT.valid;
}

function verdictWord(code: number): string {
  switch (code) {
    case EXIT.valid:
      return 'valid';
    case EXIT.invalid:
      return 'invalid';
    case EXIT.unknown:
      return 'unknown';
    case 130:
      return 'interrupted';
    default:
      return 'could not run';
  }
}

function matrixRecord(
  name: string,
  source: string,
  seed: number,
  command: string,
  outcomes: readonly RunOutcome[],
): unknown {
  return {
    preset: name,
    source,
    seed,
    command,
    runs: outcomes.map((o) => ({
      variant: o.planned.variant.name,
      label: o.planned.variant.label,
      dir: o.dir,
      exitCode: o.code,
      interrupted: o.interrupted,
      seconds: o.seconds,
      message: o.message,
    })),
  };
}

/** The command line that repeats the grid, with its seed. */
function gridCommand(preset: string, options: MatrixCliOptions): string {
  const flags = [...MATRIX_OPTIONS, { name: 'out', value: 'dir' }].flatMap((spec) =>
    optionWords({ ...spec, help: '', read: String }, options[attributeOf(spec.name)]),
  );
  return ['dscheck', 'matrix', preset, ...flags].map(shellQuote).join(' ');
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
