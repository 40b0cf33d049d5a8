import { closeSync, openSync, writeSync } from 'node:fs';
import type { HistoryEvent } from './types.js';

/**
 * Appends events to an NDJSON history as they happen. Lines are buffered and written at least
 * every `flushMs` (default 250 ms, HISTORY.md asks for once a second), so a run that is killed
 * still leaves a checkable history. Synchronous writes: one small write per flush, and the file
 * is complete the moment `close` returns.
 */
export class HistoryWriter {
  private readonly fd: number;
  private pending: string[] = [];
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly path: string,
    flushMs = 250,
  ) {
    this.fd = openSync(path, 'a');
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  append(event: HistoryEvent): void {
    if (this.closed) return;
    this.pending.push(JSON.stringify(event));
    if (this.pending.length >= 8192) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    writeSync(this.fd, text);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
    closeSync(this.fd);
  }
}
