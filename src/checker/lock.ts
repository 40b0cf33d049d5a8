import { hasOperation } from '../history/summary.js';
import type { History, Json, Operation } from '../history/types.js';
import { checkLinearizable, type LinearizabilityResult } from './linearizable/index.js';
import type { Checker, CheckerResult, Validity } from './types.js';
import { mergeValidity } from './types.js';

/**
 * Checker `lock`: what a lease lock let its holders do.
 *
 * The history (HISTORY.md format; times in ns):
 * - `acquire`, key = the lock's name. Invoke value: `{leaseMs}` asked for (or null). `ok` value:
 *   `{token, leaseMs}`: granted, with a fencing token (a number that grows with each grant) and the
 *   lease the holder was granted. `fail`: not granted (someone else holds it). `info`: unknown.
 * - `release`, key = the lock's name. Invoke value: the token being released. `ok`: the lock was
 *   ours and is now free; `fail`: it was no longer ours (the lease had run out), nothing changed.
 * - `write`, key = the protected resource. Invoke value `{token, value}`: the holder's token and
 *   what it writes. `ok`: the resource accepted it; `fail` with error `fenced`: a fenced resource
 *   rejected it because a newer token had written; `info`: unknown.
 *
 * It reports
 * (a) the mutex model's linearizability over acquire/release (a lease that runs out while its
 *     holder has not released breaks it: the mutex model knows no leases);
 * (b) overlapping holders: a process believes it holds the lock from its acquire's `ok` until it
 *     invokes release, at most for the lease it was granted. Two such intervals of different
 *     processes on one lock that overlap in real time are two holders at once;
 * (c) unsafe writes: a write the resource accepted although a write with a newer token had been
 *     accepted before it was invoked (completion before invocation, so the order is certain).
 *     A fenced resource would have rejected each of these.
 * Invalid when any of the three finds something; unknown when (a) gave up.
 */

export interface Hold {
  key: string | null;
  process: number;
  token: number | null;
  leaseMs: number;
  /** Acquire invoked, acknowledged, and the end of the holder's belief (s since the run started). */
  asked: number;
  from: number;
  to: number;
  /** Why the hold ended: the holder began to release, its lease ran out, or the history ended. */
  end: 'release' | 'lease';
  /** Operation index of the acquire. */
  index: number;
}

export interface Overlap {
  key: string | null;
  /** The hold that began first, and the one that began inside it. */
  first: Hold;
  second: Hold;
  /** Overlap in ms. */
  ms: number;
  story: string;
}

export interface UnsafeWrite {
  key: string | null;
  index: number;
  process: number;
  token: number;
  value: Json;
  /** When it was invoked (s). */
  at: number;
  /** The newer write accepted before it. */
  newer: { index: number; process: number; token: number; at: number };
  story: string;
}

export interface LockResult extends CheckerResult {
  valid: Validity;
  mutex: Pick<LinearizabilityResult, 'valid' | 'failures' | 'unknown' | 'ops' | 'keys'>;
  acquires: { ok: number; fail: number; info: number };
  releases: { ok: number; fail: number; info: number };
  writes: { ok: number; fenced: number; fail: number; info: number };
  holds: number;
  overlaps: { count: number; totalMs: number; maxMs: number; examples: Overlap[] };
  unsafe: { count: number; examples: UnsafeWrite[] };
  ms: number;
}

export interface LockOptions {
  /** Examples kept per finding (default 20). */
  examples?: number;
  /** Time budget of the mutex search (default 300 s). */
  timeoutMs?: number;
}

const NS_PER_MS = 1e6;
const NS_PER_S = 1e9;

/** The grant an acquire's `ok` carries: `{token, leaseMs}`. */
export function grantOf(value: Json | undefined): { token: number | null; leaseMs: number } | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { token, leaseMs } = value;
  if (typeof leaseMs !== 'number') return null;
  return { token: typeof token === 'number' ? token : null, leaseMs };
}

