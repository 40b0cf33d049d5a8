import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkTransactions } from '../checker/transactions/index.js';
import { syntheticListAppend } from '../generator/list-append.js';
import { readHistory } from '../history/reader.js';
import { HistoryWriter } from '../history/writer.js';
import { timed } from './checker.js';

/**
 * The transactions checker on synthetic list-append histories of 10k, 100k and 1M transactions
 * (3-5 steps each, 32 clients, 2% pending, 1% failed). Each check runs in its own process, timed
 * whole (start-up, reading the NDJSON, checking), with its peak memory, as a user would see it.
 */
const root = join(import.meta.dirname, '../../..');
const self = import.meta.filename;

function historyFile(transactions: number): string {
  const dir = join(root, '.bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `list-append-${transactions}.ndjson`);
  if (existsSync(file)) return file;
  const writer = new HistoryWriter(file);
  for (const event of syntheticListAppend({
    transactions,
    clients: 32,
    activeKeys: 8,
    maxWritesPerKey: 32,
    minSteps: 3,
    maxSteps: 5,
    pending: 0.02,
    failed: 0.01,
    seed: 1,
  })) {
    writer.append(event);
  }
  writer.close();
  return file;
}

export async function benchTransactions(): Promise<string[]> {
  const lines: string[] = [];
  for (const size of [10_000, 100_000, 1_000_000]) {
    const r = await timed(['--check', historyFile(size)], self);
    // CPU time too: on a shared machine the wall time says more about the neighbours.
    lines.push(
      `${size.toLocaleString('en')} transactions: ${r.wallMs.toFixed(0)} ms wall, ${r.stdout.match(/"cpuMs":(\d+)/)?.[1] ?? '?'} ms CPU, peak ${r.maxRssMb?.toFixed(0) ?? '?'} MB, exit ${r.exitCode}`,
    );
  }
  return lines;
}

if (process.argv[1] === self) {
  const at = process.argv.indexOf('--check');
  if (at >= 0) {
    // The measured child: read and check one history, print what it found.
    const history = await readHistory(process.argv[at + 1]);
    const result = checkTransactions(history.operations);
    const cpu = process.cpuUsage();
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
    console.log(
      JSON.stringify({ valid: result.valid, anomalies: result.anomalies, stats: result.stats, cpuMs }),
    );
    process.exitCode = result.valid ? 0 : 1;
  } else {
    for (const line of await benchTransactions()) console.log(line);
  }
}
