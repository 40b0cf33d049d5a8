import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type { HistoryEvent } from './types.js';

/**
 * Appends events to an NDJSON history as they happen. Lines are buffered and written at least
 * every `flushMs` (default 250 ms, HISTORY.md asks for once a second), so a run that is killed
 * still leaves a checkable history. Synchronous writes: one small write per flush, and the file
 * is complete the moment `close` returns.
 *
 * A write that fails (the disk is full) ends the history at its last whole line; later events are
 * dropped, and `onError` is told once, so the run can stop and judge what it has instead of
 * crashing in a timer.
 */
export class HistoryWriter {
  private readonly fd: number;
  private pending: string[] = [];
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  /** Bytes in the file, all of them whole lines. */
  private size: number;
  /** The write that ended the history early, if one did. */
  failure: Error | undefined;

  constructor(
    readonly path: string,
    flushMs = 250,
    private readonly onError: (err: Error) => void = () => {},
  ) {
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  append(event: HistoryEvent): void {
    if (this.closed || this.failure) return;
    this.pending.push(JSON.stringify(event));
    if (this.pending.length >= 8192) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0 || this.closed || this.failure) return;
    const bytes = Buffer.from(`${this.pending.join('\n')}\n`);
    this.pending = [];
    let at = 0;
    try {
      // A write may take only part of the bytes (a disk filling up): the rest follows, or fails.
      while (at < bytes.length) at += writeSync(this.fd, bytes, at, bytes.length - at);
      this.size += bytes.length;
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      // The history ends with its last whole line: a cut one would be a line no reader can use.
      try {
        ftruncateSync(this.fd, this.size + (at === 0 ? 0 : bytes.lastIndexOf(10, at - 1) + 1));
      } catch {
        // A file that cannot be cut back keeps its cut last line, which readers skip.
      }
      this.onError(this.failure);
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
    closeSync(this.fd);
  }
}