/** The token and value a protected write carries: `{token, value}`. */
export function protectedWrite(value: Json | undefined): { token: number; value: Json } | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return typeof value.token === 'number' ? { token: value.token, value: value.value ?? null } : null;
}

export async function checkLock(
  history: Pick<History, 'operations'>,
  options: LockOptions = {},
): Promise<LockResult> {
  const started = performance.now();
  const examples = options.examples ?? 20;
  const lockOps = history.operations.filter((op) => op.f === 'acquire' || op.f === 'release');
  const writes = history.operations.filter((op) => op.f === 'write' && protectedWrite(op.input) !== null);
  const mutex = await checkLinearizable(lockOps, { model: 'mutex', timeoutMs: options.timeoutMs });

  const holds = holdsOf(lockOps);
  const overlaps = findOverlaps(holds);
  const unsafe = findUnsafeWrites(writes, holds);
  const valid = mergeValidity([mutex.valid, overlaps.length === 0 && unsafe.length === 0]);
  const outcomes = (f: string) => {
    const counts = { ok: 0, fail: 0, info: 0 };
    for (const op of lockOps) if (op.f === f) counts[op.pending ? 'info' : op.outcome]++;
    return counts;
  };
  const writeCounts = { ok: 0, fenced: 0, fail: 0, info: 0 };
  for (const op of writes) {
    if (op.pending) writeCounts.info++;
    else if (op.outcome === 'ok') writeCounts.ok++;
    else writeCounts[op.error === 'fenced' ? 'fenced' : 'fail']++;
  }
  const overlapMs = overlaps.map((o) => o.ms);
  return {
    valid,
    mutex: {
      valid: mutex.valid,
      failures: mutex.failures,
      unknown: mutex.unknown,
      ops: mutex.ops,
      keys: mutex.keys,
    },
    acquires: outcomes('acquire'),
    releases: outcomes('release'),
    writes: writeCounts,
    holds: holds.length,
    overlaps: {
      count: overlaps.length,
      totalMs: round(overlapMs.reduce((a, b) => a + b, 0)),
      maxMs: round(Math.max(0, ...overlapMs)),
      examples: overlaps.slice(0, examples),
    },
    unsafe: { count: unsafe.length, examples: unsafe.slice(0, examples) },
    ms: Math.round(performance.now() - started),
  };
}

/**
 * Each granted acquire's hold: from its `ok` until the same process next invokes release on that
 * lock, but no longer than the lease it was granted.
 */
export function holdsOf(lockOps: readonly Operation[]): Hold[] {
  const holds: Hold[] = [];
  const byProcessKey = new Map<string, Operation[]>();
  for (const op of lockOps) {
    const id = `${op.process}\u0000${op.key}`;
    const list = byProcessKey.get(id) ?? [];
    list.push(op);
    byProcessKey.set(id, list);
  }
  for (const ops of byProcessKey.values()) {
    ops.sort((a, b) => a.call - b.call);
    ops.forEach((op, i) => {
      const grant = op.f === 'acquire' && op.outcome === 'ok' ? grantOf(op.output) : null;
      if (!grant) return;
      const release = ops.slice(i + 1).find((next) => next.f === 'release' || next.f === 'acquire');
      const leaseEnd = op.ret + grant.leaseMs * NS_PER_MS;
      const releasedAt = release?.f === 'release' ? release.call : Number.POSITIVE_INFINITY;
      holds.push({
        key: op.key,
        process: op.process,
        token: grant.token,
        leaseMs: grant.leaseMs,
        asked: op.call / NS_PER_S,
        from: op.ret / NS_PER_S,
        to: Math.min(releasedAt, leaseEnd) / NS_PER_S,
        end: releasedAt <= leaseEnd ? 'release' : 'lease',
        index: op.index,
      });
    });
  }
  return holds.sort((a, b) => a.from - b.from || a.index - b.index);
}

