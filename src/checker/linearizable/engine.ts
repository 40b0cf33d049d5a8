import type { Json, Operation } from '../../history/types.js';
import { type CompleteModel, defaultEqual, ILLEGAL, type ModelOp, modelOp } from './models.js';

/**
 * Wing & Gong's linearizability search with Lowe's memoisation, for the operations on one key.
 *
 * The history becomes a doubly linked list of call and return entries in time order. The search
 * linearizes the first call it can (the model accepts it and the resulting configuration, the set
 * of linearized operations plus the state, was not seen before), lifts it out of the list, and
 * starts again from the front; reaching the return of an operation not yet linearized means the
 * last choice was wrong, so it backtracks. Everything in the loop lives in typed arrays; nothing
 * is allocated per step except when a configuration is stored.
 *
 * The stored configuration is compact: operations are numbered by call time, so every
 * linearized operation below `base` (the first one not linearized) is implied, and the ones
 * above it lie within a window no wider than the history's concurrency (an operation called after
 * `base` returned cannot be reached before `base` is linearized). Pending operations, which may
 * stay unlinearized to the end, get their own bit range. A Zobrist hash of the full set, kept up
 * to date by XOR as bits flip, makes lookups O(1) and the comparison exact.
 */

export interface PartitionOutcome {
  valid: boolean | 'unknown';
  /** Why the search gave up, when valid is 'unknown'. */
  reason?: 'timeout' | 'memory' | 'budget';
  /** Configurations stored in the cache: a measure of the work done. */
  configurations: number;
  /** When not linearizable: the operation whose completion no linearization gets past. */
  blocked?: Operation;
  /** The longest linearizable prefix found: operations in linearization order with states. */
  prefix?: { op: Operation; before: Json; after: Json }[];
}

export interface SearchLimits {
  /** performance.now() value after which the search gives up. */
  deadline: number;
  /** Words (4 bytes) the configuration cache may hold. */
  maxCacheWords: number;
  /** Configurations to store before giving up with reason 'budget': a deterministic limit. */
  maxConfigurations: number;
}

/** Distinct states one search may intern before it gives up (a Map holds at most 2^24). */
const MAX_STATES = 1 << 22;

const NONE = -1;

export function searchPartition(
  model: CompleteModel,
  initial: Json,
  ops: readonly Operation[],
  limits: SearchLimits,
): PartitionOutcome {
  // Completed operations first, by call time; pending ones after, in their own word-aligned range.
  const { local, C, call, ret } = byCall(ops);
  if (C === 0) return { valid: true, configurations: 0 };
  const n = ops.length;
  const P = n - C;
  const pendingBase = (C + 31) & ~31;
  const bitOf = new Int32Array(n);
  for (let i = 0; i < n; i++) bitOf[i] = i < C ? i : pendingBase + (i - C);
  const modelOps: ModelOp[] = local.map(modelOp);

  const { E, entryOp, entryIsCall, callEntry, retEntry } = orderEntries(call, ret, C);
  const list = new EntryList(E, callEntry, retEntry);

  const windowBits = windowWidth(C, callEntry, retEntry);
  const windowWords = (windowBits + 31) >>> 5;
  const pendingWords = (P + 31) >>> 5;
  const pendingWord0 = pendingBase >>> 5;
  // Room past the end so window extraction never reads outside the array.
  const totalWords = pendingWord0 + pendingWords + windowWords + 2;
  const lin = new Uint32Array(totalWords);

  // States interned to small integers; transitions memoised per operation (last one seen).
  // Primitive states under the default equality go through a Map directly, without hashing.
  const table = new StateTable(model);
  const cache = new ConfigurationCache(4 + windowWords + pendingWords, limits);
  const w: Workspace = {
    C,
    windowWords,
    pendingWords,
    pendingWord0,
    entryOp,
    entryIsCall,
    callEntry,
    bitOf,
    lin,
    ...zobristKeys(n),
    memoFrom: new Int32Array(n).fill(NONE),
    memoTo: new Int32Array(n),
    opStack: new Int32Array(n),
    stateStack: new Int32Array(n),
    list,
    cache,
    table,
    modelOps,
    blocked: NONE,
    bestOps: undefined,
    bestStates: undefined,
    bestFinal: 0,
  };
  const end = explore(w, model, table.intern(initial), limits.deadline);
  if (end === VALID) return { valid: true, configurations: cache.records };
  if (end !== INVALID) return { valid: 'unknown', reason: end, configurations: cache.records };
  const { bestOps, bestStates } = w;
  const prefix =
    bestOps && bestStates ? longestPrefix(local, table.states, bestOps, bestStates, w.bestFinal) : [];
  return { valid: false, configurations: cache.records, blocked: local[w.blocked], prefix };
}

