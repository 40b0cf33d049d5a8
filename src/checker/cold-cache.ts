import { keyNames } from '../generator/keys.js';
import { summarize } from '../history/summary.js';
import type { History, Json, NemesisEvent, Operation } from '../history/types.js';
import { movedShare, SHARDINGS, type Sharding } from '../stores/cache-aside/ring.js';
import { quantiles } from './perf.js';
import type { Checker, CheckerResult } from './types.js';

/**
 * The cold-cache checker: what losing a cache does to the database behind it. Pure: it reads the
 * cache-aside workload's extra fields (hit, db, dbMs, dbAtMs, shard) and the nemesis's events.
 */

export interface ColdCacheOptions {
  /** Database queries per second it is sized for; a second above it makes the run invalid. */
  dbCapacity: number | null;
  /** Largest acceptable share of operations that failed or timed out. */
  maxErrorRate: number;
  /** The longest a cache entry lives (TTL plus jitter): how stale a cached value may be. */
  maxTtlMs: number;
  writePolicy: string;
}

/** Nemesis events after which the cache is (partly) cold. */
export const CACHE_FAULT_FS: ReadonlySet<string> = new Set([
  'restart-cache',
  'flush-cache',
  'reshard',
  'reshard-back',
  'kill',
]);
/** The nemesis event that marks the warm-up; its value holds `untilMs`. */
export const WARM_UP_F = 'warm-up';

/** Seconds of steady state before a fault that its spike is measured against. */
export const BASELINE_S = 10;
/** A spike is the peak within this long after the fault (or until the next fault). */
export const AFTER_S = 60;
/** Recovered when the hit ratio is back within this share of what it was before. */
export const RECOVERY_TOLERANCE = 0.05;

export interface SecondStats {
  second: number;
  reads: number;
  hits: number;
  /** hits / reads; null in a second without reads. */
  hitRatio: number | null;
  /** Database queries that began in this second. */
  dbQueries: number;
  /** Mean number of database queries in flight during the second. */
  dbInFlight: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
  timeouts: number;
}

export interface KeyMovement {
  sharding: string;
  before: string[];
  after: string[];
  keyspace: number;
  /** From the shard maps, over the whole keyspace. */
  predicted: number;
  /** From the operations: keys whose recorded shard differs before and after (keys seen on both sides). */
  observed: number | null;
  observedKeys: number;
}

export interface CacheFaultImpact {
  f: string;
  /** Seconds since the run started. */
  at: number;
  value: Json;
  /** Mean database queries/s in the steady state before (null: no steady state to compare with). */
  steadyDbQps: number | null;
  peakDbQps: number;
  peakAt: number | null;
  /** Peak over steady; null when the steady state had no database queries. */
  spike: number | null;
  hitRatioBefore: number | null;
  lowestHitRatio: number | null;
  /** Seconds from the fault until the hit ratio was back within 5% of before; null: not within the window. */
  recoveryS: number | null;
  errors: number;
  timeouts: number;
  peakInFlight: number;
  peakP99Ms: number | null;
  movement?: KeyMovement;
}

export interface StaleCacheRead {
  key: string | null;
  process: number;
  /** When the read began, in s. */
  at: number;
  value: Json;
  /** The value the database had committed (its newer write). */
  committed: Json;
  /** How long before the read began the cached value had been overwritten in the database, ms. */
  staleMs: number;
  shard: string | null;
  beyondTtl: boolean;
}

export interface ColdCacheResult extends CheckerResult {
  reads: number;
  hits: number;
  hitRatio: number | null;
  dbQueries: number;
  peakDbQps: number;
  dbMs: ReturnType<typeof quantiles>;
  ops: number;
  errors: number;
  timeouts: number;
  errorShare: number | null;
  errorsByReason: Record<string, number>;
  warmUpS: number | null;
  /**
   * Database load over the whole seconds after the warm-up (the last, partial second left out):
   * synchronized expiry shows as a peak far above the mean even without any fault.
   */
  load: { seconds: number; meanDbQps: number | null; peakDbQps: number; peakOverMean: number | null };
  series: SecondStats[];
  faults: CacheFaultImpact[];
  stale: { count: number; beyondTtl: number; examples: StaleCacheRead[]; maxTtlMs: number };
  options: ColdCacheOptions;
  /** Why the run is invalid, in words; empty when valid. */
  problems: string[];
}

const NS_PER_S = 1e9;
const NS_PER_MS = 1e6;
const STALE_EXAMPLES = 20;

