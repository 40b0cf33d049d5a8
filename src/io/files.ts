import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * The one way commands write files a user names or owns (report pages, comparison pages, the
 * runs index): never onto an input of the same call (a history, a run's files, also through a
 * symbolic link), and always through a temporary file in the same folder and a rename, so a
 * write that fails half-way (disk full, file-size limit) leaves the old file whole.
 */
export async function writeOutputFile(
  path: string,
  data: string,
  inputs: readonly string[] = [],
): Promise<void> {
  const target = realTarget(path);
  for (const input of inputs) {
    if (realTarget(input) === target) {
      throw new UsageError(
        `refusing to write ${path}: it is ${input === path ? 'an input' : `the input ${input}`} of this command; choose another --out`,
      );
    }
  }
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data, { flag: 'wx' });
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Where a write to `path` lands: symbolic links (of the file and its folders) resolved. */
function realTarget(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    // The file does not exist yet: its folder decides.
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/**
 * A path as the terminal shows it: relative to the working directory when it is inside it
 * (`reports/x/index.html`), else absolute (never `../../tmp/x`, which nobody can read or paste).
 */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? resolve(path) : rel;
}

/**
 * A link from a page in `fromDir` to `target`, as a `./` relative URL with each segment
 * percent-encoded, so a folder named `javascript:...` or holding `#`, `?` or `%` stays a path.
 */
export function relativeHref(fromDir: string, target: string): string {
  const rel = relative(resolve(fromDir), resolve(target)).split(sep).join('/');
  const encoded = rel
    .split('/')
    .map((segment) => (segment === '..' || segment === '.' ? segment : encodeURIComponent(segment)))
    .join('/');
  return encoded.startsWith('../') ? encoded : `./${encoded}`;
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links (a link loop?)',
  ENAMETOOLONG: 'the name is too long for the file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  EFBIG: 'the file is too large',
  EXDEV: 'cannot move across file systems',
  EBUSY: 'the file is busy',
  ENOTEMPTY: 'the folder is not empty',
  EINVAL: 'invalid argument for this file',
  EIO: 'input/output error',
};

/** A file-system error code in words (`permission denied`), or undefined for other codes. */
export function fileErrorWords(code: string): string | undefined {
  return Object.hasOwn(FILE_ERRORS, code) ? FILE_ERRORS[code] : undefined;
}

/**
 * A file-system error in words (`cannot write reports/x: permission denied`), or undefined when
 * `err` is not one. The one mapping from such errors to messages; main.ts turns them into exit 254.
 */
export function fileErrorMessage(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, path, syscall, dest } = err as NodeJS.ErrnoException & { dest?: string };
  if (typeof code !== 'string' || !Object.hasOwn(FILE_ERRORS, code)) return undefined;
  // Sockets (Docker's, a store's) fail with the same codes; only file calls are the user's input.
  if (syscall === undefined || !Object.hasOwn(VERBS, syscall)) return undefined;
  const verb = VERBS[syscall];
  const where = path === undefined ? '' : ` ${path}${dest ? ` -> ${dest}` : ''}`;
  return `cannot ${verb}${where}: ${FILE_ERRORS[code]} (${code})`;
}

const VERBS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the folder',
  rename: 'replace',
  symlink: 'create the link',
  unlink: 'remove',
  rmdir: 'remove the folder',
  scandir: 'list the folder',
  stat: 'read',
  lstat: 'read',
  realpath: 'resolve',
  copyfile: 'copy',
  rm: 'remove',
};
