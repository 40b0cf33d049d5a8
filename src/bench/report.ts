import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { syntheticHistory } from '../generator/synthetic.js';
import { HistoryWriter } from '../history/writer.js';

/**
 * The report on 100,000 operations (target: rendered in at most 10 s, page at most 10 MB): the
 * whole `dscheck report` command, reading and checking included, as a user runs it.
 */
const root = join(import.meta.dirname, '../../..');
const dir = join(root, '.bench');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'register-100k.ndjson');
if (!existsSync(file)) {
  const writer = new HistoryWriter(file);
  let n = 0;
  for (const event of syntheticHistory({
    operations: 100_000,
    keys: 20,
    clients: 30,
    pendingWrites: 0.01,
    seed: 1,
  })) {
    // A partition over the middle of the history, so fault windows are drawn too.
    if (n === 60_000 || n === 140_000) {
      const f = n === 60_000 ? 'start-partition' : 'stop-partition';
      writer.append({
        process: 'nemesis',
        type: 'info',
        f,
        value: { n1: ['n3'], n3: ['n1'] },
        time: event.time,
      });
    }
    writer.append(event);
    n++;
  }
  writer.close();
}
const out = join(dir, 'register-100k.html');
const started = performance.now();
const r = await execa('node', [join(root, 'bin/dscheck.js'), 'report', file, '--out', out], {
  reject: false,
});
const ms = performance.now() - started;
console.log(
  `dscheck report on 100,000 operations (read, check, render, write): ${ms.toFixed(0)} ms, ` +
    `page ${(statSync(out).size / 1e6).toFixed(2)} MB, exit ${r.exitCode}`,
);
