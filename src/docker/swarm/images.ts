import type Docker from 'dockerode';
import { formatBytes } from '../../checker/words.js';
import { dockerClient } from '../client.js';
import { imageExists, type Progress } from '../images.js';
import { traced } from '../log.js';
import type { Engine } from './endpoints.js';

/**
 * Images reach the hosts the way they were built: from the engine where dscheck runs, streamed
 * `docker save` -> `docker load` over the Docker API. Never a registry (there may be none, and a
 * run must not publish anything). Tags carry the recipe hash, so "present" means "current".
 */

/** Which of `tags` one host has. */
export interface HostImages {
  readonly host: string;
  readonly present: readonly string[];
  readonly missing: readonly string[];
}

/** The state of every host, for `images list --hosts`. */
export async function imagesOnHosts(
  engines: readonly Engine[],
  tags: readonly string[],
): Promise<HostImages[]> {
  return Promise.all(
    engines.map(async (engine) => {
      const has = await Promise.all(tags.map((tag) => imageExists(tag, engine.docker)));
      return {
        host: engine.name,
        present: tags.filter((_, i) => has[i]),
        missing: tags.filter((_, i) => !has[i]),
      };
    }),
  );
}

/**
 * Copies each of `tags` (built locally) to every host that lacks it. Hosts load in parallel, each
 * from its own save stream; progress reports megabytes sent and the time each load took.
 */
export async function ensureImagesOn(
  engines: readonly Engine[],
  tags: readonly string[],
  progress: Progress,
  local: Docker = dockerClient(),
): Promise<HostImages[]> {
  const before = await imagesOnHosts(engines, tags);
  await Promise.all(
    before.map(async (state, i) => {
      for (const tag of state.missing) await copyImage(tag, local, engines[i], progress);
    }),
  );
  return imagesOnHosts(engines, tags);
}

const PROGRESS_STEP = 50 * 1024 * 1024;

async function copyImage(tag: string, local: Docker, engine: Engine, progress: Progress): Promise<void> {
  const started = performance.now();
  const archive = await traced(`save ${tag}`, () => local.getImage(tag).get());
  let sent = 0;
  let reported = 0;
  archive.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    if (sent - reported >= PROGRESS_STEP) {
      reported = sent;
      progress(`${engine.name}: ${tag}: ${formatBytes(sent)} sent`);
    }
  });
  const result = await traced(`load ${tag} into ${engine.name}`, () => engine.docker.loadImage(archive));
  await drained(result);
  if (!(await imageExists(tag, engine.docker))) {
    throw new Error(`host '${engine.name}' did not keep ${tag} after loading it`);
  }
  progress(
    `${engine.name}: loaded ${tag} (${formatBytes(sent)}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** Waits for the load's answer; the engine reports a failed load inside the stream, not as a status. */
function drained(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const error = /"error(?:Detail)?":\s*"([^"]*)"/.exec(text)?.[1];
      if (error) reject(new Error(`loading an image failed: ${error}`));
      else resolve();
    });
  });
}
