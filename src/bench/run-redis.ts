/**
 * Benchmarks of `dscheck run` on Redis (numbers for the README):
 *  1. recorded operations per second with 10 processes and no nemesis (target: at least 2,000);
 *  2. what recording costs per operation: generating only, recording into nothing, recording into
 *     the NDJSON history writer;
 *  3. how long after its scheduled time a partition takes effect (aim: under 200 ms), with the
 *     clients at full speed and at a moderate rate.
 * Needs Docker and the images (`dscheck images build`). Usage: node dist/src/bench/run-redis.js [seconds]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { run } from '../commands/run.js';
import { ExitError } from '../errors.js';
import { keyNames, uniformKeys } from '../generator/keys.js';
import { Random } from '../generator/random.js';
import { RegisterGenerator } from '../generator/register.js';
import { type EventSink, Recorder } from '../history/recorder.js';
import { HistoryWriter } from '../history/writer.js';
import { RUN_DEFAULTS } from '../run/options.js';

const seconds = Number(process.argv[2] ?? 15);
const out = mkdtempSync(join(tmpdir(), 'dscheck-bench-'));
const silent = new Writable({ write: (_chunk, _enc, done) => done() });

interface RunNumbers {
  opsPerS: number;
  ops: number;
  partitionDelayMs: number[];
}

async function benchRun(name: string, args: Record<string, string>): Promise<RunNumbers> {
  try {
    await run({ ...RUN_DEFAULTS, rate: '0', out, name, seed: '1', ...args }, silent);
  } catch (err) {
    if (!(err instanceof ExitError)) throw err;
  }
  const dir = join(out, name, 'latest');
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const partitionDelayMs = readFileSync(join(dir, 'history.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"start-partition"'))
    .map((line) => (JSON.parse(line) as { delayMs: number }).delayMs);
  return { opsPerS: results.stats.opsPerS, ops: results.stats.ops, partitionDelayMs };
}

/** ns per operation (an invocation and its completion) for one way of recording. */
function recordingCost(sink: EventSink | null, n: number): number {
  const generator = new RegisterGenerator({
    random: Random.fromSeed(1),
    keys: uniformKeys(keyNames(8)),
    mix: { read: 1, write: 1, cas: 1 },
    worker: 0,
    workers: 10,
  });
  const recorder = sink ? new Recorder(sink) : null;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const op = generator.next();
    if (recorder) {
      const id = recorder.invoke(i % 10, op.f, op.key, op.value, 'n1');
      recorder.complete(i % 10, id, 'ok', op.f, op.key, op.value, 'n1');
    }
  }
  return Number(process.hrtime.bigint() - started) / n;
}

function summary(delays: number[]): string {
  if (delays.length === 0) return 'none recorded';
  const sorted = [...delays].sort((a, b) => a - b);
  return `n=${sorted.length} median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms`;
}

try {
  const n = 500_000;
  recordingCost(null, 50_000); // warm up the JIT
  const generateOnly = recordingCost(null, n);
  const nullSink = recordingCost({ append: () => undefined }, n);
  const historyFile = join(out, 'bench-history.ndjson');
  const writer = new HistoryWriter(historyFile);
  const intoWriter = recordingCost(writer, n);
  writer.close();
  console.log(`recording cost per operation (invoke + completion), ${n} operations:`);
  console.log(`  generate only           ${generateOnly.toFixed(0)} ns`);
  console.log(`  recorder, no sink       ${nullSink.toFixed(0)} ns`);
  console.log(
    `  recorder + NDJSON file  ${intoWriter.toFixed(0)} ns  (recording: ${(intoWriter - generateOnly).toFixed(0)} ns/op)`,
  );

  const throughput = await benchRun('bench-throughput', {
    nemesis: 'none',
    timeLimit: String(seconds),
    recovery: '0',
  });
  console.log(
    `recorded throughput, 10 processes, no nemesis, ${seconds} s: ${Math.round(throughput.opsPerS)} ops/s (${throughput.ops} ops)`,
  );

  const partitionArgs = {
    nemesis: 'partition',
    nemesisInterval: '2',
    timeLimit: String(Math.max(seconds, 12)),
    recovery: '0',
  };
  const fullSpeed = await benchRun('bench-partition-full', partitionArgs);
  const moderate = await benchRun('bench-partition-rate', { ...partitionArgs, rate: '1000' });
  console.log(
    `partition time to effect, clients at full speed (${Math.round(fullSpeed.opsPerS)} ops/s): ${summary(fullSpeed.partitionDelayMs)}`,
  );
  console.log(`partition time to effect, clients at --rate 1000: ${summary(moderate.partitionDelayMs)}`);

  mkdirSync('.bench', { recursive: true });
  writeFileSync(
    join('.bench', 'run-redis.json'),
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        recordingNsPerOp: { generateOnly, nullSink, intoWriter },
        throughput,
        partitionFullSpeed: fullSpeed,
        partitionAtRate1000: moderate,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
