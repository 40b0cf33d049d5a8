import { CHECKERS, type PlannedCheck } from '../checkers.js';
import { readHistory } from '../history/reader.js';
import type { HistoryShape } from '../history/types.js';
import type { EarlyStop } from '../run/disk.js';
import { type PerfResult, perf, perfChecker, quantiles } from './perf.js';
import { checkStreaming, streamable } from './streaming/analyze.js';
import { type CheckContext, type CheckerResult, mergeValidity, resultOf, type Validity } from './types.js';

export interface RunStats {
  ops: number;
  ok: number;
  fail: number;
  info: number;
  durationS: number;
  opsPerS: number;
  okPerS: number;
  events: number;
  nemesisEvents: number;
  /** How late each fault kind took effect against its schedule, in ms. */
  faultDelayMs: Record<string, { count: number; p50: number; max: number }>;
  historyWarnings: number;
}

export interface RunResults {
  valid: Validity;
  checkers: Record<string, CheckerResult>;
  stats: RunStats;
  interrupted: boolean;
  /** Set by `dscheck run` when the clients stopped before the time limit (the disk was nearly full). */
  stoppedEarly?: EarlyStop;
  nemesisErrors: string[];
}

export interface AnalyzeOptions {
  checkTimeoutMs: number;
  interrupted: boolean;
  nemesisErrors: string[];
  faultDelays: Record<string, number[]>;
}

/**
 * Judges a run from its stored history, read back from the file exactly as `dscheck check` reads
 * it, so both give the same verdict.
 */
export async function analyzeRun(
  historyFile: string,
  planned: readonly PlannedCheck[],
  options: AnalyzeOptions,
): Promise<RunResults> {
  const judged = await judge(historyFile, planned, { timeoutMs: options.checkTimeoutMs });
  const { checkers, shape } = judged;
  const performance = resultOf(perfChecker, checkers) ?? judged.perf;
  const faultDelayMs: RunStats['faultDelayMs'] = {};
  for (const [kind, delays] of Object.entries(options.faultDelays)) {
    const q = quantiles(delays);
    if (q) faultDelayMs[kind] = { count: delays.length, p50: q.p50, max: q.max };
  }
  return {
    valid: mergeValidity(Object.values(checkers).map((c) => c.valid)),
    checkers,
    stats: {
      ops: performance.ops,
      ...performance.counts,
      durationS: performance.durationS,
      opsPerS: performance.throughput.opsPerS,
      okPerS: performance.throughput.okPerS,
      events: shape.events,
      nemesisEvents: shape.nemesis.length,
      faultDelayMs,
      historyWarnings: shape.warnings.length,
    },
    interrupted: options.interrupted,
    nemesisErrors: options.nemesisErrors,
  };
}

/**
 * Every planned check on the stored history: in two streaming passes when every check can stream
 * (memory bounded whatever the run's length), else on the history read whole.
 */
async function judge(
  file: string,
  planned: readonly PlannedCheck[],
  context: CheckContext,
): Promise<{ checkers: Record<string, CheckerResult>; shape: Omit<HistoryShape, 'fs'>; perf: PerfResult }> {
  const checkers: Record<string, CheckerResult> = {};
  if (streamable(planned, file)) {
    const streamed = await checkStreaming(file, planned, context);
    for (const outcome of streamed.outcomes) checkers[outcome.name] = outcome.stored;
    return { checkers, shape: streamed.shape, perf: streamed.perf };
  }
  const history = await readHistory(file);
  for (const check of planned) checkers[check.name] = (await check.run(history, context)).stored;
  const { operations, ...rest } = history;
  return { checkers, shape: { ...rest, operations: operations.length }, perf: perf(history) };
}

export interface SummaryContext {
  name: string;
  store: string;
  topology: string;
  workload: string;
  nemesis: string;
  timeLimitS: number;
  concurrency: number;
  seed: number;
}

/** The run's findings in plain words, for the terminal and the top of the report. */
export function summarize(context: SummaryContext, results: RunResults): string[] {
  const s = results.stats;
  const lines = [
    `${context.name}: ${context.store} (${context.topology}), workload ${context.workload}, nemesis ${context.nemesis}, ` +
      `${context.timeLimitS} s, ${context.concurrency} processes, seed ${context.seed}`,
    `${s.ops} operations: ${s.ok} ok, ${s.fail} failed, ${s.info} indeterminate; ${Math.round(s.opsPerS)} ops/s`,
  ];
  if (results.interrupted)
    lines.push('interrupted: the verdict covers only what was recorded before the interrupt');
  const delays = Object.entries(s.faultDelayMs);
  if (delays.length > 0) {
    lines.push(
      `faults: ${delays.map(([kind, d]) => `${kind} ×${d.count} (took effect ${d.max} ms after schedule at worst)`).join(', ')}`,
    );
  }
  for (const error of results.nemesisErrors) lines.push(`nemesis problem: ${error}`);
  for (const checker of CHECKERS) lines.push(...checker.summary(results.checkers));
  return lines;
}
