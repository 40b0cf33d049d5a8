/**
 * `dscheck run --hosts` against a local run, same store (Redis, replicated), workload (register),
 * seed and schedule, on a Swarm of three Docker engines in containers (the test hosts of
 * src/docker/swarm/test-hosts.ts), images already on every host:
 *  1. bring-up: from the run's first line (before any node) to its clients running, and from the
 *     command's start (for --hosts: the control container and the copy of dscheck into it too);
 *  2. partition time to effect after its scheduled time (the history's `delayMs`), with the clients
 *     at full speed (the control container's Node.js busy with them) and at `--rate 1000`;
 *  3. client throughput at `--rate 0`: over the healthy stretch before the first fault, and over
 *     the whole run (two partitions in it).
 * Runs alternate local, hosts, local, hosts... (the machine is noisy); medians of the pairs are
 * printed. Skips with a note when Docker does not answer. Only one Swarm, removed at the end.
 * Usage: node dist/src/bench/swarm.js [rounds] [seconds]
 */
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { connectDocker, DockerUnavailableError } from '../docker/client.js';
import { ensureImage } from '../docker/images.js';
import { openSwarmRuntime } from '../docker/swarm/runtime.js';
import { startTestHosts } from '../docker/swarm/test-hosts.js';
import { REDIS_IMAGE } from '../stores/redis/image.js';

const rounds = Number(process.argv[2] ?? 2);
const seconds = Number(process.argv[3] ?? 12);
const root = join(import.meta.dirname, '../../..');
const dscheck = join(root, 'bin/dscheck.js');
/** Healthy, partitioned, healthy, partitioned: two partitions in each run. */
const INTERVAL_S = Math.max(2, Math.round(seconds / 4));

interface RunNumbers {
  /** From the run's first line to its clients running (the cluster's bring-up). */
  upS: number;
  /** From the command's start to its clients running. */
  commandUpS: number;
  wallS: number;
  opsPerS: number;
  healthyOpsPerS: number;
  partitionDelayMs: number[];
}

interface HistoryLine {
  process: number | string;
  type: string;
  f: string;
  time: number;
  delayMs?: number;
}

