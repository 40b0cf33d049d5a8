import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { type ArchiveFile, tarOf } from './archive.js';
import { dockerClient } from './client.js';
import { LABEL } from './labels.js';
import { errorText, traced } from './log.js';

/**
 * Images without a registry (DESIGN.md): a Debian base made with debootstrap and `docker import`
 * (or debian:bookworm-slim where it can be pulled), and one ordinary `docker build` per store FROM
 * it. Each image is tagged and labelled with a hash of its recipe and rebuilt only when that changes.
 */

export type Progress = (line: string) => void;

/** Everything that decides the base image's content; its hash is the base image's tag. */
const BASE_RECIPE = { suite: 'bookworm', variant: 'minbase', pullable: 'debian:bookworm-slim', version: 1 };
export const BASE_REPOSITORY = 'dscheck/base';

/** A store's image: a Dockerfile body (without FROM, which is the base) and the files it copies. */
export interface ImageRecipe {
  /** The store it is for; the image is `dscheck/<store>:<hash>`. */
  readonly store: string;
  /**
   * Dockerfile instructions after `FROM <base> AS base`. A multi-stage recipe starts its later
   * stages with `FROM base`, since it cannot know the base's tag.
   */
  readonly dockerfile: string;
  readonly files?: readonly ArchiveFile[];
}

export interface ImageInfo {
  tag: string;
  store: string;
  recipe: string;
  sizeBytes: number;
  created: Date;
}

const hashOf = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);

export const baseImageTag = (): string => `${BASE_REPOSITORY}:${hashOf(BASE_RECIPE)}`;

export function recipeHash(recipe: ImageRecipe): string {
  const files = (recipe.files ?? []).map((f) => [f.path, f.mode ?? 0o644, f.content.toString()]);
  return hashOf({ base: baseImageTag(), dockerfile: recipe.dockerfile, files });
}

export const imageTag = (recipe: ImageRecipe): string => `dscheck/${recipe.store}:${recipeHash(recipe)}`;