/** Pairs of holds by different processes on one lock that share some time, in order of the later start. */
export function findOverlaps(holds: readonly Hold[]): Overlap[] {
  const overlaps: Overlap[] = [];
  const open = new Map<string | null, Hold[]>();
  for (const hold of holds) {
    const active = (open.get(hold.key) ?? []).filter((h) => h.to > hold.from);
    for (const earlier of active) {
      // A hold of no time (a grant whose lease had run out on arrival) shares no time with any.
      if (earlier.process === hold.process || Math.min(earlier.to, hold.to) <= hold.from) continue;
      const ms = (Math.min(earlier.to, hold.to) - hold.from) * 1000;
      overlaps.push({
        key: hold.key,
        first: earlier,
        second: hold,
        ms: round(ms),
        story: overlapStory(earlier, hold, ms),
      });
    }
    active.push(hold);
    open.set(hold.key, active);
  }
  return overlaps;
}

/**
 * Accepted writes invoked after a write with a newer token had been accepted on the same resource.
 * Writes are swept in invocation order; those accepted by then (completed before this invocation)
 * raise the newest token seen.
 */
export function findUnsafeWrites(writes: readonly Operation[], holds: readonly Hold[]): UnsafeWrite[] {
  const unsafe: UnsafeWrite[] = [];
  const accepted = writes.filter((w) => w.outcome === 'ok' && !w.pending);
  const byKey = new Map<string | null, Operation[]>();
  for (const w of accepted) byKey.set(w.key, [...(byKey.get(w.key) ?? []), w]);
  for (const [key, list] of byKey) {
    const byCall = [...list].sort((a, b) => a.call - b.call || a.index - b.index);
    const byRet = [...list].sort((a, b) => a.ret - b.ret || a.index - b.index);
    let next = 0;
    let newest: Operation | null = null;
    for (const w of byCall) {
      while (next < byRet.length && byRet[next].ret < w.call) {
        const candidate = byRet[next++];
        if (!newest || tokenOf(candidate) > tokenOf(newest)) newest = candidate;
      }
      if (!newest || tokenOf(newest) <= tokenOf(w)) continue;
      const mine = protectedWrite(w.input) as { token: number; value: Json };
      const newer = {
        index: newest.index,
        process: newest.process,
        token: tokenOf(newest),
        at: newest.call / NS_PER_S,
      };
      const hold = holds.find(
        (h) => h.process === w.process && h.token === mine.token && h.from * NS_PER_S <= w.call,
      );
      const taker = holds.find((h) => h.token === newer.token);
      unsafe.push({
        key,
        index: w.index,
        process: w.process,
        token: mine.token,
        value: mine.value,
        at: w.call / NS_PER_S,
        newer,
        story: unsafeStory(w, mine.token, newer, hold, taker),
      });
    }
  }
  return unsafe.sort((a, b) => a.at - b.at);
}

function tokenOf(write: Operation): number {
  return (protectedWrite(write.input) as { token: number }).token;
}

function overlapStory(first: Hold, second: Hold, ms: number): string {
  const ending =
    first.end === 'lease'
      ? `until its lease ran out at ${s(first.to)}`
      : `until it began to release at ${s(first.to)}`;
  // A grant that reached its holder after longer than its lease may have expired on the server
  // before the holder even knew it had it: the delay is the likeliest cause, so it is named.
  const waited = second.from - second.asked;
  const late =
    waited * 1000 > second.leaseMs
      ? ` (it had asked ${waited.toFixed(1)} s earlier, longer than its ${second.leaseMs} ms lease)`
      : '';
  return (
    `process ${first.process} held the lock${token(first.token)} from ${s(first.from)} ${ending}; ` +
    `process ${second.process} was granted it${token(second.token)} at ${s(second.from)}${late}: ` +
    `both believed they held it for ${ms.toFixed(0)} ms`
  );
}