/** `dscheck run` in its own process, its stderr lines stamped as they arrive. */
async function benchRun(out: string, name: string, hosts: string | undefined, rate = 0): Promise<RunNumbers> {
  const args = [
    'run',
    '--out',
    out,
    '--name',
    name,
    '--store',
    'redis',
    '--topology',
    'replicated',
    '--nemesis',
    'partition',
    '--nemesis-interval',
    String(INTERVAL_S),
    '--time-limit',
    String(seconds),
    '--recovery',
    '0',
    '--rate',
    String(rate),
    '--seed',
    '1',
    ...(hosts ? ['--hosts', hosts] : []),
  ];
  const started = performance.now();
  const child = execa('node', [dscheck, ...args], { reject: false, cwd: root });
  let firstLine: number | undefined;
  let running: number | undefined;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const now = performance.now();
    stderr += chunk.toString('utf8');
    if (firstLine === undefined && stderr.includes(`dscheck run ${name}: seed`)) firstLine = now;
    if (running === undefined && stderr.includes('[running]')) running = now;
  });
  const finished = await child;
  const wallS = (performance.now() - started) / 1000;
  if (![0, 1, 2].includes(finished.exitCode ?? -1) || firstLine === undefined || running === undefined) {
    throw new Error(`${name}: exit ${finished.exitCode}\n${stderr.slice(-3000)}`);
  }
  const folder = join(out, name, readlinkSync(join(out, name, 'latest')));
  const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
  const events = readFileSync(join(folder, 'history.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as HistoryLine);
  const partitions = events.filter((e) => e.f === 'start-partition');
  const firstFault = partitions[0]?.time ?? Number.POSITIVE_INFINITY;
  const clientOps = events.filter((e) => e.process !== 'nemesis' && e.type !== 'invoke');
  const firstOp = clientOps[0]?.time ?? 0;
  const healthy = clientOps.filter((e) => e.time < firstFault).length;
  const healthyS = (Math.min(firstFault, clientOps.at(-1)?.time ?? 0) - firstOp) / 1e9;
  return {
    upS: (running - firstLine) / 1000,
    commandUpS: (running - started) / 1000,
    wallS,
    opsPerS: results.stats.opsPerS,
    healthyOpsPerS: healthyS > 0 ? healthy / healthyS : 0,
    partitionDelayMs: partitions.map((e) => e.delayMs ?? Number.NaN),
  };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const f1 = (n: number) => n.toFixed(1);
const list = (values: readonly number[], digits = 1) => values.map((v) => v.toFixed(digits)).join(' / ');

try {
  await connectDocker();
} catch (err) {
  if (!(err instanceof DockerUnavailableError)) throw err;
  console.log(`swarm: skipped, no Docker engine (${err.message})`);
  process.exit(0);
}

const out = mkdtempSync(join(tmpdir(), 'dscheck-bench-swarm-'));
const tag = await ensureImage(REDIS_IMAGE, () => {});
const setupStarted = performance.now();
const hosts = await startTestHosts(3);
try {
  const swarmS = (performance.now() - setupStarted) / 1000;
  const copyStarted = performance.now();
  await (await openSwarmRuntime(hosts.engines)).ensureImages([tag], () => {});
  const copyS = (performance.now() - copyStarted) / 1000;
  console.log(`3 test hosts + Swarm: ${f1(swarmS)} s; Redis image (${tag}) copied to them: ${f1(copyS)} s`);
  const endpoints = hosts.engines.map((e) => e.name).join(',');

  const local: RunNumbers[] = [];
  const remote: RunNumbers[] = [];
  const localAtRate: RunNumbers[] = [];
  const remoteAtRate: RunNumbers[] = [];
  const load: number[] = [];
  for (let round = 0; round < rounds; round++) {
    load.push(Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]));
    local.push(await benchRun(out, `local-${round}`, undefined));
    remote.push(await benchRun(out, `hosts-${round}`, endpoints));
    localAtRate.push(await benchRun(out, `local-rate-${round}`, undefined, 1000));
    remoteAtRate.push(await benchRun(out, `hosts-rate-${round}`, endpoints, 1000));
    const [l, h] = [local[round], remote[round]];
    console.log(
      `round ${round + 1}: up ${f1(l.upS)} s local, ${f1(h.upS)} s over hosts (command start to clients: ${f1(l.commandUpS)} / ${f1(h.commandUpS)} s); ` +
        `ops/s healthy ${Math.round(l.healthyOpsPerS)} / ${Math.round(h.healthyOpsPerS)}, whole run ${Math.round(l.opsPerS)} / ${Math.round(h.opsPerS)}; ` +
        `partition delay ms ${list(l.partitionDelayMs)} / ${list(h.partitionDelayMs)}, at --rate 1000 ${list(localAtRate[round].partitionDelayMs)} / ${list(remoteAtRate[round].partitionDelayMs)}; whole command ${f1(l.wallS)} / ${f1(h.wallS)} s`,
    );
  }
  const pick = (runs: RunNumbers[], key: 'upS' | 'commandUpS' | 'wallS' | 'opsPerS' | 'healthyOpsPerS') =>
    median(runs.map((r) => r[key]));
  const delays = (runs: RunNumbers[]) => runs.flatMap((r) => r.partitionDelayMs);
  console.log(
    `medians of ${rounds} pairs (Redis replicated, 3 nodes, register, 10 processes, --rate 0, ${seconds} s, a partition every ${INTERVAL_S} s; load average ${list(load)}):`,
  );
  console.log(
    `  bring-up (run start to clients)   local ${f1(pick(local, 'upS'))} s, 3 hosts ${f1(pick(remote, 'upS'))} s`,
  );
  console.log(
    `  command start to clients          local ${f1(pick(local, 'commandUpS'))} s, 3 hosts ${f1(pick(remote, 'commandUpS'))} s (control container and its copy of dscheck included)`,
  );
  console.log(
    `  partition time to effect          local median ${f1(median(delays(local)))} ms (max ${f1(Math.max(...delays(local)))}), 3 hosts median ${f1(median(delays(remote)))} ms (max ${f1(Math.max(...delays(remote)))})`,
  );
  console.log(
    `  the same, clients at --rate 1000  local median ${f1(median(delays(localAtRate)))} ms (max ${f1(Math.max(...delays(localAtRate)))}), 3 hosts median ${f1(median(delays(remoteAtRate)))} ms (max ${f1(Math.max(...delays(remoteAtRate)))})`,
  );
  console.log(
    `  throughput before the first fault local ${Math.round(pick(local, 'healthyOpsPerS'))} ops/s, 3 hosts ${Math.round(pick(remote, 'healthyOpsPerS'))} ops/s`,
  );
  console.log(
    `  throughput over the whole run     local ${Math.round(pick(local, 'opsPerS'))} ops/s, 3 hosts ${Math.round(pick(remote, 'opsPerS'))} ops/s`,
  );
  console.log(
    `  whole command                     local ${f1(pick(local, 'wallS'))} s, 3 hosts ${f1(pick(remote, 'wallS'))} s`,
  );
  mkdirSync(join(root, '.bench'), { recursive: true });
  writeFileSync(
    join(root, '.bench', 'swarm.json'),
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        seconds,
        swarmS,
        copyS,
        load,
        local,
        hosts: remote,
        localAtRate1000: localAtRate,
        hostsAtRate1000: remoteAtRate,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await hosts.remove();
  rmSync(out, { recursive: true, force: true });
}
