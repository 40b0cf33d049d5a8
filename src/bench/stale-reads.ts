import { checkStaleReads } from '../checker/stale-reads.js';
import { syntheticHistory } from '../generator/synthetic.js';
import { OperationCollector } from '../history/operations.js';

/**
 * The stale-read checker on 1,000,000 operations of a linearizable synthetic history (the same
 * shape as the linearizability benchmark). Only the check is timed: building the history is not
 * what a user waits for after a run.
 */
const collector = new OperationCollector('synthetic');
let line = 0;
for (const event of syntheticHistory({
  operations: 1_000_000,
  keys: 1_000,
  clients: 32,
  pendingWrites: 0.03,
  seed: 1,
})) {
  collector.add(event, ++line);
}
const times: number[] = [];
let result: ReturnType<typeof checkStaleReads> | undefined;
for (let i = 0; i < 3; i++) {
  const started = performance.now();
  result = checkStaleReads({ operations: collector.operations });
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
console.log(
  `stale-reads on 1,000,000 operations over 1,000 keys, 32 clients: median ${times[1].toFixed(0)} ms ` +
    `(min ${times[0].toFixed(0)}, max ${times[2].toFixed(0)}, 3 runs; ${result?.reads.toLocaleString('en')} reads, ` +
    `${result?.staleReads} stale, valid ${result?.valid}, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB)`,
);
