/**
 * Time to bring up each topology of a store, 3 nodes, images already built: from `store.start`
 * (containers, servers, replication or cluster membership, the run's tables) until it serves; and
 * the teardown. Targets: Redis up in 10 s and down in 5 s. Needs Docker and the images
 * (`bin/setup` builds them). Usage: node dist/src/bench/store-up.js [rounds] [store...]
 */
import { connectDocker } from '../docker/client.js';
import { ensureImage } from '../docker/images.js';
import { storeNamed } from '../stores/index.js';

const rounds = Number(process.argv[2] ?? 2);
const stores = process.argv.length > 3 ? process.argv.slice(3) : ['redis', 'mysql'];
await connectDocker();
for (const name of stores) {
  const store = storeNamed(name);
  for (const recipe of store.images ?? []) await ensureImage(recipe, () => {});
  for (const topology of store.topologies) {
    const up: number[] = [];
    const down: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      const db = await store.start({
        runId: `bench-${name}-${topology}-${process.pid}-${round}`,
        topology,
        nodes: 3,
        readFrom: store.readFromChoices[0],
        log: () => {},
      });
      up.push(performance.now() - started);
      const stopping = performance.now();
      await db.teardown();
      down.push(performance.now() - stopping);
    }
    const s = (ms: number[]) => ms.map((m) => (m / 1000).toFixed(1)).join(' / ');
    console.log(`${name} ${topology.padEnd(10)} 3 nodes: up in ${s(up)} s, down in ${s(down)} s`);
  }
}
