import { transactionsChecker } from '../../checker/transactions/index.js';
import { digestOf } from '../../checker/types.js';
import { duration, percent as pct } from '../../checker/words.js';
import type { CacheFigures, CompareRun, Lesson } from './data.js';

/**
 * The readings of lessons that are not about CAP: a cache going cold, transactions' anomalies.
 * Each says, in the lesson's own quantities, what one run did; `closing` compares the runs. Pure.
 */

type Run = Pick<CompareRun, 'label' | 'cache' | 'checks'>;

/** The page's lesson: the one most of its runs have (the first run's on a tie). */
export function pageLesson(runs: readonly Pick<CompareRun, 'lesson'>[]): Lesson {
  const counts = new Map<Lesson, number>();
  for (const r of runs) counts.set(r.lesson, (counts.get(r.lesson) ?? 0) + 1);
  let best: Lesson = runs[0]?.lesson ?? 'cap';
  for (const [lesson, n] of counts) if (n > (counts.get(best) ?? 0)) best = lesson;
  return best;
}

/** "modulo moved 76% of keys: the hit ratio fell from 71% to 40% and the database took 1.6x its load; back in 3.9 s". */
export function cacheReading(run: Run): string {
  const c = run.cache;
  if (!c) return 'no cache figures: the cold-cache checker did not run';
  const parts: string[] = [];
  const moved =
    c.movedPredicted === undefined
      ? ''
      : `${c.sharding ?? 'the sharding'} moved ${pct(c.movedPredicted)} of keys${c.movedObserved === null || c.movedObserved === undefined ? '' : ` (${pct(c.movedObserved)} observed)`}`;
  if (c.faults === 0) {
    parts.push('no cache fault');
  } else {
    const fell =
      c.hitRatioBefore !== null && c.lowestHitRatio !== null
        ? `the hit ratio fell from ${pct(c.hitRatioBefore)} to ${pct(c.lowestHitRatio)}`
        : 'the hit ratio was not measured';
    const load =
      c.steadyDbQps === null
        ? `the database peaked at ${c.peakDbQps} queries/s`
        : `the database took ${spikeWords(c)} its load (${Math.round(c.steadyDbQps)} → ${c.peakDbQps} queries/s)`;
    const back =
      c.recoveryS === null ? 'the hit ratio did not recover' : `back in ${duration(c.recoveryS * 1000)}`;
    parts.push(`${moved ? `${moved}: ` : `after the ${c.fault ?? 'fault'}: `}${fell} and ${load}; ${back}`);
  }
  if (c.peakOverMean !== null) parts.push(`database load peak over mean ${c.peakOverMean.toFixed(2)}×`);
  parts.push(c.staleReads === 0 ? 'no stale cache read' : `${c.staleReads} stale cache reads`);
  if (c.errors > 0) parts.push(`${c.errors} errors`);
  return parts.join('; ');
}

function spikeWords(c: CacheFigures): string {
  return c.spike === null ? '?' : `${c.spike.toFixed(1)}×`;
}

/** Transactions in the checker's words: the anomalies found, by class. */
export function transactionsReading(run: Run): string {
  const d = digestOf(transactionsChecker, run.checks);
  if (!d) return 'the transactions checker did not run';
  return d.anomalies === 0
    ? 'no anomaly: every transaction fits one order of the others'
    : `${d.anomalies} anomal${d.anomalies === 1 ? 'y' : 'ies'} (${d.classes.join(', ')})`;
}

/**
 * The page's closing sentence for a cache lesson: each run's spike and recovery, how much of the
 * cache the better sharding kept warm, and the expiry waves with and without jitter.
 */
export function cacheClosing(runs: readonly Run[]): string {
  const figures = runs.flatMap((r) => (r.cache ? [{ label: r.label, c: r.cache }] : []));
  if (figures.length === 0) return '';
  const each = figures
    .map(
      ({ label, c }) =>
        `${label}: spike ${spikeWords(c)}, recovery ${c.recoveryS === null ? 'none' : duration(c.recoveryS * 1000)}`,
    )
    .join('; ');
  const moved = figures.filter((f) => f.c.movedPredicted !== undefined);
  const least = moved.reduce<(typeof moved)[number] | undefined>(
    (best, f) => (best === undefined || (f.c.movedPredicted ?? 1) < (best.c.movedPredicted ?? 1) ? f : best),
    undefined,
  );
  const warm =
    least && moved.some((f) => f.c.sharding !== least.c.sharding)
      ? `: ${least.c.sharding} kept ${pct(1 - (least.c.movedPredicted ?? 0))} of the cache warm`
      : '';
  return `${each}${warm}.${wavesWords(runs)}`;
}

/** Jitter spreads expiry: the database's peak over mean load of runs with TTL jitter against those without. */
function wavesWords(runs: readonly Run[]): string {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratios = (jitter: boolean) =>
    runs
      .filter((r) => (r.cache?.ttlJitter ?? 0) > 0 === jitter && r.cache?.peakOverMean != null)
      .map((r) => r.cache?.peakOverMean ?? 0);
  const [withJitter, without] = [ratios(true), ratios(false)];
  if (withJitter.length === 0 || without.length === 0) return '';
  return ` Expiry waves (database peak over mean load): ${mean(without).toFixed(2)}× without TTL jitter, ${mean(withJitter).toFixed(2)}× with it.`;
}
