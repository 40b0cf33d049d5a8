import { type Command, Option } from 'commander';
import { MODEL_NAMES } from './checker/linearizable/models.js';
import { addCheckCommand, baseProgram } from './cli-check.js';
import type { CleanOptions } from './commands/clean.js';
import type { CompareOptions } from './commands/compare.js';
import type { DoctorOptions } from './commands/doctor.js';
import type { ImagesBuildOptions, ImagesListOptions } from './commands/images.js';
import type { MatrixCliOptions } from './commands/matrix.js';
import type { ReportOptions } from './commands/report.js';
import type { RunCliOptions } from './commands/run.js';
import type { ServeOptions } from './commands/serve.js';
import { HISTORY_FORMATS } from './history/parse.js';
import { MATRIX_OPTIONS, MATRIX_PRESETS } from './matrix/plan.js';
import type { OptionSpec } from './options/spec.js';
import {
  HOSTS_OPTION,
  RUN_MODE_OPTIONS,
  RUN_OPTIONS,
  storeOptionSpecs,
  workloadOptionSpecs,
} from './run/options.js';
import { STORE_NAMES } from './stores/index.js';

/**
 * The command table only: each command is a typed function in src/commands/, loaded when it runs
 * so that `dscheck check` does not pay for Docker and store clients at start-up.
 */
export function buildProgram(): Command {
  const program = baseProgram();

  addCheckCommand(program);

  addRunCommand(program);
  program
    .command('compare')
    .description(
      'one page comparing run folders: a row per run, plots on shared axes, CAP and PACELC readings',
    )
    .argument('<run-dir...>', 'run folders (reports/<run>/<timestamp>, or reports/<run> for its latest)')
    .option('--out <file>', 'where the page goes', 'compare.html')
    .option('--title <text>', "the page's title")
    .action(async (dirs: string[], opts: CompareOptions) => {
      await (await import('./commands/compare.js')).compare(dirs, opts);
    });

  addMatrixCommand(program);
  program
    .command('report')
    .description('write the HTML report of a run folder, or of any history file (NDJSON or Jepsen EDN)')
    .argument('<target>', 'a run folder (reports/<run>/<timestamp>) or a history file')
    .addOption(
      new Option('--model <model>', 'for a history file: the object it operates on').choices(MODEL_NAMES),
    )
    .option('--initial-value <json>', "for a history file: the object's initial value, as JSON")
    .addOption(
      new Option('--format <format>', 'for a history file: its format (default: from the extension)').choices(
        HISTORY_FORMATS,
      ),
    )
    .option(
      '--out <file>',
      'where the page goes (default: index.html in the run folder, or beside the history)',
    )
    .action(async (target: string, opts: ReportOptions) => {
      const { report } = await import('./commands/report.js');
      await report(target, opts);
    });

  program
    .command('serve')
    .description('serve the reports folder on 127.0.0.1 and print its URL')
    .argument('[dir]', 'the reports folder', RUN_OPTIONS.out.default)
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .action(async (dir: string, opts: ServeOptions) => {
      const { serve } = await import('./commands/serve.js');
      await serve(dir, opts);
    });

  addToolCommands(program);
  return program;
}

/** `dscheck run`: every option from the run options table, grouped as generic, per store, per workload. */
function addRunCommand(program: Command): void {
  const run = program
    .command('run')
    .description(
      'start a cluster in Docker, run concurrent clients while injecting faults, check the history',
    )
    .action(async (opts: RunCliOptions) => {
      await (await import('./commands/run.js')).run(opts);
    });
  const groups: [string, readonly OptionSpec[]][] = [
    ['Options:', Object.values(RUN_OPTIONS)],
    ['Store options:', storeOptionSpecs()],
    ['Workload options:', workloadOptionSpecs()],
    ['Output:', Object.values(RUN_MODE_OPTIONS)],
  ];
  for (const [heading, specs] of groups) {
    for (const spec of specs) run.addOption(commanderOption(spec).helpGroup(heading));
  }
}

/** `dscheck matrix`: the run options the table marks for a whole grid, plus where it goes. */
function addMatrixCommand(program: Command): void {
  const matrix = program
    .command('matrix')
    .description(
      'run a grid of runs from a matrix preset, one after the other, and write their comparison page',
    )
    .argument('<preset>', `a preset (${MATRIX_PRESETS.join(', ')}) or a .yaml path`)
    .option('--out <dir>', 'where run folders and the matrix folder go', RUN_OPTIONS.out.default)
    .action(async (preset: string, opts: MatrixCliOptions) => {
      await (await import('./commands/matrix.js')).matrix(preset, opts);
    });
  for (const spec of MATRIX_OPTIONS) matrix.addOption(commanderOption(spec, spec.matrixHelp));
}

/**
 * The commander option of a table entry; defaults stay in the table (absent = not given). `help`
 * replaces the entry's own (matrix: "every run's ..."), whose default is then the preset's.
 */
export function commanderOption(spec: OptionSpec, help?: string): Option {
  const flags = spec.value === undefined ? `--${spec.name}` : `--${spec.name} <${spec.value}>`;
  const option = new Option(
    flags,
    help ?? (spec.default === undefined ? spec.help : `${spec.help} (default: ${spec.default})`),
  );
  // A repeatable option keeps every value given, in order.
  if (spec.repeatable)
    option.argParser((value: string, previous: unknown) => [
      ...(Array.isArray(previous) ? previous : []),
      value,
    ]);
  return option;
}

/** images, doctor, clean: the Docker side. */
function addToolCommands(program: Command): void {
  const images = program.command('images').description('the Docker images dscheck runs stores on');
  images
    .command('build')
    .description('build missing or out-of-date images (the base from debootstrap when no registry answers)')
    .option('--store <store>', `only this store's image: ${STORE_NAMES.join(', ')}`)
    .addOption(commanderOption(HOSTS_OPTION))
    .action(async (opts: ImagesBuildOptions) => {
      await (await import('./commands/images.js')).imagesBuild(opts);
    });
  images
    .command('list')
    .description('dscheck images with their recipe hash, size, age and whether they are current')
    .option('--json', 'one JSON object per image per line')
    .addOption(commanderOption(HOSTS_OPTION))
    .action(async (opts: ImagesListOptions) => {
      await (await import('./commands/images.js')).imagesList(opts);
    });

  program
    .command('doctor')
    .description('check that Docker, images, iptables and debootstrap are ready, and say what to fix')
    .option('--json', 'the checks as one JSON array')
    .addOption(commanderOption(HOSTS_OPTION))
    .action(async (opts: DoctorOptions) => {
      await (await import('./commands/doctor.js')).doctor(opts);
    });

  program
    .command('clean')
    .description('remove containers and networks left behind by dscheck runs that are no longer running')
    .option('--json', 'what was removed, as one JSON object')
    .addOption(commanderOption(HOSTS_OPTION))
    .action(async (opts: CleanOptions) => {
      await (await import('./commands/clean.js')).clean(opts);
    });
}
