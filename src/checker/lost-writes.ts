import { hasOperation } from '../history/summary.js';
import type { History, Json, Operation } from '../history/types.js';
import { firstAbove } from './stale-reads.js';
import type { Checker, CheckerResult, Validity } from './types.js';

/**
 * Lost writes on sets (`add` an element, `read-all` the whole set), after Jepsen's set-full.
 *
 * Elements are unique, so each names the add that wrote it. The final reads (marked `final: true`,
 * run after healing) say what survived:
 * - lost: an acknowledged add, or one a read had already returned, missing from the final read of
 *   its set. An element a read returned existed, whatever its add's outcome: losing it loses data
 *   someone saw.
 * - recovered: an add that ended unknown (info) whose element shows up in a read after all.
 * - never read: an acknowledged add that no read returned (lost before anyone saw it, or, without a
 *   final read, perhaps never looked at).
 * - stale: a read that began after an add was acknowledged missed its element, and a later read
 *   returned it: the set went back in time for that reader (counted apart from losses; a lost
 *   element is counted as lost only).
 * - unexpected: an element no add wrote, or whose add definitely failed, shows up.
 * Invalid when anything is lost, stale or unexpected; unknown when a set with adds has no final read.
 */

export interface LostElement {
  key: string | null;
  element: number;
  /** True when its add was acknowledged; false when only a read had shown it. */
  acknowledged: boolean;
  /** The add: operation index, process, node, and when it was invoked and acknowledged (s). */
  add: { index: number; process: number; node?: string; call: number; ack: number | null };
  /** When a read last returned it before the final read (s of that read's invocation), if ever. */
  lastSeen: number | null;
}

export interface StaleSetRead {
  key: string | null;
  element: number;
  /** When the add was acknowledged, and the read that began later and missed it (s). */
  ack: number;
  read: { index: number; process: number; node?: string; call: number };
  /** The later read that returned it. */
  seenAgain: { index: number; call: number };
}

/**
 * Every element's story in columns (seconds since the run started; null when it did not happen):
 * status 0 kept, 1 lost, 2 recovered, 3 never read, 4 add failed, 5 unknown (no final read),
 * 6 unexpected, 7 add never acknowledged and not seen.
 */
export interface ElementTimeline {
  keys: (string | null)[];
  element: number[];
  key: number[];
  added: (number | null)[];
  ack: (number | null)[];
  firstSeen: (number | null)[];
  lastSeen: (number | null)[];
  status: number[];
  /** Elements left out to keep results.json small (every noteworthy one is kept). */
  omitted: number;
}

export const ELEMENT_STATUS = [
  'kept',
  'lost',
  'recovered',
  'never read',
  'add failed',
  'unknown',
  'unexpected',
  'not acknowledged, not seen',
] as const;

export interface LostWritesResult extends CheckerResult {
  valid: Validity;
  keys: number;
  /** Sets with adds but no final read: their losses cannot be judged. */
  keysWithoutFinalRead: (string | null)[];
  adds: { ok: number; info: number; fail: number };
  reads: number;
  finalReads: number;
  lost: { count: number; acknowledged: number; elements: LostElement[] };
  recovered: { count: number; elements: number[] };
  neverRead: { count: number; elements: number[] };
  stale: { elements: number; misses: number; examples: StaleSetRead[] };
  unexpected: { count: number; elements: number[] };
  /** Per second of the run: adds acknowledged, and of those lost; recovered adds by invocation. */
  perSecond: { second: number; acked: number; lost: number; recovered: number; stale: number }[];
  timeline: ElementTimeline;
  ms: number;
}

export interface LostWritesOptions {
  /** Elements listed per finding (default 200) and stale examples (default 20). */
  elements?: number;
  examples?: number;
  /** Elements kept in the timeline (default 20,000). */
  timelineElements?: number;
}

const NS_PER_S = 1e9;

interface ElementState {
  key: number;
  element: number;
  add: Operation | null;
  /** Reads (positions in the key's reads sorted by invocation) that returned it. */
  firstSeen: number;
  lastSeen: number;
  /** Of them: how many, and how many began no later than its acknowledgement. */
  seen: number;
  seenBeforeAck: number;
  inFinal: boolean;
  status: number;
  misses: number;
}

/** A set's adds and its successful reads. */
interface SetOps {
  adds: Operation[];
  reads: Operation[];
}

