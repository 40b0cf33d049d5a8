/**
 * Benchmark of the Cassandra store (numbers for the README): how long a cluster takes from
 * nothing to ready (every node serving CQL and seeing all its peers up, keyspace and tables
 * created, one client per node connected), for 3 nodes (target: 120 s on two cores) and, with
 * an argument, other sizes; and how long teardown takes. Needs Docker and the Cassandra image
 * (`dscheck images build --store cassandra`). Usage: node dist/src/bench/cassandra.js [nodes...]
 */
import { randomBytes } from 'node:crypto';
import { cassandra } from '../stores/cassandra/index.js';

const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [3];

for (const nodes of sizes) {
  const runId = `bench-cassandra-${randomBytes(3).toString('hex')}`;
  const t0 = performance.now();
  const db = await cassandra.start({ runId, topology: 'ring', nodes, readFrom: 'any', log: () => {} });
  const readyS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await db.teardown();
  const downS = (performance.now() - t1) / 1000;
  console.log(
    `cassandra ${nodes} nodes: ready in ${readyS.toFixed(1)} s, torn down in ${downS.toFixed(1)} s`,
  );
}
