/**
 * The disk a run's history needs, and when a run must stop because its folder's disk is nearly
 * full. Pure arithmetic: the free space comes from `fs.statfs` in src/run/disk-watch.ts.
 */

import { formatBytes } from '../checker/words.js';

const MIB = 1024 * 1024;

/**
 * Bytes of history per operation (an invoke and its completion), by the workload's client kind,
 * measured on the histories of real runs (file size / completed operations): register 213-218
 * on Redis over 19 runs, 219 at full speed, 211-219 on Cassandra over 26; cache-aside 229-239;
 * lock 250 and queue 220 (Redis, full speed, 10 s).
 */
export const BYTES_PER_OPERATION: Readonly<Record<string, number>> = {
  register: 220,
  'cache-aside': 240,
  lock: 250,
  queue: 220,
};

/**
 * Client kinds whose reads return whole sets or lists, which grow all run long: their history
 * grows with the square of the time (Redis at full speed, 10 s: set 4,028 bytes/operation,
 * list-append 6,154; MySQL set at 250 ops/s, 16 s: 400), so only the growth measured over the
 * first seconds can say what a run will need.
 */
export const GROWING_KINDS: ReadonlySet<string> = new Set(['set', 'list-append']);

/** For a client kind the table does not know (a preset of a new kind): the largest figure. */
export const UNKNOWN_BYTES_PER_OPERATION = Math.max(...Object.values(BYTES_PER_OPERATION));

/** How a history grows with the run's length. */
export type HistoryGrowth = 'linear' | 'quadratic';

export function growthOf(clientKind: string | undefined): HistoryGrowth {
  return clientKind !== undefined && GROWING_KINDS.has(clientKind) ? 'quadratic' : 'linear';
}

/** Seconds of running after which the history's measured growth replaces the estimate from the table. */
export const MEASURE_AFTER_S = 10;

/**
 * What a run keeps free on its folder's disk: room for what comes after the clients stop (final
 * reads, results.json, the page written beside the old one before a rename, node logs, the runs
 * index), and for whatever else writes to that disk. The larger of 256 MiB and 2% of the disk,
 * but never more than a quarter of it (a small disk, such as a test's tmpfs, would else be full
 * from the start).
 */
export function reserveBytes(totalBytes: number): number {
  return Math.min(Math.max(256 * MIB, 0.02 * totalBytes), totalBytes / 4);
}

/**
 * Room the check of a history takes besides the history itself: checking a large history
 * (streamed) splits it by key into temporary files, at most the history's size; they count only
 * when the temporary folder is on the folder's disk.
 */
export function checkRoomBytes(
  historyBytes: number,
  { tempOnSameDisk, streamFromBytes }: { tempOnSameDisk: boolean; streamFromBytes: number },
): number {
  return tempOnSameDisk && historyBytes >= streamFromBytes ? historyBytes : 0;
}

export interface DiskEstimateInput {
  /** Operations per second: the asked rate, or the one measured; undefined at full speed before it is measured. */
  opsPerS?: number;
  bytesPerOperation: number;
  growth: HistoryGrowth;
  /** The history's size after the first seconds: projected to the time limit by its growth. */
  measured?: { atS: number; historyBytes: number };
  timeLimitS: number;
  /** Minutes between checkpoints (0: none): each checks a copy of the history recorded so far. */
  checkpointMin: number;
  freeBytes: number;
  totalBytes: number;
  tempOnSameDisk: boolean;
  streamFromBytes: number;
}

/** What a run will need on its folder's disk, as test.json records it. */
export interface DiskEstimate {
  opsPerS: number;
  bytesPerOperation: number;
  growth: HistoryGrowth;
  /** Seconds of running the estimate was measured over; absent: from the asked rate and the table. */
  measuredOverS?: number;
  timeLimitS: number;
  /** The history at the time limit. */
  historyBytes: number;
  /** The copy the last checkpoint checks (deleted after it). */
  checkpointCopyBytes: number;
  /** The check's temporary files, when they are on this disk. */
  checkRoomBytes: number;
  reserveBytes: number;
  /** All of the above: the free space the run needs. */
  needBytes: number;
  freeBytes: number;
  totalBytes: number;
  fits: boolean;
}

/**
 * The history at the time limit: measured after the first seconds, scaled by the time (linear) or
 * by its square (quadratic: an upper bound, since part of it grows linearly); before that, the
 * asked rate times the bytes per operation. Undefined when neither says: full speed not yet
 * measured, or a growing history not yet measured.
 */
export function projectHistory(input: DiskEstimateInput): number | undefined {
  const { opsPerS, bytesPerOperation, growth, measured, timeLimitS } = input;
  if (measured && measured.atS > 0) {
    const scale = Math.max(1, timeLimitS / measured.atS);
    return Math.round(measured.historyBytes * (growth === 'quadratic' ? scale * scale : scale));
  }
  if (opsPerS === undefined || growth === 'quadratic') return undefined;
  return Math.round(opsPerS * bytesPerOperation * timeLimitS);
}