/** What the per-key steps add up across keys. */
interface Tally {
  options: Required<LostWritesOptions>;
  all: ElementState[];
  lost: LostElement[];
  staleExamples: StaleSetRead[];
  keysWithoutFinalRead: (string | null)[];
  perSecond: Map<number, { acked: number; lost: number; recovered: number; stale: number }>;
  reads: number;
  finalReads: number;
  lostCount: number;
  lostAcked: number;
  staleElements: number;
  staleMisses: number;
}

/** One set's elements, its reads sorted by invocation, and its final read's position (-1: none). */
interface KeyState {
  key: string | null;
  reads: Operation[];
  calls: Float64Array;
  final: number;
  finalCall: number;
}

export function checkLostWrites(
  history: Pick<History, 'operations'>,
  options: LostWritesOptions = {},
): LostWritesResult {
  const started = performance.now();
  const { byKey, adds } = setsOf(history.operations);
  const tally: Tally = {
    options: {
      elements: options.elements ?? 200,
      examples: options.examples ?? 20,
      timelineElements: options.timelineElements ?? 20_000,
    },
    all: [],
    lost: [],
    staleExamples: [],
    keysWithoutFinalRead: [],
    perSecond: new Map(),
    reads: 0,
    finalReads: 0,
    lostCount: 0,
    lostAcked: 0,
    staleElements: 0,
    staleMisses: 0,
  };
  const keyNames = [...byKey.keys()];
  keyNames.forEach((key, keyIndex) => {
    checkSet(key, keyIndex, byKey.get(key) ?? { adds: [], reads: [] }, tally);
  });
  return resultFrom(tally, keyNames.length, adds, {
    timeline: timeline(tally.all, keyNames, byKey, tally.options.timelineElements),
    ms: Math.round(performance.now() - started),
  });
}

/** The adds and successful reads of each set, and the adds' outcomes. */
function setsOf(operations: readonly Operation[]): {
  byKey: Map<string | null, SetOps>;
  adds: LostWritesResult['adds'];
} {
  const byKey = new Map<string | null, SetOps>();
  const adds = { ok: 0, info: 0, fail: 0 };
  for (const op of operations) {
    if (op.f !== 'add' && op.f !== 'read-all') continue;
    let entry = byKey.get(op.key);
    if (!entry) {
      entry = { adds: [], reads: [] };
      byKey.set(op.key, entry);
    }
    if (op.f === 'add') {
      entry.adds.push(op);
      adds[op.pending ? 'info' : op.outcome]++;
    } else if (op.outcome === 'ok' && Array.isArray(op.output)) entry.reads.push(op);
  }
  return { byKey, adds };
}

/** Judges every element of one set and adds what it found to the tally. */
function checkSet(key: string | null, keyIndex: number, set: SetOps, tally: Tally): void {
  const reads = set.reads.sort((a, b) => a.call - b.call || a.index - b.index);
  tally.reads += reads.length;
  const elements = elementsOf(keyIndex, set.adds, reads);
  const final = reads.findLastIndex((read) => read.extra?.final === true);
  if (final >= 0) {
    tally.finalReads++;
    for (const value of reads[final].output as Json[]) {
      const s = typeof value === 'number' ? elements.get(value) : undefined;
      if (s) s.inFinal = true;
    }
  } else if (set.adds.length > 0) tally.keysWithoutFinalRead.push(key);
  const state: KeyState = {
    key,
    reads,
    calls: Float64Array.from(reads, (r) => r.call),
    final,
    finalCall: final >= 0 ? reads[final].call : Number.POSITIVE_INFINITY,
  };
  for (const s of elements.values()) {
    tally.all.push(s);
    judgeElement(s, state, tally);
  }
}

/** Every element a set's adds wrote or its reads returned, with when the reads saw it. */
function elementsOf(
  keyIndex: number,
  adds: readonly Operation[],
  reads: readonly Operation[],
): Map<number, ElementState> {
  const elements = new Map<number, ElementState>();
  const state = (element: number, add: Operation | null): ElementState => {
    let s = elements.get(element);
    if (!s) {
      s = {
        key: keyIndex,
        element,
        add,
        firstSeen: -1,
        lastSeen: -1,
        seen: 0,
        seenBeforeAck: 0,
        inFinal: false,
        status: 0,
        misses: 0,
      };
      elements.set(element, s);
    } else if (add && (!s.add || (s.add.outcome !== 'ok' && add.outcome === 'ok'))) s.add = add;
    return s;
  };
  for (const add of adds) if (typeof add.input === 'number') state(add.input, add);
  reads.forEach((read, position) => {
    for (const value of read.output as Json[]) {
      if (typeof value !== 'number') continue;
      const s = state(value, null);
      if (s.firstSeen < 0) s.firstSeen = position;
      s.lastSeen = position;
      s.seen++;
      if (s.add?.outcome === 'ok' && read.call <= s.add.ret) s.seenBeforeAck++;
    }
  });
  return elements;
}