export function checkColdCache(
  history: Pick<History, 'operations' | 'nemesis'>,
  options: ColdCacheOptions,
): ColdCacheResult {
  const ops = history.operations.filter((op) => op.extra?.final !== true);
  const series = perSecond(ops);
  const warmUp = history.nemesis.find((e) => e.f === WARM_UP_F);
  const warmUpS = warmUp ? numberField(warmUp.value, 'untilMs') / 1000 + warmUp.time / NS_PER_S : null;
  const faultEvents = history.nemesis.filter((e) => CACHE_FAULT_FS.has(e.f)).sort((a, b) => a.time - b.time);
  // The history's last second is cut short by its end: a few reads there are no hit ratio.
  const wholeSeconds = series.slice(0, -1);
  const faults = faultEvents.map((event, i) =>
    impact(event, faultEvents[i - 1], faultEvents[i + 1], wholeSeconds, ops, warmUpS ?? 0),
  );

  let reads = 0;
  let hits = 0;
  let dbQueries = 0;
  let errors = 0;
  let timeouts = 0;
  const dbMs: number[] = [];
  const errorsByReason: Record<string, number> = {};
  for (const op of ops) {
    if (op.f === 'read' && typeof op.extra?.hit === 'boolean') {
      reads++;
      if (op.extra.hit) hits++;
    }
    if (op.extra?.db === true) {
      dbQueries++;
      if (typeof op.extra.dbMs === 'number') dbMs.push(op.extra.dbMs);
    }
    if (op.outcome !== 'ok' || op.pending) {
      errors++;
      const reason = op.error ?? 'no-answer';
      errorsByReason[reason] = (errorsByReason[reason] ?? 0) + 1;
      if (reason.includes('timeout') || op.pending) timeouts++;
    }
  }
  const peakDbQps = Math.max(0, ...series.map((s) => s.dbQueries));
  const settled = series.slice(Math.ceil(warmUpS ?? 0), Math.max(0, series.length - 1));
  const meanDbQps = settled.length > 0 ? round(sum(settled, (s) => s.dbQueries) / settled.length) : null;
  const settledPeak = Math.max(0, ...settled.map((s) => s.dbQueries));
  const errorShare = ops.length > 0 ? errors / ops.length : null;
  const problems: string[] = [];
  if (options.dbCapacity !== null && peakDbQps > options.dbCapacity) {
    const over = series.filter((s) => s.dbQueries > (options.dbCapacity ?? 0)).length;
    problems.push(
      `the database got up to ${peakDbQps} queries/s, above its capacity of ${options.dbCapacity} (in ${over} second${over === 1 ? '' : 's'})`,
    );
  }
  if (errorShare !== null && errorShare > options.maxErrorRate) {
    problems.push(
      `${pct(errorShare)} of operations failed or timed out, more than the ${pct(options.maxErrorRate)} allowed`,
    );
  }
  return {
    valid: problems.length === 0,
    reads,
    hits,
    hitRatio: reads > 0 ? round(hits / reads, 4) : null,
    dbQueries,
    peakDbQps,
    dbMs: quantiles(dbMs),
    ops: ops.length,
    errors,
    timeouts,
    errorShare: errorShare === null ? null : round(errorShare, 4),
    errorsByReason,
    warmUpS: warmUpS === null ? null : round(warmUpS),
    load: {
      seconds: settled.length,
      meanDbQps,
      peakDbQps: settledPeak,
      peakOverMean: meanDbQps ? round(settledPeak / meanDbQps, 2) : null,
    },
    series,
    faults,
    stale: staleCacheReads(ops, options.maxTtlMs),
    options,
    problems,
  };
}

const DEFAULT_OPTIONS: ColdCacheOptions = {
  dbCapacity: null,
  maxErrorRate: 1,
  maxTtlMs: 0,
  writePolicy: 'invalidate',
};

/** The options' names in a preset's `checkers:` mapping (the cache-aside workload fills them). */
const OPTION_NAMES = {
  'db-capacity': 'dbCapacity',
  'max-error-rate': 'maxErrorRate',
  'max-ttl-ms': 'maxTtlMs',
  'write-policy': 'writePolicy',
} as const satisfies Record<string, keyof ColdCacheOptions>;

/** The comparison page's cold-cache cell: the cache fault with the largest load spike. */
export interface ColdCacheDigest {
  faults: number;
  spike: number | null;
  recoveryS: number | null;
}

