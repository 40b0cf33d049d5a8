import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * dscheck against Porcupine (v1.3.1, built with Go from ../shared/bench/porcupine) on the same
 * files, whole processes, interleaved (dscheck, Porcupine, dscheck, Porcupine ...) because the
 * machine is shared and absolute times drift; the figure quoted is the median of the per-pair
 * ratios. Without `go` on the PATH the comparison is skipped with a note.
 */
const root = join(import.meta.dirname, '../../..');
const shared = join(root, '../shared');
const cache = join(root, '.bench');
const dscheck = join(root, 'bin/dscheck.js');

/** Builds the Porcupine harness into .bench/ once; undefined when Go is missing. */
async function porcupineBinary(): Promise<string | undefined> {
  const go = await execa('go', ['version'], { reject: false }).catch(() => undefined);
  if (go?.exitCode !== 0) return undefined;
  const dir = join(cache, 'porcupine');
  const binary = join(dir, 'porcbench');
  const source = join(shared, 'bench/porcupine/main.go');
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  mkdirSync(dir, { recursive: true });
  cpSync(join(shared, 'bench/porcupine'), dir, { recursive: true });
  await execa('go', ['build', '-o', 'porcbench', '.'], { cwd: dir });
  return binary;
}

/** Porcupine's 108 non-empty histories. */
export function porcupineFiles(): string[] {
  const dir = join(shared, 'histories/porcupine');
  return readFileSync(join(dir, 'EXPECTED.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split('\t'))
    .filter(([, , ops]) => Number(ops) > 0)
    .map(([path]) => join(dir, path));
}

/**
 * One failing key among hard ones: the keys of kv/c50-ok, whose searches are long, plus one key
 * whose read contradicts the write before it. Porcupine stops at the failing key at once; a
 * checker that searches every key to its end first takes minutes.
 */
export function hardKeysOneBad(): string {
  const dir = join(cache, 'kv');
  const file = join(dir, 'hard-keys-one-bad.jsonl');
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const lines = readFileSync(join(shared, 'histories/porcupine/kv/c50-ok.jsonl'), 'utf8').trim().split('\n');
  const last = JSON.parse(lines[lines.length - 1]) as { time: number };
  const event = (type: string, f: string, value: string, dt: number) =>
    JSON.stringify({ process: 1000, type, f, key: 'bad', value, time: last.time + dt });
  lines.push(
    event('invoke', 'put', 'a', 1),
    event('ok', 'put', 'a', 2),
    event('invoke', 'get', '', 3),
    event('ok', 'get', 'b', 4),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const gnuTime = existsSync('/usr/bin/time');
const timeFile = join(cache, 'time.txt');

/**
 * The wall time of a whole process and, with GNU time, its CPU time (user + system): on a loaded
 * machine the wall time measures the load as much as the program, the CPU time much less so.
 */
async function measure(command: string[]): Promise<{ wallMs: number; cpuMs?: number }> {
  const started = performance.now();
  if (!gnuTime) {
    await execa(command[0], command.slice(1), { reject: false });
    return { wallMs: performance.now() - started };
  }
  await execa('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, ...command], { reject: false });
  const wallMs = performance.now() - started;
  const [user, system] =
    readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
  const cpuMs = (user + system) * 1000;
  return { wallMs, cpuMs: Number.isFinite(cpuMs) ? cpuMs : undefined };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface SideBySide {
  label: string;
  dscheckMs: number;
  porcupineMs: number;
  /** Median of dscheck / Porcupine over the interleaved pairs. */
  ratio: number;
  /** The same for CPU time (user + system), when GNU time is there. */
  cpuRatio?: number;
  dscheckCpuMs?: number;
  porcupineCpuMs?: number;
}

async function interleaved(
  label: string,
  files: string[],
  pin: boolean,
  pairs: number,
  binary: string,
): Promise<SideBySide> {
  const prefix = pin ? ['taskset', '-c', '0'] : [];
  const ours: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  const cpu: { ours: number[]; theirs: number[]; ratios: number[] } = { ours: [], theirs: [], ratios: [] };
  for (let i = 0; i < pairs; i++) {
    const a = await measure([...prefix, 'node', dscheck, 'check', ...files]);
    const b = await measure([...prefix, binary, 'jsonl', ...files]);
    ours.push(a.wallMs);
    theirs.push(b.wallMs);
    ratios.push(a.wallMs / b.wallMs);
    if (a.cpuMs !== undefined && b.cpuMs !== undefined) {
      cpu.ours.push(a.cpuMs);
      cpu.theirs.push(b.cpuMs);
      cpu.ratios.push(a.cpuMs / b.cpuMs);
    }
  }
  const withCpu = cpu.ratios.length === pairs;
  return {
    label,
    dscheckMs: median(ours),
    porcupineMs: median(theirs),
    ratio: median(ratios),
    cpuRatio: withCpu ? median(cpu.ratios) : undefined,
    dscheckCpuMs: withCpu ? median(cpu.ours) : undefined,
    porcupineCpuMs: withCpu ? median(cpu.theirs) : undefined,
  };
}

export async function benchSideBySide(pairs = 9): Promise<string[]> {
  const binary = await porcupineBinary();
  if (!binary)
    return ['Porcupine side by side: skipped (no `go` on the PATH to build ../shared/bench/porcupine)'];
  const files = porcupineFiles();
  const hard = hardKeysOneBad();
  const pin = existsSync('/usr/bin/taskset') || existsSync('/bin/taskset');
  const runs: SideBySide[] = [
    await interleaved(`${files.length} Porcupine histories, 2 cores`, files, false, pairs, binary),
  ];
  if (pin)
    runs.push(await interleaved(`${files.length} Porcupine histories, 1 core`, files, true, pairs, binary));
  runs.push(await interleaved('kv c50-ok + one failing key, 2 cores', [hard], false, 3, binary));
  return runs.map(
    (r) =>
      `${r.label}: dscheck ${r.dscheckMs.toFixed(0)} ms, Porcupine ${r.porcupineMs.toFixed(0)} ms, ` +
      `ratio ${r.ratio.toFixed(2)} (median of interleaved pairs, whole processes)` +
      (r.cpuRatio === undefined
        ? ''
        : `; CPU time dscheck ${r.dscheckCpuMs?.toFixed(0)} ms, Porcupine ${r.porcupineCpuMs?.toFixed(0)} ms, ratio ${r.cpuRatio.toFixed(2)}`),
  );
}
