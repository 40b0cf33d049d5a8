import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, copyFileSync, ftruncateSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeRun } from '../checker/analyze.js';
import { formatBytes } from '../checker/words.js';
import { writeRunReport } from '../report/writer.js';
import { plannedChecksOf } from './finish.js';
import { writeJson } from './folder.js';

/** How long a checkpoint's linearizability search may take (as a finished run's). */
const CHECK_TIMEOUT_MS = 300_000;

/**
 * Checkpoints of a long run: every `everyMs`, the history recorded so far (flushed, cut at a line
 * boundary) is checked in a child process, which writes results.json (marked as a checkpoint) and
 * the page. The child has its own memory and CPU time, so the clients keep their pace; a run killed
 * afterwards still leaves that verdict, and `dscheck report <run-dir>` checks the rest.
 */
export class Checkpoints {
  private timer: NodeJS.Timeout | undefined;
  private child: ChildProcess | undefined;

  constructor(
    private readonly options: {
      dir: string;
      everyMs: number;
      /** Flushes the history and returns its length in bytes and the run's elapsed seconds. */
      flush: () => { bytes: number; atS: number };
      /** Whether a copy of `bytes` of history leaves the disk enough room (src/run/disk.ts). */
      fits?: (bytes: number) => boolean;
      log: (message: string) => void;
    },
  ) {}

  start(): void {
    if (this.options.everyMs <= 0) return;
    this.timer = setInterval(() => this.take(), this.options.everyMs);
    this.timer.unref();
  }

  /** Stops taking checkpoints and ends one under way (the final verdict replaces it). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.drop();
  }

  /** Bytes that ending the checkpoint under way would free: its copy of the history. */
  copyBytes(): number {
    if (!this.underWay()) return 0;
    return statSync(copyOf(this.options.dir), { throwIfNoEntry: false })?.size ?? 0;
  }

  /** Ends the checkpoint under way, if any, and deletes its copy (killed, it cannot delete it). */
  drop(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
    this.child = undefined;
    rmSync(copyOf(this.options.dir), { force: true });
  }

  private underWay(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  private take(): void {
    if (this.underWay()) return;
    const { bytes, atS } = this.options.flush();
    if (this.options.fits && !this.options.fits(bytes)) {
      this.options.log(
        `checkpoint at ${Math.round(atS)} s skipped: a copy of the ${formatBytes(bytes)} history would leave the disk too little room`,
      );
      return;
    }
    this.child = spawn(process.execPath, [CHILD, this.options.dir, String(bytes), String(atS)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    this.child.on('exit', (code) => {
      if (code !== 0 && code !== null) this.options.log(`checkpoint at ${atS} s failed: ${errors.trim()}`);
    });
  }
}

/** The copy of the history a checkpoint checks, in the run folder (a dot-file: scratch). */
function copyOf(dir: string): string {
  return join(dir, '.checkpoint-history.ndjson');
}

/** This module, run by node as the checkpoint's child process. */
const CHILD = fileURLToPath(import.meta.url);

/**
 * Checks the first `bytes` of a run folder's history (a copy, so the run appends undisturbed) and
 * writes results.json, marked as a checkpoint at `atS` seconds, and the page.
 */
export async function takeCheckpoint(dir: string, bytes: number, atS: number): Promise<void> {
  const copy = copyOf(dir);
  try {
    copyFileSync(join(dir, 'history.ndjson'), copy);
    if (statSync(copy).size > bytes) {
      const fd = openSync(copy, 'r+');
      ftruncateSync(fd, bytes);
      closeSync(fd);
    }
    const results = await analyzeRun(copy, plannedChecksOf(dir), {
      checkTimeoutMs: CHECK_TIMEOUT_MS,
      interrupted: false,
      nemesisErrors: [],
      faultDelays: {},
    });
    const checkpoint = { atS: Math.round(atS), operations: results.stats.ops };
    const partial = join(dir, '.checkpoint-results.json');
    writeJson(partial, { ...results, checkpoint });
    await writeRunReport(dir, join(dir, 'index.html'), { historyFile: copy, resultsFile: partial });
    // results.json last: its presence says the page beside it is this checkpoint's.
    renameSync(partial, join(dir, 'results.json'));
  } finally {
    rmSync(copy, { force: true });
  }
}

if (process.argv[1] === CHILD) {
  const [dir, bytes, atS] = process.argv.slice(2);
  takeCheckpoint(dir, Number(bytes), Number(atS)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