function unsafeStory(
  write: Operation,
  mine: number,
  newer: UnsafeWrite['newer'],
  hold: Hold | undefined,
  taker: Hold | undefined,
): string {
  const at = write.call / NS_PER_S;
  const parts: string[] = [];
  if (hold) {
    const silent = at - hold.from;
    parts.push(
      `process ${write.process} took the lock at ${s(hold.from)} (token ${mine}, lease ${hold.leaseMs} ms)`,
    );
    if (silent * 1000 > hold.leaseMs) parts.push(`nothing was heard from it for ${silent.toFixed(1)} s`);
    if (hold.end === 'lease' && hold.to < at) parts.push(`its lease expired at ${s(hold.to)}`);
  } else
    parts.push(`process ${write.process} wrote with token ${mine}, from a grant the history does not show`);
  parts.push(
    taker
      ? `process ${taker.process} took the lock at ${s(taker.from)} (token ${newer.token}) and its write was accepted`
      : `process ${newer.process} wrote with the newer token ${newer.token} at ${s(newer.at)}, and it was accepted`,
  );
  parts.push(
    `process ${write.process} then wrote with its old token ${mine} at ${s(at)}, and the resource accepted it`,
  );
  return parts.join('; ');
}

const s = (seconds: number) => `${seconds.toFixed(3)} s`;
const token = (t: number | null) => (t === null ? '' : ` (token ${t})`);
const round = (ms: number) => Math.round(ms * 1000) / 1000;

export interface LockDigest {
  overlaps: number;
  unsafe: number;
  grants: number;
  valid: Validity;
}

function examplesOption(
  raw: Readonly<Record<string, unknown>>,
  problem: (what: string) => Error,
): LockOptions {
  const examples = raw.examples ?? 20;
  if (typeof examples !== 'number' || !Number.isInteger(examples) || examples < 0) {
    throw problem(`checker lock's examples must be a whole number >= 0, not ${JSON.stringify(examples)}`);
  }
  return { examples };
}

/** Lease locks: `acquire`/`release` on a lock and fenced `write`s on the resource it protects. */
export const lockChecker: Checker<LockOptions, LockResult, LockDigest> = {
  name: 'lock',
  optionNames: ['examples'],
  appliesTo: (history) => hasOperation(history.operations, 'acquire'),
  options: examplesOption,
  check: (history, options, context) => checkLock(history, { ...options, timeoutMs: context.timeoutMs }),
  summary: (r) => [lockWords(r)],
  found: (r) => [
    r.overlaps.count === 0 && r.unsafe.count === 0
      ? `No two clients held the lock at once (${r.holds.toLocaleString('en')} grants), and no write with an old token was accepted.`
      : `${r.overlaps.count.toLocaleString('en')} times two clients held the lock at once; the resource accepted ${r.unsafe.count.toLocaleString('en')} writes with an old token (a fencing check would have rejected each).`,
    ...(r.unsafe.examples[0] ? [r.unsafe.examples[0].story] : []),
  ],
  compare: {
    column: 'lock',
    digest: (r) => ({ overlaps: r.overlaps.count, unsafe: r.unsafe.count, grants: r.holds, valid: r.valid }),
    cell: (d) =>
      `${d.overlaps.toLocaleString('en')} overlaps, ${d.unsafe.toLocaleString('en')} unsafe writes (${d.grants.toLocaleString('en')} grants)`,
  },
};

function lockWords(r: LockResult): string {
  const head =
    r.overlaps.count > 0 || r.unsafe.count > 0
      ? `LOCK BROKEN: ${r.overlaps.count} overlapping holders (longest ${r.overlaps.maxMs} ms), ${r.unsafe.count} unsafe writes accepted`
      : `lock: ${r.holds} grants, no overlapping holders, no unsafe write`;
  return `${head}; ${r.writes.fenced} writes rejected by the fence; mutex model ${r.mutex.valid === true ? 'valid' : r.mutex.valid === false ? 'INVALID' : 'unknown'}`;
}
