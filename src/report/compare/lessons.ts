import { duration, percent as pct } from '../../checker/words.js';
import type { LockImplementation } from '../../workloads/lock.js';
import type { CacheFigures, CompareRun, Lesson, TxnFigures } from './data.js';

/**
 * The readings of lessons that are not about CAP: a cache going cold, transactions' anomalies, a
 * lease lock's holders, a queue's messages. Each says, in the lesson's own quantities, what one run
 * did; `closing` compares the runs, answering the preset's "look for". Pure.
 */

type Run = Pick<CompareRun, 'label' | 'cache' | 'lock' | 'queue' | 'txn' | 'faultKinds' | 'latencyMs'>;

/** One run's reading in its lesson's words (the CAP lesson is read by reading.ts). */
export function lessonReading(lesson: Exclude<Lesson, 'cap'>, run: Run): string {
  switch (lesson) {
    case 'cache':
      return cacheReading(run);
    case 'transactions':
      return transactionsReading(run);
    case 'lock':
      return lockReading(run);
    case 'queue':
      return queueReading(run);
  }
}

/** The page's closing sentence: the runs compared in the lesson's quantities ('' when it has none). */
export function closing(lesson: Lesson, runs: readonly Run[]): string {
  switch (lesson) {
    case 'cache':
      return cacheClosing(runs);
    case 'transactions':
      return transactionsClosing(runs);
    case 'lock':
      return lockClosing(runs);
    case 'queue':
      return queueClosing(runs);
    case 'cap':
      return '';
  }
}

const count = (n: number) => n.toLocaleString('en');

/** The runs that have a lesson's figures, each with its label. */
function withFigures<F>(
  runs: readonly Run[],
  pick: (run: Run) => F | undefined,
): { label: string; fig: F }[] {
  return runs.flatMap((run) => {
    const fig = pick(run);
    return fig === undefined ? [] : [{ label: run.label, fig }];
  });
}

/** "label: words; label: words": one clause a run, for a closing sentence. */
function eachRun<F>(list: readonly { label: string; fig: F }[], words: (fig: F) => string): string {
  return list.map(({ label, fig }) => `${label}: ${words(fig)}`).join('; ');
}
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

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

/**
 * The page's closing sentence for a cache lesson: each run's spike and recovery, how much of the
 * cache the better sharding kept warm, and the expiry waves with and without jitter.
 */