/** What the search loop works on, made by `searchPartition`; the loop leaves its findings in it. */
interface Workspace {
  C: number;
  windowWords: number;
  pendingWords: number;
  pendingWord0: number;
  entryOp: Int32Array;
  entryIsCall: Uint8Array;
  callEntry: Int32Array;
  bitOf: Int32Array;
  lin: Uint32Array;
  z1: Uint32Array;
  z2: Uint32Array;
  memoFrom: Int32Array;
  memoTo: Int32Array;
  opStack: Int32Array;
  stateStack: Int32Array;
  list: EntryList;
  cache: ConfigurationCache;
  table: StateTable;
  modelOps: ModelOp[];
  /** When not linearizable: the operation whose return no linearization gets past. */
  blocked: number;
  /** The longest linearizable prefix found: operations, the states before each, the state after. */
  bestOps: Int32Array | undefined;
  bestStates: Int32Array | undefined;
  bestFinal: number;
}

const VALID = 0;
const INVALID = 1;

/**
 * The search loop, on its own so that the optimising compiler gets a small function to compile
 * once, not the set-up around it once per key (which cost more than many keys' searches).
 */
function explore(
  w: Workspace,
  model: CompleteModel,
  initial: number,
  deadline: number,
): typeof VALID | typeof INVALID | 'timeout' | 'memory' | 'budget' {
  const { C, windowWords, pendingWords, pendingWord0, entryOp, entryIsCall, callEntry, bitOf, lin } = w;
  const { z1, z2, memoFrom, memoTo, opStack, stateStack, list, cache, table, modelOps } = w;
  const next = list.next;
  const states = table.states;
  const scratch = cache.scratch;
  const ILLEGAL_ID = -2;
  let state = initial;
  let h1 = 0;
  let h2 = 0;
  let base = 0;
  let depth = 0;
  let furthest = NONE;
  w.bestFinal = state;

  let steps = 0;
  let entry = next[list.head];
  for (;;) {
    if ((++steps & 0xffff) === 0 && performance.now() > deadline) return 'timeout';
    if (entry === NONE) break; // only pending calls were left: they need not take effect
    const op = entryOp[entry];
    if (entryIsCall[entry] === 1) {
      let to: number;
      if (memoFrom[op] === state) to = memoTo[op];
      else {
        const after = model.step(states[state], modelOps[op]);
        to = after === ILLEGAL ? ILLEGAL_ID : table.intern(after);
        memoFrom[op] = state;
        memoTo[op] = to;
      }
      if (to !== ILLEGAL_ID) {
        const bit = bitOf[op];
        lin[bit >>> 5] |= 1 << (bit & 31);
        const n1 = (h1 ^ z1[op]) >>> 0;
        const n2 = (h2 ^ z2[op]) >>> 0;
        let nb = base;
        if (op === base) {
          nb++;
          while (nb < C && (lin[nb >>> 5] & (1 << (nb & 31))) !== 0) nb++;
        }
        // Build the candidate record in scratch and look it up.
        const k1 = (n1 ^ Math.imul(to + 1, 0x9e3779b1)) >>> 0;
        const k2 = (n2 ^ Math.imul(to + 1, 0x85ebca6b)) >>> 0;
        scratch[0] = k1;
        scratch[1] = k2;
        scratch[2] = nb;
        scratch[3] = to;
        for (let k = 0; k < windowWords; k++) {
          const pos = nb + (k << 5);
          const word = pos >>> 5;
          const shift = pos & 31;
          scratch[4 + k] = shift === 0 ? lin[word] : (lin[word] >>> shift) | (lin[word + 1] << (32 - shift));
        }
        // The window may run past C into padding or pending bits; both are determined by the set.
        for (let k = 0; k < pendingWords; k++) scratch[4 + windowWords + k] = lin[pendingWord0 + k];
        const stored = cache.add();
        if (stored === FULL_MEMORY) return 'memory';
        if (stored === FULL_BUDGET) return 'budget';
        if (stored === ADDED) {
          if (states.length >= MAX_STATES) return 'memory';
          opStack[depth] = op;
          stateStack[depth] = state;
          depth++;
          state = to;
          h1 = n1;
          h2 = n2;
          base = nb;
          if (base === C) return VALID;
          list.lift(op);
          entry = next[list.head];
          continue;
        }
        lin[bit >>> 5] &= ~(1 << (bit & 31));
      }
      entry = next[entry];
      continue;
    }
    // The return of an operation not yet linearized: the last choice was wrong.
    if (entry > furthest) {
      furthest = entry;
      w.blocked = op;
      w.bestOps = opStack.slice(0, depth);
      w.bestStates = stateStack.slice(0, depth);
      w.bestFinal = state;
    }
    if (depth === 0) break;
    depth--;
    const top = opStack[depth];
    state = stateStack[depth];
    const bit = bitOf[top];
    lin[bit >>> 5] &= ~(1 << (bit & 31));
    h1 = (h1 ^ z1[top]) >>> 0;
    h2 = (h2 ^ z2[top]) >>> 0;
    if (top < base) base = top;
    // Put it back, and try the entry after its call.
    list.restore(top);
    entry = next[callEntry[top]];
  }
  return base === C ? VALID : INVALID;
}

