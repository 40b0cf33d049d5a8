import { type ColdCacheResult, checkColdCache } from '../checker/cold-cache.js';
import {
  checkLinearizable,
  type KeyFailure,
  type LinearizabilityResult,
} from '../checker/linearizable/index.js';
import { checkLostWrites, type LostWritesResult } from '../checker/lost-writes.js';
import { type PerfResult, perf, quantiles } from '../checker/perf.js';
import { checkStaleReads, type StaleReadsResult } from '../checker/stale-reads.js';
import { checkTransactions } from '../checker/transactions/index.js';
import { type CheckerResult, mergeValidity, type Validity } from '../checker/types.js';
import { readHistory } from '../history/reader.js';
import type { Workload } from '../workloads/types.js';

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
  workload: Workload,
  options: AnalyzeOptions,
): Promise<RunResults> {
  const history = await readHistory(historyFile);
  const checkers: Record<string, CheckerResult> = {};
  const linearizable = workload.checkers.linearizable;
  if (linearizable) {
    const result = await checkLinearizable(history.operations, {
      model: linearizable.model,
      initialValue: linearizable.initialValue,
      timeoutMs: options.checkTimeoutMs,
    });
    checkers.linearizable = { ...result, failures: result.failures.map(trimPrefix) };
  }
  if (workload.checkers['stale-reads']) checkers['stale-reads'] = checkStaleReads(history);
  if (workload.checkers['lost-writes']) checkers['lost-writes'] = checkLostWrites(history);
  if (workload.checkers.transactions) checkers.transactions = checkTransactions(history.operations);
  const coldCache = workload.checkers['cold-cache'];
  if (coldCache) checkers['cold-cache'] = checkColdCache(history, coldCache);
  const performance = perf(history);
  if (workload.checkers.perf) checkers.perf = performance;
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
      events: history.events,
      nemesisEvents: history.nemesis.length,
      faultDelayMs,
      historyWarnings: history.warnings.length,
    },
    interrupted: options.interrupted,
    nemesisErrors: options.nemesisErrors,
  };
}

/** Steps of each failure's linearizable prefix kept in results.json: the ones leading to the failure. */
const PREFIX_STEPS_KEPT = 100;

/**
 * A failure's prefix can hold every operation of a key (tens of thousands in a fast run); what
 * explains the failure is its end. `dscheck check --json` on the history gives the whole prefix.
 */
function trimPrefix(failure: KeyFailure): KeyFailure & { linearizedOmitted: number } {
  const omitted = Math.max(0, failure.linearized.length - PREFIX_STEPS_KEPT);
  return { ...failure, linearized: failure.linearized.slice(omitted), linearizedOmitted: omitted };
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
  const perfResult = results.checkers.perf as PerfResult | undefined;
  if (perfResult && perfResult.faultWindows.length > 0) {
    const pct = (share: number | null) => (share === null ? 'n/a' : `${(share * 100).toFixed(1)}%`);
    const { outsideFaults: outside, insideFaults: inside } = perfResult.availability;
    lines.push(
      `availability: ${pct(outside.answeredShare)} of operations got an answer outside faults, ` +
        `${pct(inside.answeredShare)} during them (ok: ${pct(outside.share)} and ${pct(inside.share)})`,
    );
  }
  for (const error of results.nemesisErrors) lines.push(`nemesis problem: ${error}`);
  const lin = results.checkers.linearizable as LinearizabilityResult | undefined;
  if (lin) lines.push(linearizableWords(lin));
  const stale = results.checkers['stale-reads'] as StaleReadsResult | undefined;
  if (stale) lines.push(staleReadsWords(stale));
  const lost = results.checkers['lost-writes'] as LostWritesResult | undefined;
  if (lost) lines.push(lostWritesWords(lost));
  const cold = results.checkers['cold-cache'] as ColdCacheResult | undefined;
  if (cold) lines.push(...coldCacheWords(cold));
  return lines;
}

function coldCacheWords(r: ColdCacheResult): string[] {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  const lines = [
    `cold cache: hit ratio ${pct(r.hitRatio)}, ${r.dbQueries} database queries (peak ${r.peakDbQps}/s), ` +
      `${r.errors} errors (${pct(r.errorShare)}), ${r.stale.count} stale cache reads (${r.stale.beyondTtl} beyond the TTL)`,
    `  database load after warm-up: mean ${r.load.meanDbQps ?? 'n/a'} queries/s, peak ${r.load.peakDbQps}/s (×${r.load.peakOverMean ?? 'n/a'})`,
  ];
  for (const f of r.faults) {
    const spike =
      f.spike === null
        ? `peak ${f.peakDbQps}/s`
        : `spike ×${f.spike} (${f.steadyDbQps} -> ${f.peakDbQps} queries/s)`;
    const recovery =
      f.recoveryS === null ? 'hit ratio not back within the window' : `recovered in ${f.recoveryS} s`;
    const moved = f.movement
      ? `, keys moved ${pct(f.movement.predicted)} (observed ${pct(f.movement.observed)})`
      : '';
    lines.push(`  ${f.f} at ${f.at} s: ${spike}, ${recovery}, ${f.errors} errors${moved}`);
  }
  if (r.valid === false) lines.push(`COLD CACHE INVALID: ${r.problems.join('; ')}`);
  return lines;
}

function staleReadsWords(r: StaleReadsResult): string {
  const sessions = `read-your-writes violations: ${r.readYourWrites.count}, monotonic-reads violations: ${r.monotonicReads.count}`;
  if (r.staleReads === 0) return `stale reads: none in ${r.reads} reads; ${sessions}`;
  const pct = ((r.share ?? 0) * 100).toFixed(2);
  return (
    `STALE READS: ${r.staleReads} of ${r.reads} reads (${pct}%) returned an overwritten value, ` +
    `up to ${r.stalenessMs?.max} ms stale (p50 ${r.stalenessMs?.p50} ms); ${sessions}`
  );
}

function lostWritesWords(r: LostWritesResult): string {
  const head =
    r.lost.count > 0
      ? `LOST WRITES: ${r.lost.acknowledged} acknowledged adds (of ${r.adds.ok}) missing from the final read` +
        (r.lost.count > r.lost.acknowledged
          ? `, and ${r.lost.count - r.lost.acknowledged} more a read had seen`
          : '')
      : r.valid === 'unknown'
        ? `lost writes unknown: no final read of ${r.keysWithoutFinalRead.length > 0 ? r.keysWithoutFinalRead.join(', ') : 'any set'}`
        : `lost writes: none of ${r.adds.ok} acknowledged adds is missing from the final read`;
  return (
    `${head}; ${r.recovered.count} indeterminate adds recovered, ${r.stale.elements} elements missed by stale reads` +
    (r.unexpected.count > 0 ? `, ${r.unexpected.count} unexpected elements` : '')
  );
}

function linearizableWords(r: LinearizabilityResult): string {
  if (r.valid === true) {
    return `linearizable: no anomaly in ${r.ops} operations on ${r.keys} keys (model ${r.model}, ${r.ms} ms to check)`;
  }
  if (r.valid === false) {
    const [first] = r.failures;
    const key = first.key === null ? 'the register' : `key ${first.key}`;
    const more = r.failures.length > 1 ? ` (and ${r.failures.length - 1} more keys)` : '';
    return `NOT linearizable: on ${key}, ${first.explanation}${more}`;
  }
  const reasons = [...new Set(r.unknown.map((u) => u.reason))].join(', ');
  return `linearizability unknown: the search gave up on ${r.unknown.length} keys (${reasons})`;
}