/** The cold-cache checker: database load, hit ratio and recovery around cache faults. */
export const coldCacheChecker: Checker<ColdCacheOptions, ColdCacheResult, ColdCacheDigest> = {
  name: 'cold-cache',
  optionNames: Object.keys(OPTION_NAMES),
  appliesTo: (history) => summarize(history.operations).extraTypes.get('hit')?.has('boolean') === true,
  options(raw, problem) {
    const number = (name: keyof typeof OPTION_NAMES, nullable: boolean): number | null | undefined => {
      const value = raw[name];
      if (value === undefined || (nullable && (value === null || value === 'none'))) {
        return value === undefined ? undefined : null;
      }
      if (typeof value !== 'number' || !(value >= 0)) {
        throw problem(
          `cold-cache's ${name} must be a number >= 0${nullable ? " or 'none'" : ''}, not ${JSON.stringify(value)}`,
        );
      }
      return value;
    };
    const capacity = number('db-capacity', true);
    const policy = raw['write-policy'];
    if (policy !== undefined && typeof policy !== 'string') {
      throw problem(`cold-cache's write-policy must be a word, not ${JSON.stringify(policy)}`);
    }
    return {
      dbCapacity: capacity === undefined ? DEFAULT_OPTIONS.dbCapacity : capacity,
      maxErrorRate: number('max-error-rate', false) ?? DEFAULT_OPTIONS.maxErrorRate,
      maxTtlMs: number('max-ttl-ms', false) ?? DEFAULT_OPTIONS.maxTtlMs,
      writePolicy: policy ?? DEFAULT_OPTIONS.writePolicy,
    };
  },
  check: (history, options) => checkColdCache(history, options),
  summary: coldCacheWords,
  // The verdict box leaves the cache's numbers to its section.
  found: () => [],
  compare: {
    column: 'cold cache (largest spike, its recovery)',
    digest: largestSpike,
    cell: (d) =>
      d.faults === 0
        ? 'no cache fault'
        : `${d.spike === null ? '-' : `${d.spike.toFixed(1)}×`}, ${d.recoveryS === null ? 'not recovered' : `${d.recoveryS} s`}`,
  },
};

/** The options as a preset mapping, for the cache-aside workload to fill in from its settings. */
export function coldCacheRawOptions(options: ColdCacheOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(OPTION_NAMES).map(([name, field]) => [name, options[field]]));
}