/**
 * The completed operations by call time, then the pending ones by call time, ties by index; with
 * their call and return times in that order. Each operation object is read once: a key's
 * operations lie all over the heap, and reading them is most of what setting up a search costs.
 */
function byCall(ops: readonly Operation[]): {
  local: Operation[];
  C: number;
  call: Float64Array;
  ret: Float64Array;
} {
  const n = ops.length;
  const time = new Float64Array(n);
  const tie = new Float64Array(n);
  const until = new Float64Array(n);
  const completed = new Int32Array(n);
  const pending = new Int32Array(n);
  let C = 0;
  let P = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i];
    time[i] = op.call;
    tie[i] = op.index;
    until[i] = op.ret;
    if (op.pending) pending[P++] = i;
    else completed[C++] = i;
  }
  const byTime = (positions: Int32Array): Int32Array => order(time, tie, positions);
  const sorted = new Int32Array(n);
  sorted.set(byTime(completed.subarray(0, C)));
  sorted.set(byTime(pending.subarray(0, P)), C);
  const local: Operation[] = new Array(n);
  const call = new Float64Array(n);
  const ret = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = sorted[i];
    local[i] = ops[x];
    call[i] = time[x];
    ret[i] = until[x];
  }
  return { local, C, call, ret };
}

/**
 * `positions` ordered by (key[i], tie[i]), in place when it is returned. Histories are nearly in
 * order, so an insertion sort finishes in about linear time; one that has moved more than a few
 * entries per position gives way to a bottom-up merge sort, which bounds the worst case.
 */
export function order(key: Float64Array, tie: Float64Array, positions: Int32Array): Int32Array {
  const count = positions.length;
  const a = positions;
  let moves = 0;
  const maxMoves = 8 * count + 64;
  for (let i = 1; i < count; i++) {
    const x = a[i];
    const kx = key[x];
    const tx = tie[x];
    let j = i - 1;
    while (j >= 0) {
      const y = a[j];
      if (key[y] < kx || (key[y] === kx && tie[y] <= tx)) break;
      a[j + 1] = y;
      j--;
    }
    a[j + 1] = x;
    moves += i - 1 - j;
    if (moves > maxMoves) return mergeSort(key, tie, a);
  }
  return a;
}

/** Bottom-up merge sort of positions by (key, tie); stable. */
function mergeSort(key: Float64Array, tie: Float64Array, positions: Int32Array): Int32Array {
  const count = positions.length;
  let a: Int32Array = positions;
  let b: Int32Array = new Int32Array(count);
  const before = (x: number, y: number): boolean => key[x] < key[y] || (key[x] === key[y] && tie[x] < tie[y]);
  for (let width = 1; width < count; width *= 2) {
    for (let lo = 0; lo < count; lo += 2 * width) {
      const mid = Math.min(lo + width, count);
      const hi = Math.min(lo + 2 * width, count);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) b[k++] = before(a[j], a[i]) ? a[j++] : a[i++];
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    const t = a;
    a = b;
    b = t;
  }
  return a;
}

function rehash(arena: Uint32Array, records: number, recordWords: number, size: number): Int32Array {
  const slots = new Int32Array(size);
  const mask = size - 1;
  for (let r = 0; r < records; r++) {
    let slot = arena[r * recordWords] & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = r + 1;
  }
  return slots;
}

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The history as call and return entries in time order: one call per operation, one return per
 * completed operation. At equal times calls come first: operations whose times touch are
 * concurrent (HISTORY.md). `call` and `ret` are the operations' times in `byCall`'s order.
 */
