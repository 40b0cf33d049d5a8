import { statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { streamFromBytes } from '../checker/streaming/analyze.js';
import {
  checkpointFits,
  checkRoomBytes,
  type DiskEstimate,
  diskAction,
  type EarlyStop,
  estimateDisk,
  type HistoryGrowth,
  MEASURE_AFTER_S,
  reserveBytes,
} from './disk.js';

/**
 * How often the free space is looked at while the clients run: one statfs and one stat, a few
 * microseconds. At 36,500 ops/s (Redis at full speed) a second adds about 8 MB of history, far
 * less than the 256 MiB reserve.
 */
const LOOK_EVERY_MS = 1_000;

/** The free and total bytes of the disk holding `dir`, as an unprivileged user may use them. */
export function diskSpace(dir: string): { freeBytes: number; totalBytes: number } {
  const s = statfsSync(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

/** Whether the check's temporary files (the system's temporary folder) land on `dir`'s disk. */
export function tempOnSameDisk(dir: string): boolean {
  return statSync(tmpdir()).dev === statSync(dir).dev;
}

export interface DiskWatchOptions {
  dir: string;
  historyFile: string;
  timeLimitS: number;
  checkpointMin: number;
  growth: HistoryGrowth;
  /** Seconds since the clients started. */
  elapsedS: () => number;
  /** Operations completed so far (ok, fail or info). */
  operations: () => number;
  /** What a checkpoint under way holds on the disk, and how to end it. */
  checkpoint: { copyBytes: () => number; drop: () => void };
  /** The history's growth over the first seconds, as an estimate of the whole run. */
  onMeasured: (estimate: DiskEstimate) => void;
  /** The disk is nearly full: stop the clients (called once). */
  onFull: (stop: EarlyStop) => void;
  log: (message: string) => void;
}

/**
 * Looks at the free space of the run folder's disk every second while the clients run. Under the
 * reserve (src/run/disk.ts) it first ends a checkpoint whose copy of the history is what takes
 * the room, else it stops the run, once. After the first seconds it measures the history's growth
 * and estimates the whole run from it.
 */
export class DiskWatch {
  private timer: NodeJS.Timeout | undefined;
  private full = false;
  private measured = false;
  private lastHistoryBytes = 0;
  private readonly sameDisk: boolean;
  private readonly streamFrom = streamFromBytes();

  constructor(private readonly options: DiskWatchOptions) {
    this.sameDisk = tempOnSameDisk(options.dir);
  }

  start(): void {
    this.timer = setInterval(() => this.look(), LOOK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The history's size at the last look. */
  historyBytes(): number {
    return this.lastHistoryBytes;
  }

  /** What must stay free with a history of `historyBytes`: the reserve and the room to check it. */
  reserveFor(historyBytes: number, totalBytes: number): number {
    return (
      reserveBytes(totalBytes) +
      checkRoomBytes(historyBytes, { tempOnSameDisk: this.sameDisk, streamFromBytes: this.streamFrom })
    );
  }

  /** Whether a checkpoint may copy `bytes` of history now. */
  checkpointFits(bytes: number): boolean {
    const { freeBytes, totalBytes } = diskSpace(this.options.dir);
    return checkpointFits(freeBytes, bytes, this.reserveFor(bytes, totalBytes));
  }

  /** The history ended early because a write failed (the disk filled up between two looks). */
  writeFailed(): void {
    this.stopRun(diskSpace(this.options.dir));
  }

  private look(): void {
    const { dir, historyFile, elapsedS, checkpoint, log } = this.options;
    try {
      this.lastHistoryBytes = statSync(historyFile, { throwIfNoEntry: false })?.size ?? 0;
      const space = diskSpace(dir);
      if (!this.measured && elapsedS() >= MEASURE_AFTER_S) this.measure(space);
      const action = diskAction({
        freeBytes: space.freeBytes,
        reserveBytes: this.reserveFor(this.lastHistoryBytes, space.totalBytes),
        reclaimableBytes: checkpoint.copyBytes(),
      });
      if (action === 'drop-checkpoint') {
        log('the disk is nearly full: ending the checkpoint under way and deleting its copy of the history');
        checkpoint.drop();
      } else if (action === 'stop') {
        this.stopRun(space);
      }
    } catch (err) {
      log(`looking at the free disk space failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private measure(space: { freeBytes: number; totalBytes: number }): void {
    this.measured = true;
    const { elapsedS, operations: completed, timeLimitS, checkpointMin, growth, onMeasured } = this.options;
    const seconds = elapsedS();
    const operations = completed();
    const estimate = estimateDisk({
      opsPerS: operations / seconds,
      bytesPerOperation: operations > 0 ? this.lastHistoryBytes / operations : 0,
      growth,
      measured: { atS: seconds, historyBytes: this.lastHistoryBytes },
      timeLimitS,
      checkpointMin,
      ...space,
      // The room is what is free now plus what the history already holds.
      freeBytes: space.freeBytes + this.lastHistoryBytes,
      tempOnSameDisk: this.sameDisk,
      streamFromBytes: this.streamFrom,
    });
    if (estimate && operations > 0) onMeasured(estimate);
  }

  private stopRun(space: { freeBytes: number; totalBytes: number }): void {
    if (this.full) return;
    this.full = true;
    this.stop();
    this.lastHistoryBytes = statSync(this.options.historyFile, { throwIfNoEntry: false })?.size ?? 0;
    this.options.onFull({
      reason: 'disk-full',
      atS: Math.round(this.options.elapsedS() * 10) / 10,
      freeBytes: space.freeBytes,
      reserveBytes: this.reserveFor(this.lastHistoryBytes, space.totalBytes),
      historyBytes: this.lastHistoryBytes,
    });
  }
}