export function cacheClosing(runs: readonly Run[]): string {
  const cached = withFigures(runs, (r) => r.cache);
  if (cached.length === 0) return '';
  const figures = cached.map(({ fig }) => fig);
  const each = eachRun(
    cached,
    (c) => `spike ${spikeWords(c)}, recovery ${c.recoveryS === null ? 'none' : duration(c.recoveryS * 1000)}`,
  );
  const moved = figures.filter((c) => c.movedPredicted !== undefined);
  const least = moved.reduce<CacheFigures | undefined>(
    (best, c) => (best === undefined || (c.movedPredicted ?? 1) < (best.movedPredicted ?? 1) ? c : best),
    undefined,
  );
  const warm =
    least && moved.some((c) => c.sharding !== least.sharding)
      ? `: ${least.sharding} kept ${pct(1 - (least.movedPredicted ?? 0))} of the cache warm`
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

/**
 * "2 s pauses, lease 1.0 s: 45 grants; 5 leases ran out under holders that still believed in them;
 * twice two clients held the lock at once (longest 8.8 ms); the resource accepted 4 writes with an
 * old token (fencing violations)".
 */
export function lockReading(run: Run): string {
  const l = run.lock;
  if (!l) return 'the lock checker did not run';
  const pause = l.holderPauseMs
    ? `holders stopped ${duration(l.holderPauseMs)} after one grant in ten`
    : 'no holder paused';
  const lease = l.leaseMs === undefined ? '' : `, lease ${duration(l.leaseMs)}`;
  const under = run.faultKinds.length > 0 ? `, under ${run.faultKinds.join(' and ')}` : '';
  const parts = [
    `${pause}${lease}${under}: ${plural(l.grants, 'grant')}`,
    l.lostLeases === 0
      ? 'no lease ran out under its holder'
      : `${plural(l.lostLeases, 'lease')} ran out under holders that still believed in ${l.lostLeases === 1 ? 'it' : 'them'} (their release found the lock gone)`,
    l.overlaps === 0
      ? 'never two holders at once'
      : `${l.overlaps === 1 ? 'once' : l.overlaps === 2 ? 'twice' : `${count(l.overlaps)} times`} two clients held the lock at once (longest ${duration(l.longestOverlapMs)})`,
    l.unsafe > 0
      ? `the resource accepted ${plural(l.unsafe, 'write')} with an old token (fencing violations)${l.fenced > 0 ? ` and the fence rejected ${count(l.fenced)}` : ''}`
      : l.fenced > 0
        ? `the fence rejected ${plural(l.fenced, 'write')} with an old token: no fencing violation got through`
        : 'no write with an old token',
  ];
  if (l.mutex === false) parts.push('as a plain mutex (one that knows no leases) not linearizable');
  return parts.join('; ');
}

/** A lock implementation in the closing's words. */
const LOCK_NAMES: Record<LockImplementation, string> = {
  redis: 'Redis SET NX',
  redlock: 'Redlock',
  'cassandra-lwt': 'Cassandra LWT',
  'mysql-get-lock': 'GET_LOCK',
  'mysql-lease': 'the lease row',
};

/**
 * "unfenced: 0 overlaps, 14 unsafe writes accepted, 0 rejected by the fence; fenced: ... Holders
 * whose lease ran out wrote as if they still held the lock, whichever lock granted it (Redis SET NX:
 * 14 writes with an old token for 16 lost leases; Redlock: 14 for 16): ... only the fence stopped them
 * (fenced: 17 rejected)".
 */
export function lockClosing(runs: readonly Run[]): string {
  const locks = withFigures(runs, (r) => r.lock);
  if (locks.length === 0) return '';
  const each = eachRun(
    locks,
    (l) =>
      `${plural(l.overlaps, 'overlap')}, ${count(l.unsafe)} unsafe writes accepted, ${count(l.fenced)} rejected by the fence`,
  );
  const unfenced = locks.filter(({ fig: l }) => l.fencing !== true && l.unsafe > 0);
  const fenced = locks.filter(({ fig: l }) => l.fencing === true && l.unsafe === 0 && l.fenced > 0);
  if (unfenced.length === 0 || fenced.length === 0) return `${each}.`;
  const stopped = fenced.map(({ label, fig }) => `${label}: ${count(fig.fenced)} rejected`).join('; ');
  // Several locks let late holders through: name each, so the reader sees no lock service helped.
  const names = unfenced.map(({ fig }) => (fig.lock === undefined ? undefined : LOCK_NAMES[fig.lock]));
  const distinct = new Set(names).size === names.length && !names.includes(undefined);
  if (distinct && unfenced.length > 1) {
    const perLock = unfenced
      .map(({ fig }, i) =>
        i === 0
          ? `${names[i]}: ${plural(fig.unsafe, 'write')} with an old token for ${plural(fig.lostLeases, 'lost lease')}`
          : `${names[i]}: ${count(fig.unsafe)} for ${count(fig.lostLeases)}`,
      )
      .join('; ');
    return `${each}. Holders whose lease ran out wrote as if they still held the lock, whichever lock granted it (${perLock}): no lock service can tell a stopped holder that its lease is gone. Only the fence stopped them (${stopped}).`;
  }
  const accepted = unfenced.map(({ label, fig }) => `${label}: ${count(fig.unsafe)} accepted`).join('; ');
  return `${each}. Holders whose lease ran out wrote as if they still held the lock, fenced or not; only the fence stopped them (${stopped}; against ${accepted}).`;
}

/**
 * "at-least-once promised, at-least-once seen: 0 of 812 acknowledged messages lost, 3 delivered
 * more than once (3 extra deliveries), 12 out of order; under kill".
 */
export function queueReading(run: Run): string {
  const q = run.queue;
  if (!q) return 'the queue checker did not run';
  const seen = q.delivery === 'neither' ? 'neither at most nor at least once' : q.delivery;
  const under = run.faultKinds.length > 0 ? `, under ${run.faultKinds.join(' and ')}` : '';
  const parts = [
    `${q.promised} promised, ${seen} seen${under}: ${count(q.lost)} of ${count(q.acknowledged)} acknowledged messages lost`,
    q.duplicated === 0
      ? 'none delivered twice'
      : `${plural(q.duplicated, 'message')} delivered more than once (${plural(q.extraDeliveries, 'extra delivery', 'extra deliveries')})`,
  ];
  if (q.reordered !== undefined)
    parts.push(q.reordered === 0 ? 'none out of order' : `${count(q.reordered)} out of order`);
  if (q.recovered > 0) parts.push(`${count(q.recovered)} of unknown enqueues delivered after all`);
  if (q.unexpected > 0) parts.push(`${count(q.unexpected)} delivered that were never enqueued`);
  if (q.notDequeued > 0) parts.push(`${count(q.notDequeued)} never dequeued, and no drain ran`);
  return parts.join('; ');
}

/** Each delivery mode's losses, duplicates and reordering, and what the losses say about where they come from. */
export function queueClosing(runs: readonly Run[]): string {
  const queues = withFigures(runs, (r) => r.queue);
  if (queues.length === 0) return '';
  const each = eachRun(
    queues,
    (q) =>
      `${count(q.lost)} lost, ${count(q.duplicated)} duplicated${q.reordered === undefined ? '' : `, ${count(q.reordered)} out of order`}`,
  );
  const losing = queues.filter(({ fig }) => fig.lost > 0);
  const modes = new Set(queues.map(({ fig }) => fig.promised));
  const lost =
    losing.length === queues.length && modes.size > 1
      ? ' Every delivery mode lost acknowledged messages: they went with the queue itself, which no consumer-side acknowledgement brings back.'
      : losing.length === 0
        ? ' No acknowledged message was lost.'
        : '';
  const twice = queues.filter(({ fig }) => fig.duplicated > 0).map(({ label }) => label);
  const dup =
    twice.length === 0 ? ' Nothing was delivered twice.' : ` Delivered twice only in ${twice.join(', ')}.`;
  return `${each}.${lost}${dup}`;
}

/** "12 anomalies (G-single ×3, lost-update ×9), which rule out read-committed and stronger; 40 of 900 transactions aborted". */
export function transactionsReading(run: Run): string {
  const t = run.txn;
  if (!t) return 'the transactions checker did not run';
  const total = Object.values(t.anomalies).reduce((a, b) => a + b, 0);
  const found =
    total === 0
      ? 'no anomaly: every transaction fits one order of the others'
      : `${plural(total, 'anomaly', 'anomalies')} (${anomalyList(t)})${t.ruledOut.length > 0 ? `, which rule out ${ruledOutWords(t.ruledOut)}` : ''}`;
  return `${found}; ${abortWords(t)}`;
}

/** Repeatable read and snapshot isolation are not ordered: name both before "and stronger". */
function ruledOutWords(models: readonly string[]): string {
  if (models.length <= 2) return models.join(' and ');
  return `${models.slice(0, 2).join(', ')} and stronger`;
}

function anomalyList(t: TxnFigures): string {
  return Object.entries(t.anomalies)
    .map(([name, n]) => `${name} ×${count(n)}`)
    .join(', ');
}

function abortWords(t: TxnFigures): string {
  const share = t.txns === 0 ? '' : ` (${pct(t.aborted / t.txns)})`;
  return `${count(t.aborted)} of ${count(t.txns)} transactions aborted${share}${t.unknown > 0 ? `, ${count(t.unknown)} unknown` : ''}`;
}

/** Each run's anomalies against its aborts: what the stronger levels buy and what they cost. */
export function transactionsClosing(runs: readonly Run[]): string {
  const txns = withFigures(runs, (r) => (r.txn ? { t: r.txn, p99: r.latencyMs?.p99 } : undefined));
  if (txns.length === 0) return '';
  const each = eachRun(txns, ({ t, p99 }) => {
    const total = Object.values(t.anomalies).reduce((a, b) => a + b, 0);
    const aborted = t.txns === 0 ? '' : `, ${pct(t.aborted / t.txns)} aborted`;
    return `${total === 0 ? 'no anomaly' : `${plural(total, 'anomaly', 'anomalies')} (${Object.keys(t.anomalies).join(', ')})`}${aborted}${p99 === undefined ? '' : `, p99 ${duration(p99)}`}`;
  });
  return `${each}.`;
}
