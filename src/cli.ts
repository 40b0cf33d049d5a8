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
import { PARTITION_SHAPES } from './nemesis/grudge.js';
import { NEMESIS_KINDS } from './nemesis/schedule.js';
import { RUN_DEFAULTS } from './run/options.js';
import { STORE_NAMES } from './stores/index.js';
import { WORKLOADS } from './workloads/index.js';

/**
 * The command table only: each command is a typed function in src/commands/, loaded when it runs
 * so that `dscheck check` does not pay for Docker and store clients at start-up.
 */
export function buildProgram(): Command {
  const program = baseProgram();

  addCheckCommand(program);

  const d = RUN_DEFAULTS;
  program
    .command('run')
    .description(
      'start a cluster in Docker, run concurrent clients while injecting faults, check the history',
    )
    .option('--store <store>', `the data store: ${STORE_NAMES.join(', ')}`, d.store)
    .option(
      '--workload <workload>',
      `a preset (${WORKLOADS.join(', ')}) or the path of a .yaml preset`,
      d.workload,
    )
    .option('--nemesis <kinds>', `faults, comma-separated: ${NEMESIS_KINDS.join(', ')}; or none`, d.nemesis)
    .option('--time-limit <seconds>', 'how long the clients run', d.timeLimit)
    .option(
      '--seed <n>',
      'random seed (0..4294967295); the same seed gives the same operations and faults (default: random, printed)',
    )
    .option('--concurrency <n>', 'concurrent client processes', d.concurrency)
    .option('--rate <ops/s>', 'total operations per second; 0 = as fast as the store answers', d.rate)
    .option('--keys <n>', "number of keys (default: the workload's)")
    .option(
      '--topology <topology>',
      "cluster topology (default: the store's; redis: replicated, sentinel; mysql: async, semisync, galera)",
    )
    .option(
      '--read-from <where>',
      "where clients read (default: the store's first choice; redis: primary, replicas; mysql: primary, replicas, any)",
    )
    .option('--nodes <n>', "number of store nodes, 1..9 (default: the store's; 3)")
    .option(
      '--consistency <level>',
      'cassandra: one, quorum (default), all, or serial (lightweight transactions, SERIAL reads)',
    )
    .option('--lwt', 'cassandra: writes and cas as lightweight transactions, committed at --consistency')
    .option(
      '--wait-replicas <n>',
      'redis: after each write, WAIT until n replicas have it; a shortfall makes the write indeterminate',
    )
    .option(
      '--nemesis-interval <seconds>',
      'length of each healthy and each faulty period',
      d.nemesisInterval,
    )
    .option('--partition <shape>', `partition shape: ${PARTITION_SHAPES.join(', ')}`, d.partition)
    .option('--loss <share>', 'share of packets dropped by the loss nemesis (0..1)', d.loss)
    .option('--recovery <seconds>', 'wait after healing before the final reads', d.recovery)
    .option('--timeout <ms>', 'client operation timeout', d.timeout)
    .option('--out <dir>', 'where run folders go', d.out)
    .option('--name <name>', 'run name (default: <store>-<workload>-<nemesis>)')
    .option('--cache-nodes <n>', 'cache-aside: cache nodes in the shard map (default 3; same as --nodes)')
    .option('--sharding <how>', 'cache-aside: modulo or consistent (a hash ring; default)')
    .option('--ttl <seconds>', 'cache-aside: how long a cache entry lives (default 30)')
    .option('--ttl-jitter <share>', 'cache-aside: TTL spread, 0.1 = ±10% (default 0.1)')
    .option('--write-policy <policy>', 'cache-aside: invalidate (default) or write-through')
    .option('--db-timeout <ms>', 'cache-aside: deadline of a database call, pool wait included (default 500)')
    .option('--db-pool <n>', 'cache-aside: database connections shared by all clients (default 4)')
    .option(
      '--db-max-connections <n>',
      "cache-aside: the database's max_connections, 10 or more (default 50)",
    )
    .option(
      '--db-query-ms <ms>',
      'cache-aside: extra server time per database read, a heavier query (default 0)',
    )
    .option('--zipf <exponent>', 'cache-aside: key popularity, 0 = uniform (default 1)')
    .option('--keyspace <n>', 'cache-aside: number of keys (default 1000; same as --keys)')
    .option('--prefill <on|off>', 'cache-aside: load every key into the cache before the clients start')
    .option('--warm-up <seconds>', 'cache-aside: seconds without faults at the start (default 10)')
    .option('--restart <mode>', 'cache-aside, restart-cache nemesis: all (default), one, rolling')
    .option(
      '--db-capacity <qps>',
      'cache-aside: database queries/s it is sized for; above it the run is invalid',
    )
    .option(
      '--max-error-rate <share>',
      'cache-aside: largest acceptable share of failed operations (default 0.05)',
    )
    .action(async (opts: RunCliOptions) => {
      await (await import('./commands/run.js')).run(opts);
    });

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

  program
    .command('matrix')
    .description(
      'run a grid of runs from a matrix preset, one after the other, and write their comparison page',
    )
    .argument(
      '<preset>',
      'a preset (cap-cassandra, replication-mysql, redis-failover, cold-cache) or a .yaml path',
    )
    .option('--out <dir>', 'where run folders and the matrix folder go', d.out)
    .option('--time-limit <seconds>', "every run's time limit (default: the preset's)")
    .option('--seed <n>', "the seed of every run (default: the preset's, or random, printed)")
    .option('--nemesis-interval <seconds>', "every run's healthy and faulty periods (default: the preset's)")
    .option('--rate <ops/s>', "every run's total operations per second (default: the preset's)")
    .option('--concurrency <n>', "every run's client processes (default: the preset's)")
    .option('--recovery <seconds>', "every run's wait after healing (default: the preset's)")
    .action(async (preset: string, opts: MatrixCliOptions) => {
      await (await import('./commands/matrix.js')).matrix(preset, opts);
    });

  program
    .command('report')
    .description('write the HTML report of a run folder, or of any history file (NDJSON or Jepsen EDN)')
    .argument('<target>', 'a run folder (reports/<run>/<timestamp>) or a history file')
    .addOption(
      new Option('--model <model>', 'for a history file: the object it operates on').choices(MODEL_NAMES),
    )
    .option('--initial-value <json>', "for a history file: the object's initial value, as JSON")
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
    .argument('[dir]', 'the reports folder', d.out)
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .action(async (dir: string, opts: ServeOptions) => {
      const { serve } = await import('./commands/serve.js');
      await serve(dir, opts);
    });

  const images = program.command('images').description('the Docker images dscheck runs stores on');
  images
    .command('build')
    .description('build missing or out-of-date images (the base from debootstrap when no registry answers)')
    .option('--store <store>', `only this store's image: ${STORE_NAMES.join(', ')}`)
    .action(async (opts: ImagesBuildOptions) => {
      await (await import('./commands/images.js')).imagesBuild(opts);
    });
  images
    .command('list')
    .description('dscheck images with their recipe hash, size, age and whether they are current')
    .option('--json', 'one JSON object per image per line')
    .action(async (opts: ImagesListOptions) => {
      await (await import('./commands/images.js')).imagesList(opts);
    });

  program
    .command('doctor')
    .description('check that Docker, images, iptables and debootstrap are ready, and say what to fix')
    .option('--json', 'the checks as one JSON array')
    .action(async (opts: DoctorOptions) => {
      await (await import('./commands/doctor.js')).doctor(opts);
    });

  program
    .command('clean')
    .description('remove containers and networks left behind by dscheck runs that are no longer running')
    .option('--json', 'what was removed, as one JSON object')
    .action(async (opts: CleanOptions) => {
      await (await import('./commands/clean.js')).clean(opts);
    });

  return program;
}
