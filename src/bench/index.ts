import { join } from 'node:path';
import { execa } from 'execa';

/**
 * `npm run bench`: every benchmark, each in its own process so one's JIT and heap do not colour
 * another's numbers. Docker benchmarks need the images (`bin/setup` builds them).
 */
const here = import.meta.dirname;
for (const script of [
  'checker.js',
  'stale-reads.js',
  'report.js',
  'run-redis.js',
  'cassandra.js',
  'store-up.js',
  'transactions.js',
]) {
  console.log(`\n# ${script.replace('.js', '')}`);
  await execa('node', [join(here, script)], { stdio: 'inherit' });
}
