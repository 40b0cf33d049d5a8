import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { syntheticHistory } from '../generator/synthetic.js';
import { HistoryWriter } from '../history/writer.js';

/**
 * Checker benchmarks (npm run bench): the whole process is timed, Node's start-up included, as a
 * user would see it. Peak memory is the process's maximum resident set size from GNU time.
 */
const root = join(import.meta.dirname, '../../..');
const shared = join(root, '../shared/histories');
const dscheck = join(root, 'bin/dscheck.js');

export interface Measured {
  wallMs: number;
  maxRssMb?: number;
  exitCode: number;
  stdout: string;
}

/** Runs `node script ...args` (the CLI by default) and measures it. */
export async function timed(args: string[], script = dscheck): Promise<Measured> {
  const useGnuTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const r = useGnuTime
    ? await execa('/usr/bin/time', ['-f', '%M', 'node', script, ...args], { reject: false })
    : await execa('node', [script, ...args], { reject: false });
  const wallMs = performance.now() - started;
  const rssKb = useGnuTime ? Number(r.stderr.trim().split('\n').pop()) : Number.NaN;
  return {
    wallMs,
    maxRssMb: Number.isFinite(rssKb) ? rssKb / 1024 : undefined,
    exitCode: r.exitCode ?? -1,
    stdout: String(r.stdout),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchPorcupine(runs = 7): Promise<string> {
  const rows = readFileSync(join(shared, 'porcupine/EXPECTED.tsv'), 'utf8').trim().split('\n').slice(1);
  const files = rows
    .map((row) => row.split('\t'))
    .filter(([, , ops]) => Number(ops) > 0)
    .map(([path]) => join(shared, 'porcupine', path));
  const times: number[] = [];
  let last: Measured | undefined;
  for (let i = 0; i < runs; i++) {
    last = await timed(['check', ...files]);
    times.push(last.wallMs);
  }
  return (
    `Porcupine's ${files.length} histories in one dscheck check call: median ${median(times).toFixed(0)} ms wall ` +
    `(min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}, ${runs} runs, exit ${last?.exitCode}, ` +
    `peak ${last?.maxRssMb?.toFixed(0) ?? '?'} MB)`
  );
}

export async function benchMillion(): Promise<string> {
  const dir = join(root, '.bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'register-1m.ndjson');
  if (!existsSync(file)) {
    const writer = new HistoryWriter(file);
    for (const event of syntheticHistory({
      operations: 1_000_000,
      keys: 1_000,
      clients: 32,
      pendingWrites: 0.03,
      seed: 1,
    })) {
      writer.append(event);
    }
    writer.close();
  }
  const r = await timed(['check', '--json', file]);
  return (
    `1,000,000 operations over 1,000 keys, 32 clients, cas and ~1% pending (writes 30% of ops, 3% of them info): ` +
    `${r.wallMs.toFixed(0)} ms wall, peak ${r.maxRssMb?.toFixed(0) ?? '?'} MB, exit ${r.exitCode}`
  );
}

export async function benchCheckerAll(): Promise<string[]> {
  return [await benchPorcupine(), await benchMillion()];
}

if (process.argv[1]?.endsWith('checker.js')) {
  for (const line of await benchCheckerAll()) console.log(line);
}