export function orderEntries(call: Float64Array, ret: Float64Array, C: number) {
  const n = call.length;
  const E = n + C;
  // Entry x < n is the call of operation x, x >= n the return of operation x - n: ordering by
  // (time, x) puts calls before returns at equal times. The completed operations' calls and the
  // pending ones' are each in that order already; only the returns need sorting, and then the
  // three runs are merged.
  const time = new Float64Array(E);
  const tie = new Float64Array(E);
  for (let x = 0; x < E; x++) {
    time[x] = x < n ? call[x] : ret[x - n];
    tie[x] = x;
  }
  const returns = new Int32Array(C);
  for (let i = 0; i < C; i++) returns[i] = n + i;
  const sortedReturns = order(time, tie, returns);
  const before = (x: number, y: number): boolean => time[x] < time[y] || (time[x] === time[y] && x < y);
  const entryOp = new Int32Array(E);
  const entryIsCall = new Uint8Array(E);
  const callEntry = new Int32Array(n);
  const retEntry = new Int32Array(n).fill(NONE);
  // Heads of the runs: completed calls [0, C), pending calls [C, n), returns in sortedReturns.
  let a = 0;
  let p = C;
  let r = 0;
  for (let e = 0; e < E; e++) {
    let x = -1;
    let run = 0;
    if (a < C) x = a;
    if (p < n && (x === -1 || before(p, x))) {
      x = p;
      run = 1;
    }
    if (r < C && (x === -1 || before(sortedReturns[r], x))) {
      x = sortedReturns[r];
      run = 2;
    }
    if (run === 0) a++;
    else if (run === 1) p++;
    else r++;
    if (x < n) {
      entryOp[e] = x;
      entryIsCall[e] = 1;
      callEntry[x] = e;
    } else {
      entryOp[e] = x - n;
      retEntry[x - n] = e;
    }
  }
  return { E, entryOp, entryIsCall, callEntry, retEntry };
}

/**
 * How far above `base` a linearized completed operation can be. For completed op i, the ops that
 * can be linearized while i is not are those called before i returns: a prefix [0, m) of the call
 * order, found by binary search.
 */
function windowWidth(C: number, callEntry: Int32Array, retEntry: Int32Array): number {
  let windowBits = 1;
  for (let i = 0; i < C; i++) {
    const ret = retEntry[i];
    let lo = i;
    let hi = C;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (callEntry[mid] < ret) lo = mid + 1;
      else hi = mid;
    }
    if (lo - i > windowBits) windowBits = lo - i;
  }
  return windowBits;
}

/** Zobrist keys, from a fixed seed so results never depend on run-to-run randomness. */
function zobristKeys(n: number): { z1: Uint32Array; z2: Uint32Array } {
  const z1 = new Uint32Array(n);
  const z2 = new Uint32Array(n);
  let seed = 0x2545f491;
  for (let i = 0; i < n; i++) {
    seed = splitmix32(seed);
    z1[i] = seed;
    seed = splitmix32(seed);
    z2[i] = seed;
  }
  return { z1, z2 };
}

/**
 * States interned to small integers. Primitive states under the default equality go through a
 * Map directly, without hashing; others by the model's hash and equality.
 */
export class StateTable {
  readonly states: Json[] = [];
  private readonly primitives = new Map<Json, number>();
  /**
   * Other states by the model's hash: an open-addressed table of state id + 1 (0: empty), and
   * each state's hash beside it, so that only states whose hashes agree are compared. (A Map
   * from hash to state took a third of the search's time on the kv histories.)
   */
  private slots = new Int32Array(64);
  private hashes = new Int32Array(64);
  private hashed = 0;
  private readonly fastPrimitives: boolean;

  constructor(private readonly model: CompleteModel) {
    this.fastPrimitives = model.equal === defaultEqual;
  }

  intern(s: Json): number {
    const states = this.states;
    if (this.fastPrimitives && (typeof s !== 'object' || s === null)) {
      const id = this.primitives.get(s);
      if (id !== undefined) return id;
      this.primitives.set(s, states.length);
      states.push(s);
      return states.length - 1;
    }
    const h = this.model.hash(s) | 0;
    const { slots, hashes } = this;
    const mask = slots.length - 1;
    let slot = h & mask;
    for (let r = slots[slot]; r !== 0; r = slots[slot]) {
      if (hashes[r - 1] === h && this.model.equal(states[r - 1], s)) return r - 1;
      slot = (slot + 1) & mask;
    }
    const id = states.length;
    states.push(s);
    if (id >= hashes.length) {
      // Ids count primitive states too, which have no hash here: grow past the id, whatever it is.
      const grown = new Int32Array(Math.max(hashes.length * 2, id + 1));
      grown.set(hashes);
      this.hashes = grown;
    }
    this.hashes[id] = h;
    slots[slot] = id + 1;
    if (++this.hashed * 2 > slots.length) this.grow();
    return id;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (const r of this.slots) {
      if (r === 0) continue;
      let slot = this.hashes[r - 1] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = r;
    }
    this.slots = slots;
  }
}

