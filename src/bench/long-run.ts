import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticHistory } from '../generator/synthetic.js';
import { HistoryWriter } from '../history/writer.js';
import { timed } from './checker.js';

/**
 * Long histories (`npm run bench -- long-run`, or `node dist/src/bench/long-run.js 1 5 20` for
 * millions of operations): a synthetic cas-register history written to a file, then checked by
 * `dscheck check --checker linearizable,perf` (streaming: memory bounded by keys), by the
 * default `dscheck check` (the history read whole, unless it is 64 MiB or more) and drawn by
 * `dscheck report` (streaming from 64 MiB), measuring each process's peak RSS and the page's size.
 */
const root = join(import.meta.dirname, '../../..');
const KEYS = 100;

function historyOf(millions: number): string {
  const dir = join(root, '.bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `long-${millions}m.ndjson`);
  if (!existsSync(file)) {
    const writer = new HistoryWriter(file);
    const events = syntheticHistory({
      operations: millions * 1_000_000,
      keys: KEYS,
      clients: 32,
      pendingWrites: 0.03,
      seed: 7,
    });
    for (const event of events) writer.append(event);
    writer.close();
  }
  return file;
}

const sizes = process.argv.slice(2).map(Number);
for (const millions of sizes.length > 0 ? sizes : [1, 5]) {
  const file = historyOf(millions);
  const mb = (statSync(file).size / 2 ** 20).toFixed(0);
  const page = file.replace(/\.ndjson$/, '.html');
  for (const [label, args] of [
    ['check --checker linearizable,perf', ['check', '--checker', 'linearizable,perf', file]],
    ['check', ['check', file]],
    ['report', ['report', file, '--out', page]],
  ] as const) {
    const r = await timed([...args]);
    const pageMb =
      label === 'report' && existsSync(page) ? `, page ${(statSync(page).size / 2 ** 20).toFixed(1)} MB` : '';
    console.log(
      `${millions}M operations (${mb} MB, ${KEYS} keys), ${label}: ${(r.wallMs / 1000).toFixed(1)} s, ` +
        `peak ${r.maxRssMb?.toFixed(0) ?? '?'} MB${pageMb}, exit ${r.exitCode}`,
    );
  }
}
