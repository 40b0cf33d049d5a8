import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { syntheticHistory } from '../generator/synthetic.js';
import { HistoryWriter } from '../history/writer.js';
import { benchSideBySide, hardKeysOneBad } from './porcupine.js';

/**
 * Checker benchmarks (npm run bench): the whole process is timed, Node's start-up included, as a
 * user would see it. Peak memory is the process's maximum resident set size from GNU time.
 */
const root = join(import.meta.dirname, '../../..');
const dscheck = join(root, 'bin/dscheck.js');

export interface Measured {
  wallMs: number;
  /** User + system CPU time (GNU time): less coloured by other work on the machine than wall time. */
  cpuMs?: number;
  maxRssMb?: number;
  exitCode: number;
  stdout: string;
}

/** Runs `node script ...args` (the CLI by default) and measures it. */
export async function timed(args: string[], script = dscheck): Promise<Measured> {
  const useGnuTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const r = useGnuTime
    ? await execa('/usr/bin/time', ['-f', '%M %U %S', 'node', script, ...args], { reject: false })
    : await execa('node', [script, ...args], { reject: false });
  const wallMs = performance.now() - started;
  const [rssKb, user, system] = useGnuTime
    ? (r.stderr.trim().split('\n').pop()?.split(' ').map(Number) ?? [])
    : [Number.NaN, Number.NaN, Number.NaN];
  const cpuMs = (user + system) * 1000;
  return {
    wallMs,
    cpuMs: Number.isFinite(cpuMs) ? cpuMs : undefined,
    maxRssMb: Number.isFinite(rssKb) ? rssKb / 1024 : undefined,
    exitCode: r.exitCode ?? -1,
    stdout: String(r.stdout),
  };
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
  // Three runs, medians: one run on a shared machine says as much about the load as about dscheck.
  const runs: Measured[] = [];
  for (let i = 0; i < MILLION_RUNS; i++) runs.push(await timed(['check', '--json', file]));
  const middle = (values: (number | undefined)[]): string => {
    const known = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    return known.length === 0 ? '?' : known[known.length >> 1].toFixed(0);
  };
  const exits = [...new Set(runs.map((r) => r.exitCode))].join('/');
  return (
    `1,000,000 operations over 1,000 keys, 32 clients, cas and ~1% pending (writes 30% of ops, 3% of them info), ` +
    `median of ${MILLION_RUNS} runs: ${middle(runs.map((r) => r.wallMs))} ms wall, ${middle(runs.map((r) => r.cpuMs))} ms CPU, ` +
    `peak ${middle(runs.map((r) => r.maxRssMb))} MB, exit ${exits} (goal: <= 3 s, <= 1 GB)`
  );
}

const MILLION_RUNS = 3;

/** The case where searching every key to its end costs minutes: dscheck's own time and memory. */
export async function benchHardKeys(): Promise<string> {
  const r = await timed(['check', hardKeysOneBad()]);
  return (
    `kv/c50-ok plus one failing key: ${r.wallMs.toFixed(0)} ms wall, ${r.cpuMs?.toFixed(0) ?? '?'} ms CPU, ` +
    `peak ${r.maxRssMb?.toFixed(0) ?? '?'} MB, exit ${r.exitCode} (goal: under 2 s)`
  );
}

export async function benchCheckerAll(): Promise<string[]> {
  return [...(await benchSideBySide()), await benchHardKeys(), await benchMillion()];
}

if (process.argv[1]?.endsWith('checker.js')) {
  for (const line of await benchCheckerAll()) console.log(line);
}