export async function imageExists(tag: string, docker: Docker = dockerClient()): Promise<boolean> {
  try {
    await traced(`inspect image ${tag}`, () => docker.getImage(tag).inspect());
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** Builds the store's image (and the base) unless an image of the same recipe exists. Returns its tag. */
export function ensureImage(
  recipe: ImageRecipe,
  progress: Progress,
  docker: Docker = dockerClient(),
): Promise<string> {
  return once(imageTag(recipe), () => buildUnlessPresent(recipe, progress, docker));
}

/** Builds in flight, by tag: concurrent runs in one process wait for the same build. */
const inFlight = new Map<string, Promise<string>>();

function once(tag: string, build: () => Promise<string>): Promise<string> {
  let pending = inFlight.get(tag);
  if (!pending) {
    pending = build().finally(() => inFlight.delete(tag));
    inFlight.set(tag, pending);
  }
  return pending;
}

async function buildUnlessPresent(recipe: ImageRecipe, progress: Progress, docker: Docker): Promise<string> {
  const tag = imageTag(recipe);
  if (await imageExists(tag, docker)) return tag;
  const base = await ensureBaseImage(progress, docker);
  progress(`building ${tag} from ${base}`);
  const started = performance.now();
  const context = tarOf([
    { path: 'Dockerfile', content: `FROM ${base} AS base\n${recipe.dockerfile}` },
    ...(recipe.files ?? []),
  ]);
  const stream = await traced(`build ${tag}`, () =>
    docker.buildImage(Readable.from([context]), {
      t: tag,
      labels: { [LABEL.recipe]: recipeHash(recipe), [LABEL.store]: recipe.store },
      rm: true,
      forcerm: true,
    }),
  );
  await followProgress(docker, stream, (event) => {
    const line = (event.stream ?? event.status ?? '').trim();
    if (line) progress(`[${recipe.store}] ${line}`);
  });
  progress(`built ${tag} in ${seconds(started)}`);
  return tag;
}

/** The base image's tag, after importing it when it is missing. */
export function ensureBaseImage(progress: Progress, docker: Docker = dockerClient()): Promise<string> {
  return once(baseImageTag(), () => importUnlessPresent(progress, docker));
}

async function importUnlessPresent(progress: Progress, docker: Docker): Promise<string> {
  const tag = baseImageTag();
  if (await imageExists(tag, docker)) return tag;
  const [repo, version] = tag.split(':');
  if (await tryPull(BASE_RECIPE.pullable, progress, docker)) {
    await traced(`tag ${BASE_RECIPE.pullable} as ${tag}`, () =>
      docker.getImage(BASE_RECIPE.pullable).tag({ repo, tag: version }),
    );
    progress(`tagged ${BASE_RECIPE.pullable} as ${tag}`);
    return tag;
  }
  await debootstrapImport(repo, version, progress, docker);
  return tag;
}

async function tryPull(image: string, progress: Progress, docker: Docker): Promise<boolean> {
  if (await imageExists(image, docker)) return true;
  try {
    const stream = await traced(`pull ${image}`, () => docker.pull(image));
    await followProgress(docker, stream, () => {});
    return true;
  } catch (err) {
    progress(`cannot pull ${image} (${errorText(err).split('\n')[0]}); making the base with debootstrap`);
    return false;
  }
}

async function debootstrapImport(repo: string, version: string, progress: Progress, docker: Docker) {
  const mirror = await debianMirror();
  // /var/tmp rather than /tmp: a tmpfs /tmp is often mounted nodev, and debootstrap makes devices.
  const parent = process.env.DSCHECK_TMPDIR ?? (existsSync('/var/tmp') ? '/var/tmp' : tmpdir());
  const dir = await mkdtemp(join(parent, 'dscheck-base-'));
  const started = performance.now();
  const { execa } = await import('execa');
  try {
    progress(`debootstrap --variant=${BASE_RECIPE.variant} ${BASE_RECIPE.suite} from ${mirror} (30-60 s)`);
    const debootstrap = execa(
      'debootstrap',
      [`--variant=${BASE_RECIPE.variant}`, BASE_RECIPE.suite, join(dir, 'root'), mirror],
      { all: true, buffer: false },
    );
    for await (const line of debootstrap.iterable({ from: 'all' })) {
      if (/^(I|E|W):/.test(line)) progress(`[base] ${line}`);
    }
    await debootstrap;
    progress(`importing ${repo}:${version}`);
    const tar = execa('tar', ['-C', join(dir, 'root'), '-c', '.'], { buffer: false, stderr: 'inherit' });
    const stream = await traced(`import ${repo}:${version}`, () =>
      docker.importImage(tar.stdout, {
        repo,
        tag: version,
        changes: [`LABEL ${LABEL.recipe}=${version} ${LABEL.store}=base`, 'CMD ["bash"]'],
      }),
    );
    await Promise.all([followProgress(docker, stream, () => {}), tar]);
    progress(`base image ${repo}:${version} ready in ${seconds(started)}`);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') {
      throw new Error(
        "debootstrap is not installed: 'apt-get install -y debootstrap' (or run bash bin/setup)",
      );
    }
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The Debian mirror this machine's apt uses (DSCHECK_DEBIAN_MIRROR overrides it). */
export async function debianMirror(): Promise<string> {
  if (process.env.DSCHECK_DEBIAN_MIRROR) return process.env.DSCHECK_DEBIAN_MIRROR;
  const files = ['/etc/apt/sources.list'];
  try {
    const dir = '/etc/apt/sources.list.d';
    files.push(...(await readdir(dir)).filter((f) => /\.(list|sources)$/.test(f)).map((f) => join(dir, f)));
  } catch {
    // No sources.list.d: not Debian, or a minimal one; the default mirror will do.
  }
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (line.trim().startsWith('#')) continue;
      const uri = /(https?:\/\/\S+\/debian)\/?(\s|$)/.exec(line)?.[1];
      if (uri) return uri;
    }
  }
  return 'http://deb.debian.org/debian';
}

/** Images dscheck built, newest first. */
export async function listImages(docker: Docker = dockerClient()): Promise<ImageInfo[]> {
  const images = await traced('list images', () => docker.listImages({ filters: { label: [LABEL.recipe] } }));
  return images
    .flatMap((image) =>
      (image.RepoTags ?? [])
        .filter((tag) => tag.startsWith('dscheck/'))
        .map((tag) => ({
          tag,
          store: image.Labels?.[LABEL.store] ?? tag.slice('dscheck/'.length).split(':')[0],
          recipe: image.Labels?.[LABEL.recipe] ?? '',
          sizeBytes: image.Size,
          created: new Date(image.Created * 1000),
        })),
    )
    .sort((a, b) => b.created.getTime() - a.created.getTime());
}

interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Waits for a build/pull/import stream to end; an error event inside the stream rejects. */
function followProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onEvent: (event: ProgressEvent) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err) reject(err);
        else if (failure) reject(new Error(failure));
        else resolve();
      },
      (event: ProgressEvent) => {
        if (event.error) failure ??= event.errorDetail?.message ?? event.error;
        onEvent(event);
      },
    );
  });
}

const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;
