import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { fileErrorMessage } from '../io/files.js';
import { RUNS_LIST_TITLE } from '../report/index-page.js';
import { startReportServer } from '../report/server.js';
import { writeReportsIndex } from '../report/writer.js';

export interface ServeOptions {
  port?: string;
}

/**
 * `dscheck serve [dir]`: serves the reports folder on 127.0.0.1 and prints the URL; runs until
 * interrupted. The runs list is regenerated first so it shows every run folder there is.
 */
export async function serve(
  dir: string,
  options: ServeOptions,
  out: NodeJS.WritableStream = process.stdout,
  until: Promise<unknown> = interrupted(),
): Promise<void> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`no such reports folder: ${dir}`);
  const portText = options.port ?? '8080';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(`--port must be a port number (0..65535), got '${options.port}'`);
  }
  if (ownsIndex(dir)) {
    // A read-only folder is still worth serving, with the runs list it already has.
    await writeReportsIndex(dir).catch((err: unknown) => {
      const why = fileErrorMessage(err);
      if (why === undefined) throw err;
      process.stderr.write(`dscheck: the runs list was not regenerated (${why})\n`);
    });
  }
  const server = await startReportServer(dir, port).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use; choose another with --port`);
    throw err;
  });
  out.write(`serving ${dir} at ${server.url} (Ctrl-C to stop)\n`);
  await until;
  await server.close();
}

/**
 * Whether the folder's index.html is the runs list (or missing), so regenerating it loses
 * nothing: serving a run folder, or any other folder, must not overwrite its page.
 */
function ownsIndex(dir: string): boolean {
  if (existsSync(join(dir, 'test.json'))) return false;
  const index = join(dir, 'index.html');
  return !existsSync(index) || readFileSync(index, 'utf8').includes(RUNS_LIST_TITLE);
}

function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
