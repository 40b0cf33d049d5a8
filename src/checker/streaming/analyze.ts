import { statSync } from 'node:fs';
import type { CheckOutcome, PlannedCheck } from '../../checkers.js';
import { streamOperations } from '../../history/stream.js';
import type { HistoryShape } from '../../history/types.js';
import { type PerfResult, PerfTally } from '../perf.js';
import type { CheckContext } from '../types.js';

/**
 * Histories from this size on are checked in two streaming passes; smaller ones are read whole,
 * which is two to three times as fast (one pass, no per-key spill files). Read whole, a history
 * takes about 3.2 times its size in memory (a 313 MB Redis history: 999 MB peak), so 256 MiB
 * keeps a run's check under its 1.5 GB budget; streamed, the 1M-operation bench history (174 MB)
 * took 11 s instead of 3.7 s. DSCHECK_STREAM_FROM_BYTES sets another size (0: stream every
 * history), for tests and for machines with little memory.
 */
export const STREAM_FROM_BYTES = 256 * 1024 * 1024;

export function streamFromBytes(): number {
  const given = process.env.DSCHECK_STREAM_FROM_BYTES;
  const n = given === undefined || given === '' ? Number.NaN : Number(given);
  return Number.isFinite(n) && n >= 0 ? n : STREAM_FROM_BYTES;
}

/** Whether `file` is big enough to stream. */
export function large(file: string): boolean {
  return (statSync(file, { throwIfNoEntry: false })?.size ?? 0) >= streamFromBytes();
}

/** Whether `file` is big enough to stream and every planned check can. */
export function streamable(planned: readonly PlannedCheck[], file: string): boolean {
  return large(file) && planned.every((p) => p.stream !== undefined);
}

export interface StreamedChecks {
  shape: HistoryShape;
  outcomes: CheckOutcome[];
  /** Performance of the whole history, whether or not perf was among the checks. */
  perf: PerfResult;
}

/**
 * Checks a stored NDJSON history in two streaming passes, never holding its operations: the
 * first reads what every check needs up front (the nemesis's faults, the operation names), the
 * second feeds each operation to every check. Memory is bounded by what each check keeps (per
 * key, per second, per process), not by the history's length. The outcomes equal those of
 * `PlannedCheck.run` on the same history read whole.
 */
export async function checkStreaming(
  file: string,
  planned: readonly PlannedCheck[],
  context: CheckContext,
): Promise<StreamedChecks> {
  const shape = await streamOperations(file, () => undefined);
  const checks = planned.map((p) => {
    if (!p.stream) throw new Error(`the ${p.name} checker has no streaming form`);
    return p.stream(shape, context);
  });
  const perf = new PerfTally(shape.nemesis);
  await streamOperations(file, (op) => {
    perf.add(op);
    for (const check of checks) check.add(op);
  });
  const outcomes: CheckOutcome[] = [];
  for (const check of checks) outcomes.push(await check.finish());
  return { shape, outcomes, perf: perf.finish() };
}