/** An element's status (kept, lost, recovered ...) and the stale reads that missed it. */
function judgeElement(s: ElementState, k: KeyState, tally: Tally): void {
  const add = s.add;
  const acked = add?.outcome === 'ok';
  if (acked) bucket(tally, add.ret).acked++;
  if (!add || add.outcome === 'fail') {
    s.status = s.seen > 0 ? 6 : 4;
    return;
  }
  // Seen before the final read (or acknowledged before it began) means it existed: it must stay.
  const seenBefore = s.firstSeen >= 0 && s.firstSeen !== k.final && k.reads[s.firstSeen].ret < k.finalCall;
  const existed = (acked && add.ret < k.finalCall) || seenBefore;
  if (k.final >= 0 && existed && !s.inFinal) {
    s.status = 1;
    tally.lostCount++;
    if (acked) tally.lostAcked++;
    bucket(tally, acked ? add.ret : add.call).lost++;
    if (tally.lost.length < tally.options.elements) tally.lost.push(lostElement(s, add, k));
  } else if (!acked && s.seen > 0) {
    s.status = 2;
    bucket(tally, add.call).recovered++;
  } else if (acked && s.seen === 0) s.status = 3;
  else if (k.final < 0) s.status = 5;
  else if (!acked) s.status = 7;
  if (acked && s.lastSeen >= 0 && s.status !== 1) countMisses(s, add, k, tally);
}

function lostElement(s: ElementState, add: Operation, k: KeyState): LostElement {
  const acked = add.outcome === 'ok';
  const before = s.lastSeen >= 0 && s.lastSeen !== k.final ? k.reads[s.lastSeen].call : null;
  return {
    key: k.key,
    element: s.element,
    acknowledged: acked,
    add: {
      index: add.index,
      process: add.process,
      ...(add.node !== undefined ? { node: add.node } : {}),
      call: seconds(add.call),
      ack: acked ? seconds(add.ret) : null,
    },
    lastSeen: before === null ? null : seconds(before),
  };
}

/**
 * Reads that began after the acknowledgement, before the last read that returned it, and missed
 * it. A lost element's misses are its loss showing early (split brain): counted once, as lost.
 */
function countMisses(s: ElementState, add: Operation, k: KeyState, tally: Tally): void {
  const from = firstAbove(k.calls, add.ret);
  if (s.lastSeen > from) {
    const inRange = s.lastSeen - from;
    const presentInRange = s.seen - s.seenBeforeAck - 1;
    s.misses = Math.max(0, inRange - presentInRange);
  }
  if (s.misses === 0) return;
  tally.staleElements++;
  tally.staleMisses += s.misses;
  bucket(tally, add.ret).stale++;
  if (tally.staleExamples.length >= tally.options.examples) return;
  const missed = k.reads.slice(from, s.lastSeen).find((r) => !(r.output as Json[]).includes(s.element));
  if (!missed) return;
  const again = k.reads[s.lastSeen];
  tally.staleExamples.push({
    key: k.key,
    element: s.element,
    ack: seconds(add.ret),
    read: {
      index: missed.index,
      process: missed.process,
      ...(missed.node !== undefined ? { node: missed.node } : {}),
      call: seconds(missed.call),
    },
    seenAgain: { index: again.index, call: seconds(again.call) },
  });
}

function bucket(tally: Tally, t: number): { acked: number; lost: number; recovered: number; stale: number } {
  const second = Math.floor(t / NS_PER_S);
  let b = tally.perSecond.get(second);
  if (!b) {
    b = { acked: 0, lost: 0, recovered: 0, stale: 0 };
    tally.perSecond.set(second, b);
  }
  return b;
}

