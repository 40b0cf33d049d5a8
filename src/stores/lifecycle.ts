import { connectDocker } from '../docker/client.js';
import { type ClusterSpec, type DockerCluster, startCluster } from '../docker/cluster.js';
import { ensureImage, type ImageRecipe } from '../docker/images.js';
import { errorText } from '../docker/log.js';
import { localRuntime } from '../docker/runtime.js';
import type { ClusterOptions, Db } from './types.js';

/** What one store adds to the lifecycle every store shares. */
export interface StoreLifecycle<D extends Db> {
  /** Names the store in messages and container labels. */
  store: string;
  /** The images the nodes run, built when missing, in order. */
  images: readonly ImageRecipe[];
  /** The containers to start, given the images' tags (in the order of `images`). */
  cluster(tags: readonly string[]): Omit<ClusterSpec, 'runId' | 'store'>;
  /** The store's handle over the started containers. */
  create(cluster: DockerCluster): D;
  /** Configures the servers and waits until they serve (replication, schema, users ...). */
  setup(db: D): Promise<void>;
}

/**
 * Starting a cluster, written once: connect to Docker, build missing images (where dscheck runs,
 * then copied to every host of the runtime that lacks them), start the containers on a new
 * network, run the store's setup. If the setup fails the cluster is torn down
 * (teardown heals, resumes and removes, and never throws), so the error the user sees is the one
 * that stopped the start.
 */
export async function startStore<D extends Db>(
  options: ClusterOptions,
  lifecycle: StoreLifecycle<D>,
): Promise<D> {
  await connectDocker();
  const tags: string[] = [];
  for (const recipe of lifecycle.images) tags.push(await ensureImage(recipe, options.log));
  const runtime = options.runtime ?? localRuntime();
  await runtime.ensureImages(tags, options.log);
  options.signal?.throwIfAborted();
  const cluster = await startCluster(
    { runId: options.runId, store: lifecycle.store, ...lifecycle.cluster(tags) },
    runtime,
  );
  const db = lifecycle.create(cluster);
  try {
    await lifecycle.setup(db);
  } catch (err) {
    options.log(`${lifecycle.store} cluster did not come up: ${errorText(err)}`);
    await db.teardown();
    throw err;
  }
  return db;
}