/** The disk a run will need, or undefined while its history's growth is unknown (see projectHistory). */
export function estimateDisk(input: DiskEstimateInput): DiskEstimate | undefined {
  const { opsPerS, bytesPerOperation, growth, measured, timeLimitS, checkpointMin, freeBytes, totalBytes } =
    input;
  const historyBytes = projectHistory(input);
  if (historyBytes === undefined || opsPerS === undefined) return undefined;
  const everyS = checkpointMin * 60;
  // Checkpoints come every `everyS` while the clients run: the last one copies the history of then.
  const lastCheckpointS = everyS > 0 ? Math.floor((timeLimitS - 1e-9) / everyS) * everyS : 0;
  const checkpointCopyBytes = timeLimitS > 0 ? Math.round((historyBytes * lastCheckpointS) / timeLimitS) : 0;
  const room = checkRoomBytes(historyBytes, input);
  const reserve = reserveBytes(totalBytes);
  const needBytes = historyBytes + checkpointCopyBytes + room + reserve;
  const tenth = (n: number) => Math.round(n * 10) / 10;
  return {
    opsPerS: tenth(opsPerS),
    bytesPerOperation: tenth(bytesPerOperation),
    growth,
    ...(measured ? { measuredOverS: tenth(measured.atS) } : {}),
    timeLimitS,
    historyBytes,
    checkpointCopyBytes,
    checkRoomBytes: room,
    reserveBytes: reserve,
    needBytes,
    freeBytes,
    totalBytes,
    fits: needBytes <= freeBytes,
  };
}

/**
 * What to do, on a look at the disk while the clients run:
 * - `stop`: even without the checkpoint's copy the free space is under the reserve: stop the
 *   clients as the time limit would, and judge what was recorded;
 * - `drop-checkpoint`: a checkpoint's copy of the history is what takes the free space under the
 *   reserve: end that checkpoint and delete its copy, the run goes on;
 * - `go`: enough room.
 */
export type DiskAction = 'go' | 'drop-checkpoint' | 'stop';

export function diskAction({
  freeBytes,
  reserveBytes: reserve,
  reclaimableBytes,
}: {
  freeBytes: number;
  /** What must stay free now (the reserve plus the room to check the history so far). */
  reserveBytes: number;
  /** Bytes a checkpoint under way holds and that ending it frees. */
  reclaimableBytes: number;
}): DiskAction {
  if (freeBytes + reclaimableBytes < reserve) return 'stop';
  if (freeBytes < reserve) return reclaimableBytes > 0 ? 'drop-checkpoint' : 'stop';
  return 'go';
}

/** Whether a checkpoint may copy a history of `historyBytes` and still leave the reserve free. */
export function checkpointFits(freeBytes: number, historyBytes: number, reserve: number): boolean {
  return freeBytes - historyBytes >= reserve;
}

/**
 * The start-up line: "history: about 1.2 GB for 3,600 s at 2,000 ops/s (220 bytes/operation);
 * 40 GB free", and when it would not fit a warning naming the ways out.
 */
export function describeEstimate(estimate: DiskEstimate): string[] {
  const { historyBytes, timeLimitS, opsPerS, bytesPerOperation, freeBytes, measuredOverS, growth } = estimate;
  const over = measuredOverS === undefined ? '' : `, measured over the first ${Math.round(measuredOverS)} s`;
  const squared =
    growth === 'quadratic'
      ? '; reads return whole sets or lists, so it grows with the square of the time'
      : '';
  const lines = [
    `history: about ${formatBytes(historyBytes)} for ${timeLimitS.toLocaleString('en')} s at ` +
      `${Math.round(opsPerS).toLocaleString('en')} ops/s (${Math.round(bytesPerOperation).toLocaleString('en')} bytes/operation${over}${squared}); ` +
      `${formatBytes(freeBytes)} free`,
  ];
  if (!estimate.fits) lines.push(...tooLarge(estimate));
  return lines;
}

function tooLarge(estimate: DiskEstimate): string[] {
  const extra = [
    estimate.checkpointCopyBytes > 0
      ? `${formatBytes(estimate.checkpointCopyBytes)} for a checkpoint's copy`
      : '',
    estimate.checkRoomBytes > 0 ? `${formatBytes(estimate.checkRoomBytes)} to check it` : '',
    `${formatBytes(estimate.reserveBytes)} kept free`,
  ].filter((part) => part !== '');
  return [
    `warning: the run needs about ${formatBytes(estimate.needBytes)} (the history, ${extra.join(', ')}) ` +
      `but only ${formatBytes(estimate.freeBytes)} are free; it will stop early, with its verdict, when the ` +
      'disk is nearly full. To run it whole: a shorter --time-limit, a lower --rate, or --out on a larger disk.',
  ];
}

/** Why a run stopped before its time limit, as results.json and the page say it. */
export interface EarlyStop {
  reason: 'disk-full';
  /** Seconds into the run. */
  atS: number;
  freeBytes: number;
  reserveBytes: number;
  historyBytes: number;
}

/** The early stop in words, for the terminal and the page. */
export function describeEarlyStop(stop: EarlyStop, timeLimitS?: number): string {
  const of = timeLimitS === undefined ? '' : ` of ${timeLimitS.toLocaleString('en')}`;
  return (
    `The run stopped early, at ${Math.round(stop.atS).toLocaleString('en')} s${of}: the disk of its folder was ` +
    `nearly full (${formatBytes(stop.freeBytes)} free, under the ${formatBytes(stop.reserveBytes)} it keeps free; ` +
    `history ${formatBytes(stop.historyBytes)}). The verdict covers everything recorded until then.`
  );
}
