/**
 * Time to bring up each MySQL (MariaDB) topology, 3 nodes, images already built: from
 * `store.start` (containers, servers, replication or the Galera cluster, the run's tables) until
 * it serves; and the teardown. Needs Docker and the image (`dscheck images build --store mysql`).
 * Usage: node dist/src/bench/mysql-up.js [rounds]
 */
import { connectDocker } from '../docker/client.js';
import { ensureImage } from '../docker/images.js';
import { MYSQL_IMAGE } from '../stores/mysql/image.js';
import { mysql } from '../stores/mysql/index.js';

const rounds = Number(process.argv[2] ?? 2);
await connectDocker();
await ensureImage(MYSQL_IMAGE, () => {});
for (const topology of mysql.topologies) {
  const up: number[] = [];
  const down: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const db = await mysql.start({
      runId: `bench-mysql-${topology}-${process.pid}-${round}`,
      topology,
      nodes: 3,
      readFrom: 'primary',
      log: () => {},
    });
    up.push(performance.now() - started);
    const stopping = performance.now();
    await db.teardown();
    down.push(performance.now() - stopping);
  }
  const s = (ms: number[]) => ms.map((m) => (m / 1000).toFixed(1)).join(' / ');
  console.log(`mysql ${topology.padEnd(8)} 3 nodes: up in ${s(up)} s, down in ${s(down)} s`);
}
