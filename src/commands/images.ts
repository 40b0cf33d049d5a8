import { connectDocker } from '../docker/client.js';
import { baseImageTag, ensureImage, type ImageRecipe, listImages, recipeHash } from '../docker/images.js';
import { STORES, storeNamed } from '../stores/index.js';

export interface ImagesBuildOptions {
  /** Only this store's images (default: every store's). */
  store?: string;
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
  await connectDocker();
  for (const recipe of recipes) {
    const tag = await ensureImage(recipe, (line) => out.write(`${line}\n`));
    out.write(`${recipe.store}: ${tag} is current\n`);
  }
}

export interface ImagesListOptions {
  json?: boolean;
}

/** `dscheck images list`: the images dscheck built, and whether each is the one its recipe asks for now. */
export async function imagesList(
  options: ImagesListOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
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
      `${Math.round(r.sizeBytes / 1e6)} MB`,
      age(now - r.created.getTime()),
      r.current ? 'yes' : 'no (stale: dscheck images build)',
    ]),
  ];
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