/** The operations of the longest linearizable prefix, with the states around each. */
function longestPrefix(
  local: readonly Operation[],
  states: readonly Json[],
  ops: Int32Array,
  before: Int32Array,
  final: number,
): { op: Operation; before: Json; after: Json }[] {
  const prefix: { op: Operation; before: Json; after: Json }[] = [];
  for (let i = 0; i < ops.length; i++) {
    const after = i + 1 < ops.length ? before[i + 1] : final;
    prefix.push({ op: local[ops[i]], before: states[before[i]], after: states[after] });
  }
  return prefix;
}

/**
 * The entries not yet linearized, as a doubly linked list in time order; `head` is a sentinel.
 * Lifting an operation out and restoring it (in reverse order) are O(1).
 */
class EntryList {
  readonly next: Int32Array;
  private readonly prev: Int32Array;
  readonly head: number;

  constructor(
    size: number,
    private readonly callEntry: Int32Array,
    private readonly retEntry: Int32Array,
  ) {
    this.head = size;
    this.next = new Int32Array(size + 1);
    this.prev = new Int32Array(size + 1);
    for (let e = 0; e <= size; e++) {
      this.next[e] = e + 1 < size ? e + 1 : NONE;
      this.prev[e] = e === 0 ? size : e - 1;
    }
    this.next[size] = size > 0 ? 0 : NONE;
    this.prev[size] = NONE;
  }

  lift(op: number): void {
    this.unlink(this.callEntry[op]);
    const r = this.retEntry[op];
    if (r !== NONE) this.unlink(r);
  }

  restore(op: number): void {
    const r = this.retEntry[op];
    if (r !== NONE) this.relink(r);
    this.relink(this.callEntry[op]);
  }

  private unlink(e: number): void {
    const { next, prev } = this;
    next[prev[e]] = next[e];
    if (next[e] !== NONE) prev[next[e]] = prev[e];
  }

  private relink(e: number): void {
    const { next, prev } = this;
    next[prev[e]] = e;
    if (next[e] !== NONE) prev[next[e]] = e;
  }
}

const ADDED = 0;
const SEEN = 1;
const FULL_MEMORY = 2;
const FULL_BUDGET = 3;

/**
 * The configurations seen so far: records of [h1, h2, base, state, window..., pending...] in one
 * growing arena, found through an open-addressing table keyed by h1.
 */
class ConfigurationCache {
  /** The candidate record; the search fills it before calling `add`. */
  readonly scratch: Uint32Array;
  records = 0;
  private arena: Uint32Array;
  private slots: Int32Array = new Int32Array(4096);
  private slotMask = 4095;

  constructor(
    private readonly recordWords: number,
    private readonly limits: SearchLimits,
  ) {
    this.scratch = new Uint32Array(recordWords);
    this.arena = new Uint32Array(recordWords * 1024);
  }

  /** Stores the scratch record unless seen before, or says which limit stops it. */
  add(): typeof ADDED | typeof SEEN | typeof FULL_MEMORY | typeof FULL_BUDGET {
    const { scratch, recordWords } = this;
    const k1 = scratch[0];
    const k2 = scratch[1];
    let slot = k1 & this.slotMask;
    for (;;) {
      const r = this.slots[slot];
      if (r === 0) break;
      const at = (r - 1) * recordWords;
      const arena = this.arena;
      if (arena[at] === k1 && arena[at + 1] === k2) {
        let w = 2;
        while (w < recordWords && arena[at + w] === scratch[w]) w++;
        if (w === recordWords) return SEEN;
      }
      slot = (slot + 1) & this.slotMask;
    }
    if ((this.records + 1) * recordWords > this.arena.length) {
      if (this.arena.length * 2 > this.limits.maxCacheWords) return FULL_MEMORY;
      const grown = new Uint32Array(this.arena.length * 2);
      grown.set(this.arena);
      this.arena = grown;
    }
    if (this.records >= this.limits.maxConfigurations) return FULL_BUDGET;
    // A loop: TypedArray#set's call costs more than copying a record of a few words.
    const at = this.records * recordWords;
    const arena = this.arena;
    for (let w = 0; w < recordWords; w++) arena[at + w] = scratch[w];
    this.records++;
    this.slots[slot] = this.records;
    if (this.records * 2 > this.slots.length) {
      this.slots = rehash(this.arena, this.records, recordWords, this.slots.length * 2);
      this.slotMask = this.slots.length - 1;
    }
    return ADDED;
  }
}
