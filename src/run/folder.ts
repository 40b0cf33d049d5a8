import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * reports/<run-name>/<timestamp>/, created now; a second run in the same second gets a suffix. A
 * run in a control container is given its timestamp (its owner's folder has the same name).
 */
export function createRunFolder(
  out: string,
  name: string,
  now = new Date(),
  given?: string,
): { dir: string; timestamp: string } {
  if (given !== undefined) {
    const dir = join(resolve(out, name), given);
    mkdirSync(dir, { recursive: true });
    return { dir, timestamp: given };
  }
  const base = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  const parent = resolve(out, name);
  mkdirSync(parent, { recursive: true });
  for (let n = 1; ; n++) {
    const timestamp = n === 1 ? base : `${base}-${n}`;
    const dir = join(parent, timestamp);
    if (existsSync(dir)) continue;
    mkdirSync(dir);
    return { dir, timestamp };
  }
}

/** Points reports/<run-name>/latest at this run, replacing the old link in one rename. */
export function updateLatestLink(runDir: string, timestamp: string): void {
  const parent = resolve(runDir, '..');
  const temp = join(parent, `.latest-${process.pid}`);
  rmSync(temp, { force: true });
  symlinkSync(timestamp, temp);
  renameSync(temp, join(parent, 'latest'));
}

/**
 * Writes a run folder's JSON file through a temporary file and a rename: a write that fails (the
 * disk is full) leaves the old file whole, or none, never a cut one that would read as corrupt.
 */
export function writeJson(file: string, value: unknown): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
