import type { HistoryEvent, Json } from '../history/types.js';
import { Random } from './random.js';

/** One step of a list-append transaction as the history carries it: reads are null until they return. */
export type ListAppendStep = ['append', number, number] | ['r', number, number[] | null];

export interface ListAppendOptions {
  /** This worker's own stream. */
  random: Random;
  /** Keys 0 .. keys-1. */
  keys: number;
  /** Each transaction has 1 .. maxTxnLength steps. */
  maxTxnLength: number;
  worker: number;
  workers: number;
}

/**
 * List-append transactions for one worker, after Elle's: each step appends to or reads a random
 * key, half and half. The n-th value worker w appends to a key is n*workers + w + 1: unique per
 * key across the run and increasing per worker, so every element names the append that wrote it.
 */
export class ListAppendGenerator {
  private readonly appended: Int32Array;

  constructor(private readonly options: ListAppendOptions) {
    if (!(options.worker >= 0 && options.worker < options.workers)) {
      throw new RangeError(`worker ${options.worker} outside 0..${options.workers - 1}`);
    }
    if (!(options.keys >= 1 && options.maxTxnLength >= 1))
      throw new RangeError('keys and maxTxnLength must be at least 1');
    this.appended = new Int32Array(options.keys);
  }

  next(): ListAppendStep[] {
    const { random, keys, maxTxnLength, worker, workers } = this.options;
    const length = random.int(1, maxTxnLength);
    const steps: ListAppendStep[] = [];
    for (let i = 0; i < length; i++) {
      const key = random.int(0, keys - 1);
      if (random.chance(0.5)) steps.push(['r', key, null]);
      else steps.push(['append', key, this.appended[key]++ * workers + worker + 1]);
    }
    return steps;
  }
}

/** The final reads after healing: one read of every key, in one transaction per key. */
export function finalReads(keys: number): ListAppendStep[][] {
  return Array.from({ length: keys }, (_, key): ListAppendStep[] => [['r', key, null]]);
}

export interface SyntheticListAppendOptions {
  transactions: number;
  clients: number;
  /** Keys in use at any time; a key retires after maxWritesPerKey appends and a fresh one replaces it. */
  activeKeys: number;
  maxWritesPerKey: number;
  /** Steps per transaction: minSteps .. maxSteps. */
  minSteps: number;
  maxSteps: number;
  /** Shares of transactions that end `info` (half of them take effect) and `fail`. */
  pending: number;
  failed: number;
  seed: number;
}

/**
 * A seeded, strict-serializable list-append history of any size, for benchmarks: clients run
 * transactions back to back; each takes effect at one random instant inside its interval, and
 * reads are computed by applying the transactions in that order. Keys rotate as in Elle's
 * generator so that lists stay short however long the history.
 */
export function* syntheticListAppend(options: SyntheticListAppendOptions): Generator<HistoryEvent> {
  const n = options.transactions;
  const random = Random.fromSeed(options.seed);
  const steps: ListAppendStep[][] = [];
  const call = new Float64Array(n);
  const ret = new Float64Array(n);
  const at = new Float64Array(n);
  const process = new Int32Array(n);
  const outcome = new Uint8Array(n); // 0 ok, 1 info, 2 fail
  const active = Array.from({ length: options.activeKeys }, (_, k) => k);
  const writes = new Map<number, number>();
  let nextKey = options.activeKeys;
  const clientTime = new Float64Array(options.clients);
  const clientProcess = Int32Array.from({ length: options.clients }, (_, c) => c);
  for (let i = 0; i < n; i++) {
    const c = i % options.clients;
    const txn: ListAppendStep[] = [];
    for (let s = random.int(options.minSteps, options.maxSteps); s > 0; s--) {
      const slot = random.int(0, active.length - 1);
      const key = active[slot];
      if (random.chance(0.5)) {
        txn.push(['r', key, null]);
        continue;
      }
      const count = (writes.get(key) ?? 0) + 1;
      txn.push(['append', key, count]);
      writes.set(key, count);
      if (count >= options.maxWritesPerKey) {
        writes.delete(key);
        active[slot] = nextKey++;
      }
    }
    steps.push(txn);
    call[i] = clientTime[c] + random.int(1_000, 50_000);
    ret[i] = call[i] + random.int(20_000, 2_000_000);
    at[i] = call[i] + random.float() * (ret[i] - call[i]);
    process[i] = clientProcess[c];
    clientTime[c] = ret[i];
    const roll = random.float();
    outcome[i] = roll < options.pending ? 1 : roll < options.pending + options.failed ? 2 : 0;
    if (outcome[i] === 1) clientProcess[c] += options.clients; // the process is retired
  }
  const results = applyInOrder(steps, at, outcome, random);
  const events: [number, number][] = [];
  for (let i = 0; i < n; i++) events.push([call[i], i], [ret[i], n + i]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const kinds = ['ok', 'info', 'fail'] as const;
  for (const [time, e] of events) {
    const i = e % n;
    const completion = e >= n;
    yield {
      process: process[i],
      type: completion ? kinds[outcome[i]] : 'invoke',
      f: 'txn',
      value: (completion && outcome[i] === 0 ? results[i] : steps[i]) as Json,
      time: Math.round(time),
    };
  }
}

/** Applies the transactions in effect order (half the pending ones, none of the failed) and fills the reads. */
function applyInOrder(
  steps: ListAppendStep[][],
  at: Float64Array,
  outcome: Uint8Array,
  random: Random,
): ListAppendStep[][] {
  const order = Array.from(steps.keys()).sort((a, b) => at[a] - at[b]);
  const lists = new Map<number, number[]>();
  const results: ListAppendStep[][] = new Array(steps.length);
  for (const i of order) {
    if (outcome[i] === 2 || (outcome[i] === 1 && random.chance(0.5))) continue;
    results[i] = steps[i].map((step): ListAppendStep => {
      const [f, key, value] = step;
      let list = lists.get(key);
      if (!list) {
        list = [];
        lists.set(key, list);
      }
      if (f === 'r') return ['r', key, [...list]];
      list.push(value);
      return step;
    });
  }
  return results;
}
