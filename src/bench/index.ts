import { join } from 'node:path';
import { execa } from 'execa';

/**
 * `npm run bench`: every benchmark, each in its own process so one's JIT and heap do not colour
 * another's numbers. Docker benchmarks need the images (`bin/setup` builds them).
 * `npm run bench -- checker` runs only the named ones.
 */
const here = import.meta.dirname;
const ALL = [
  'checker',
  'stale-reads',
  'report',
  'run-redis',
  'cassandra',
  'store-up',
  'transactions',
  'long-run',
  'swarm',
];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !ALL.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; valid choices: ${ALL.join(', ')}`);
  process.exit(254);
}
for (const name of wanted.length > 0 ? wanted : ALL) {
  const script = `${name}.js`;
  console.log(`\n# ${script.replace('.js', '')}`);
  await execa('node', [join(here, script)], { stdio: 'inherit' });
}