/** The fault after which the database's load rose most over its steady state, and its recovery. */
function largestSpike(r: ColdCacheResult): ColdCacheDigest {
  const faults = Array.isArray(r.faults) ? r.faults : [];
  const worst = faults.reduce<CacheFaultImpact | undefined>(
    (best, f) => (best === undefined || (f.spike ?? -1) > (best.spike ?? -1) ? f : best),
    undefined,
  );
  return { faults: faults.length, spike: worst?.spike ?? null, recoveryS: worst?.recoveryS ?? null };
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

/** Every second from 0 to the last operation's, with what happened in it. */
export function perSecond(ops: readonly Operation[]): SecondStats[] {
  let last = -1;
  for (const op of ops) last = Math.max(last, Math.floor(endOf(op) / NS_PER_S));
  const rows = Array.from({ length: last + 1 }, (_, second) => ({
    second,
    reads: 0,
    hits: 0,
    dbQueries: 0,
    inFlightNs: 0,
    latencies: [] as number[],
    errors: 0,
    timeouts: 0,
  }));
  for (const op of ops) {
    const end = endOf(op);
    const row = rows[Math.floor(end / NS_PER_S)];
    if (op.f === 'read' && typeof op.extra?.hit === 'boolean') {
      row.reads++;
      if (op.extra.hit) row.hits++;
    }
    if (op.outcome === 'ok' && !op.pending) row.latencies.push((end - op.call) / NS_PER_MS);
    else {
      row.errors++;
      if (op.pending || (op.error ?? '').includes('timeout')) row.timeouts++;
    }
    if (op.extra?.db === true) {
      const start = op.call + num(op.extra.dbAtMs) * NS_PER_MS;
      const stop = Math.min(end, start + num(op.extra.dbWaitMs) * NS_PER_MS + num(op.extra.dbMs) * NS_PER_MS);
      const first = Math.floor(start / NS_PER_S);
      if (rows[first]) rows[first].dbQueries++;
      // In flight from the query's start (after waiting for a connection) to its answer.
      const from = start + num(op.extra.dbWaitMs) * NS_PER_MS;
      for (let s = first; s <= Math.floor(stop / NS_PER_S) && s < rows.length; s++) {
        const overlap = Math.min(stop, (s + 1) * NS_PER_S) - Math.max(from, s * NS_PER_S);
        if (overlap > 0) rows[s].inFlightNs += overlap;
      }
    }
  }
  return rows.map((r) => {
    const q = quantiles(r.latencies);
    return {
      second: r.second,
      reads: r.reads,
      hits: r.hits,
      hitRatio: r.reads > 0 ? round(r.hits / r.reads, 4) : null,
      dbQueries: r.dbQueries,
      dbInFlight: round(r.inFlightNs / NS_PER_S),
      p50Ms: q?.p50 ?? null,
      p99Ms: q?.p99 ?? null,
      errors: r.errors,
      timeouts: r.timeouts,
    };
  });
}

function impact(
  event: NemesisEvent,
  previous: NemesisEvent | undefined,
  next: NemesisEvent | undefined,
  series: readonly SecondStats[],
  ops: readonly Operation[],
  warmUpS: number,
): CacheFaultImpact {
  const at = event.time / NS_PER_S;
  const atSecond = Math.floor(at);
  // The steady state: whole seconds before the fault, after the warm-up and after the previous fault.
  const from = Math.max(
    Math.ceil(warmUpS),
    atSecond - BASELINE_S,
    previous ? Math.floor(previous.time / NS_PER_S) + 1 : 0,
  );
  const before = series.slice(Math.max(0, from), atSecond);
  const until = Math.min(
    atSecond + AFTER_S,
    next ? Math.floor(next.time / NS_PER_S) : Number.POSITIVE_INFINITY,
  );
  const after = series.slice(atSecond, Math.max(atSecond, until));
  const steadyDbQps = before.length > 0 ? round(sum(before, (s) => s.dbQueries) / before.length) : null;
  const beforeReads = sum(before, (s) => s.reads);
  const hitRatioBefore = beforeReads > 0 ? round(sum(before, (s) => s.hits) / beforeReads, 4) : null;
  let peak = after[0];
  for (const s of after) if (s.dbQueries > (peak?.dbQueries ?? -1)) peak = s;
  const peakDbQps = peak?.dbQueries ?? 0;

  let recoveryS: number | null = null;
  let recoveredAt = until;
  if (hitRatioBefore !== null) {
    const target = hitRatioBefore * (1 - RECOVERY_TOLERANCE);
    // Only seconds wholly after the fault count as recovered; the fault's own second is mixed.
    const dipped = after.findIndex((s) => s.hitRatio !== null && s.hitRatio < target);
    if (dipped < 0) recoveryS = 0;
    else {
      const back = after.slice(dipped).find((s) => s.hitRatio !== null && s.hitRatio >= target);
      if (back) {
        recoveryS = round(Math.max(0, back.second - at));
        recoveredAt = back.second;
      }
    }
  }
  const during = ops.filter(
    (op) => op.call >= event.time && op.call < recoveredAt * NS_PER_S && (op.outcome !== 'ok' || op.pending),
  );
  const ratios = after.map((s) => s.hitRatio).filter((r): r is number => r !== null);
  const p99s = after.map((s) => s.p99Ms).filter((p): p is number => p !== null);
  return {
    f: event.f,
    at: round(at),
    value: event.value,
    steadyDbQps,
    peakDbQps,
    peakAt: peak ? peak.second : null,
    spike: steadyDbQps !== null && steadyDbQps > 0 ? round(peakDbQps / steadyDbQps, 2) : null,
    hitRatioBefore,
    lowestHitRatio: ratios.length > 0 ? Math.min(...ratios) : null,
    recoveryS,
    errors: during.length,
    timeouts: during.filter((op) => op.pending || (op.error ?? '').includes('timeout')).length,
    peakInFlight: Math.max(0, ...after.map((s) => s.dbInFlight)),
    peakP99Ms: p99s.length > 0 ? Math.max(...p99s) : null,
    ...(event.f === 'reshard' || event.f === 'reshard-back'
      ? { movement: movement(event, ops, previous?.time ?? 0, next?.time ?? Number.POSITIVE_INFINITY) }
      : {}),
  };
}

/**
 * Key movement of a reshard: predicted from the two shard maps, and observed in the operations:
 * each key's last shard between the previous cache fault and this one, against its first shard
 * after this one and before the next (outside those bounds another map may have been in force).
 */
export function movement(
  event: NemesisEvent,
  ops: readonly Operation[],
  fromNs = 0,
  untilNs = Number.POSITIVE_INFINITY,
): KeyMovement | undefined {
  const value = event.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const sharding = String(value.sharding);
  const before = stringList(value.before);
  const after = stringList(value.after);
  const keyspace = numberField(value, 'keyspace');
  if (!(SHARDINGS as readonly string[]).includes(sharding) || before.length === 0 || after.length === 0) {
    return undefined;
  }
  const predicted = movedShare(sharding as Sharding, before, after, keyNames(keyspace));
  const lastBefore = new Map<string, unknown>();
  const firstAfter = new Map<string, unknown>();
  for (const op of ops) {
    if (op.key === null || typeof op.extra?.shard !== 'string') continue;
    if (op.call >= fromNs && op.ret < event.time) lastBefore.set(op.key, op.extra.shard);
    else if (op.call > event.time && op.ret < untilNs && !firstAfter.has(op.key)) {
      firstAfter.set(op.key, op.extra.shard);
    }
  }
  let seen = 0;
  let moved = 0;
  for (const [key, shard] of firstAfter) {
    if (!lastBefore.has(key)) continue;
    seen++;
    if (lastBefore.get(key) !== shard) moved++;
  }
  return {
    sharding,
    before,
    after,
    keyspace,
    predicted: round(predicted, 4),
    observed: seen > 0 ? round(moved / seen, 4) : null,
    observedKeys: seen,
  };
}

/**
 * Cache hits that returned a value the database had certainly replaced: a newer write, invoked
 * after the value's own write completed, had completed before the read began. Values are unique
 * per key (0 is every key's initial value), so a read names its write. Invalidation races and a
 * reshard can leave such an entry until its TTL ends; older than the longest TTL is beyond what
 * the policy allows.
 */
export function staleCacheReads(ops: readonly Operation[], maxTtlMs: number): ColdCacheResult['stale'] {
  const writesByKey = new Map<string | null, Operation[]>();
  for (const op of ops) {
    if (op.f !== 'write') continue;
    const list = writesByKey.get(op.key) ?? [];
    list.push(op);
    writesByKey.set(op.key, list);
  }
  // Per key: writes by invocation, and from each position on, the earliest ok completion.
  const index = new Map<
    string | null,
    { calls: number[]; suffixMinRet: Operation[]; byValue: Map<Json, Operation> }
  >();
  for (const [key, writes] of writesByKey) {
    writes.sort((a, b) => a.call - b.call);
    const suffixMinRet: Operation[] = new Array(writes.length);
    let best: Operation | undefined;
    for (let i = writes.length - 1; i >= 0; i--) {
      const w = writes[i];
      if (w.outcome === 'ok' && !w.pending && (best === undefined || w.ret < best.ret)) best = w;
      suffixMinRet[i] = best as Operation;
    }
    index.set(key, {
      calls: writes.map((w) => w.call),
      suffixMinRet,
      byValue: new Map(writes.map((w) => [w.input, w])),
    });
  }
  const examples: StaleCacheRead[] = [];
  let count = 0;
  let beyondTtl = 0;
  for (const read of ops) {
    if (read.f !== 'read' || read.extra?.hit !== true || read.outcome !== 'ok') continue;
    const entry = index.get(read.key);
    if (!entry) continue;
    const value = read.output ?? null;
    const own = value === 0 ? undefined : entry.byValue.get(value);
    if (value !== 0 && own === undefined) continue;
    // The first write invoked after the value's write completed (any write, for the initial value).
    const after = own === undefined ? 0 : Number.isFinite(own.ret) ? own.ret : Number.POSITIVE_INFINITY;
    const at = lowerBound(entry.calls, after + (own === undefined ? 0 : 1));
    const newer = at < entry.calls.length ? entry.suffixMinRet[at] : undefined;
    if (!newer || newer.ret >= read.call) continue;
    const staleMs = round((read.call - newer.ret) / NS_PER_MS, 1);
    count++;
    const beyond = staleMs > maxTtlMs;
    if (beyond) beyondTtl++;
    examples.push({
      key: read.key,
      process: read.process,
      at: round(read.call / NS_PER_S),
      value,
      committed: newer.input,
      staleMs,
      shard: typeof read.extra.shard === 'string' ? read.extra.shard : null,
      beyondTtl: beyond,
    });
  }
  examples.sort((a, b) => b.staleMs - a.staleMs);
  return { count, beyondTtl, examples: examples.slice(0, STALE_EXAMPLES), maxTtlMs };
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function endOf(op: Operation): number {
  if (Number.isFinite(op.ret)) return op.ret;
  return op.completedAt ?? op.call;
}

function numberField(value: Json, field: string): number {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 0;
  return num(value[field]);
}

function stringList(value: Json | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += f(item);
  return total;
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
