import { formatBytes } from '../checker/words.js';
import { connectDocker } from '../docker/client.js';
import {
  baseImageTag,
  ensureImage,
  type ImageRecipe,
  imageTag,
  listImages,
  recipeHash,
} from '../docker/images.js';
import { engineAt, parseEndpoints } from '../docker/swarm/endpoints.js';
import { imagesOnHosts } from '../docker/swarm/images.js';
import { runtimeFor } from '../docker/swarm/runtime.js';
import { HOSTS_OPTION } from '../run/options.js';
import { STORES, storeNamed } from '../stores/index.js';

export interface ImagesBuildOptions {
  /** Only this store's images (default: every store's). */
  store?: string;
  /** Also copy them to every engine of this Swarm that lacks them (`--hosts`). */
  hosts?: string;
}

/** Every image recipe of the chosen stores, in store order. */
export function recipesOf(storeName?: string): ImageRecipe[] {
  const stores = storeName === undefined ? Object.values(STORES) : [storeNamed(storeName)];
  return stores.flatMap((store) => store.images ?? []);
}

/** `dscheck images build`: builds what is missing or out of date; quick when everything is current. */
export async function imagesBuild(
  options: ImagesBuildOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const recipes = recipesOf(options.store);
  const hosts = HOSTS_OPTION.read(options.hosts);
  const say = (line: string) => out.write(`${line}\n`);
  await connectDocker();
  const tags: string[] = [];
  for (const recipe of recipes) {
    const tag = await ensureImage(recipe, say);
    tags.push(tag);
    say(`${recipe.store}: ${tag} is current`);
  }
  if (hosts !== undefined) {
    await (await runtimeFor(hosts)).ensureImages(tags, say);
    say(`every host has the ${tags.length} image(s)`);
  }
}

export interface ImagesListOptions {
  json?: boolean;
  /** List, per engine of this Swarm, which current images it has (`--hosts`). */
  hosts?: string;
}

/** `dscheck images list`: the images dscheck built, and whether each is the one its recipe asks for now. */
export async function imagesList(
  options: ImagesListOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const hosts = HOSTS_OPTION.read(options.hosts);
  if (hosts !== undefined) return hostsList(hosts, options.json === true, out);
  await connectDocker();
  const current = new Set([baseImageTag(), ...recipesOf().map((r) => `dscheck/${r.store}:${recipeHash(r)}`)]);
  const now = Date.now();
  const rows = (await listImages()).map((image) => ({
    ...image,
    current: current.has(image.tag),
  }));
  if (options.json) {
    for (const row of rows) out.write(`${JSON.stringify(row)}\n`);
    return;
  }
  if (rows.length === 0) {
    out.write("no dscheck images yet: 'dscheck images build' makes them (dscheck run does it too)\n");
    return;
  }
  const table = [
    ['TAG', 'STORE', 'RECIPE', 'SIZE', 'AGE', 'CURRENT'],
    ...rows.map((r) => [
      r.tag,
      r.store,
      r.recipe,
      formatBytes(r.sizeBytes),
      age(now - r.created.getTime()),
      r.current ? 'yes' : 'no (stale: dscheck images build)',
    ]),
  ];
  writeTable(table, out);
}

/** Each host's state: the current images it has and lacks (a lacking one is copied by a run). */
async function hostsList(hosts: string, json: boolean, out: NodeJS.WritableStream): Promise<void> {
  const engines = parseEndpoints(hosts).map((endpoint) => engineAt(endpoint));
  const states = await imagesOnHosts(engines, recipesOf().map(imageTag));
  if (json) {
    for (const state of states) out.write(`${JSON.stringify(state)}\n`);
    return;
  }
  writeTable(
    [
      ['HOST', 'PRESENT', 'MISSING'],
      ...states.map((s) => [s.host, String(s.present.length), s.missing.join(' ') || '-']),
    ],
    out,
  );
}

function writeTable(table: readonly string[][], out: NodeJS.WritableStream): void {
  const widths = table[0].map((_, col) => Math.max(...table.map((row) => row[col].length)));
  for (const row of table)
    out.write(
      `${row
        .map((cell, col) => cell.padEnd(widths[col]))
        .join('  ')
        .trimEnd()}\n`,
    );
}

function age(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h`;
  return `${Math.floor(minutes / (24 * 60))} d`;
}
