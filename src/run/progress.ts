import { formatBytes } from '../checker/words.js';
import type { Recorder } from '../history/recorder.js';

const TTY_REFRESH_MS = 500;
const PLAIN_EVERY_MS = 10_000;

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  recorder: Recorder;
  totalS: number;
  /** The faults in effect now. */
  fault: () => string;
  /** Put before the line, e.g. the run's place in a matrix. */
  prefix?: () => string;
}

/**
 * The live status on stderr: phase, elapsed/total, ops/s, ok/fail/info, the current fault. On a
 * terminal one line is redrawn in place; elsewhere (CI logs, pipes) a plain line every 10 s.
 */
export class Progress {
  private phase = 'starting';
  private timer: NodeJS.Timeout | null = null;
  private lastCount = 0;
  private lastAt = 0;
  private drawn = false;
  private readonly tty: boolean;
  private historyBytes: (() => number) | undefined;

  constructor(private readonly options: ProgressOptions) {
    this.tty = options.stream.isTTY === true;
  }

  start(): void {
    this.lastAt = this.options.recorder.elapsedMs();
    this.timer = setInterval(() => this.draw(), this.tty ? TTY_REFRESH_MS : PLAIN_EVERY_MS);
    this.timer.unref();
  }

  /** Adds the history's size on disk to the line. */
  showHistory(bytes: () => number): void {
    this.historyBytes = bytes;
  }

  setPhase(phase: string): void {
    this.phase = phase;
    this.draw();
  }

  /** A message of its own line, without garbling the status line. */
  log(message: string): void {
    this.clear();
    this.options.stream.write(`${message}\n`);
    if (this.tty && this.timer) this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }

  private line(): string {
    const { recorder, totalS, fault } = this.options;
    const now = recorder.elapsedMs();
    const t = recorder.tally;
    const done = t.ok + t.fail + t.info;
    const rate = now > this.lastAt ? ((done - this.lastCount) * 1000) / (now - this.lastAt) : 0;
    this.lastCount = done;
    this.lastAt = now;
    const elapsed = Math.min(Math.floor(now / 1000), Math.ceil(totalS));
    const history = this.historyBytes ? `  history ${formatBytes(this.historyBytes())}` : '';
    return `${this.options.prefix?.() ?? ''}[${this.phase}] ${elapsed}/${totalS}s  ${Math.round(rate)} ops/s  ok ${t.ok} fail ${t.fail} info ${t.info}${history}  fault: ${fault()}`;
  }

  private draw(): void {
    if (!this.timer) return;
    if (this.tty) {
      this.options.stream.write(`\r\x1b[K${this.line()}`);
      this.drawn = true;
    } else {
      this.options.stream.write(`${this.line()}\n`);
    }
  }

  private clear(): void {
    if (this.tty && this.drawn) this.options.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