/** The tally as a result: counts, listed elements, and the verdict. */
function resultFrom(
  tally: Tally,
  keys: number,
  adds: LostWritesResult['adds'],
  rest: Pick<LostWritesResult, 'timeline' | 'ms'>,
): LostWritesResult {
  const { all, options } = tally;
  const withStatus = (status: number) => all.filter((s) => s.status === status).map((s) => s.element);
  const recovered = withStatus(2);
  // Lost ones included: an element lost before any read saw it is worth telling apart.
  const neverRead = all.filter((s) => s.add?.outcome === 'ok' && s.seen === 0).map((s) => s.element);
  const unexpected = withStatus(6);
  const valid: Validity =
    tally.lostCount > 0 || tally.staleElements > 0 || unexpected.length > 0
      ? false
      : tally.keysWithoutFinalRead.length > 0 || tally.finalReads === 0
        ? 'unknown'
        : true;
  return {
    valid,
    keys,
    keysWithoutFinalRead: tally.keysWithoutFinalRead,
    adds,
    reads: tally.reads,
    finalReads: tally.finalReads,
    lost: { count: tally.lostCount, acknowledged: tally.lostAcked, elements: tally.lost },
    recovered: { count: recovered.length, elements: recovered.slice(0, options.elements) },
    neverRead: { count: neverRead.length, elements: neverRead.slice(0, options.elements) },
    stale: { elements: tally.staleElements, misses: tally.staleMisses, examples: tally.staleExamples },
    unexpected: { count: unexpected.length, elements: unexpected.slice(0, options.elements) },
    perSecond: [...tally.perSecond.entries()]
      .sort(([a], [b]) => a - b)
      .map(([second, b]) => ({ second, ...b })),
    ...rest,
  };
}

export interface LostWritesDigest {
  acknowledged: number;
  acked: number;
  valid: Validity;
}

/** Lost writes on sets: `add` and `read-all` operations (Jepsen's set histories map to them). */
export const lostWritesChecker: Checker<Record<string, never>, LostWritesResult, LostWritesDigest> = {
  name: 'lost-writes',
  optionNames: [],
  appliesTo: (history) => hasOperation(history.operations, 'add', 'read-all'),
  options: () => ({}),
  check: (history) => checkLostWrites(history),
  summary: (r) => [summaryWords(r)],
  found: (r) => [
    r.valid === 'unknown' && r.lost.count === 0
      ? 'Lost writes could not be judged: a set had no final read.'
      : `${r.lost.acknowledged.toLocaleString('en')} of ${r.adds.ok.toLocaleString('en')} acknowledged adds were lost (missing from the final read); ${r.stale.elements.toLocaleString('en')} elements were missed by stale reads.`,
  ],
  compare: {
    column: 'lost writes',
    digest: (r) => ({ acknowledged: r.lost.acknowledged, acked: r.adds.ok, valid: r.valid }),
    cell: (d) =>
      d.valid === 'unknown' && d.acknowledged === 0
        ? 'unknown'
        : `${d.acknowledged.toLocaleString('en')} of ${d.acked.toLocaleString('en')}`,
  },
};

function summaryWords(r: LostWritesResult): string {
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

/** The elements' story in columns; when there are too many, the plain kept ones are thinned evenly. */
function timeline(
  all: ElementState[],
  keys: (string | null)[],
  byKey: Map<string | null, SetOps>,
  limit: number,
): ElementTimeline {
  const plain = all.filter((s) => s.status === 0 && s.misses === 0).length;
  const room = Math.max(0, limit - (all.length - plain));
  const every = plain > room ? plain / Math.max(1, room) : 1;
  let seenPlain = 0;
  let nextKept = 0;
  const kept = all
    .filter((s) => {
      if (s.status !== 0 || s.misses > 0) return true;
      const keep = seenPlain++ >= nextKept;
      if (keep) nextKept += every;
      return keep;
    })
    .sort((a, b) => (a.add?.call ?? Number.POSITIVE_INFINITY) - (b.add?.call ?? Number.POSITIVE_INFINITY));
  const readCall = (s: ElementState, position: number): number | null =>
    position < 0 ? null : seconds((byKey.get(keys[s.key]) as { reads: Operation[] }).reads[position].call);
  return {
    keys,
    element: kept.map((s) => s.element),
    key: kept.map((s) => s.key),
    added: kept.map((s) => (s.add ? seconds(s.add.call) : null)),
    ack: kept.map((s) => (s.add?.outcome === 'ok' ? seconds(s.add.ret) : null)),
    firstSeen: kept.map((s) => readCall(s, s.firstSeen)),
    lastSeen: kept.map((s) => readCall(s, s.lastSeen)),
    status: kept.map((s) => s.status),
    omitted: all.length - kept.length,
  };
}

function seconds(ns: number): number {
  return Math.round(ns / 1e3) / 1e6;
}
