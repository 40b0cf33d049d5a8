import type { Json } from '../history/types.js';
import type { KeyDistribution } from './keys.js';
import type { Random } from './random.js';

export type RegisterF = 'read' | 'write' | 'cas';
export const REGISTER_FS: readonly RegisterF[] = ['read', 'write', 'cas'];

/** Relative weights of the operations. */
export type RegisterMix = Readonly<Record<RegisterF, number>>;

export type RegisterOp =
  | { f: 'read'; key: string; value: null }
  | { f: 'write'; key: string; value: number }
  | { f: 'cas'; key: string; value: [number, number] };

export interface RegisterGeneratorOptions {
  /** This worker's own stream (derive it from the run's seed and the worker's index). */
  random: Random;
  keys: KeyDistribution;
  mix: RegisterMix;
  /** Which worker this is (0-based) and how many there are: together they keep values unique. */
  worker: number;
  workers: number;
}

/**
 * Reads, writes and compare-and-sets for one worker. A worker is a client slot; the process ids
 * it runs under change after an indeterminate result, its generator does not.
 *
 * Every value written to a key (by `write`, or as the new value of a `cas`) is unique across all
 * workers: the n-th value worker w writes to a key is (n-1)*workers + w + 1. So a read names the
 * one write it saw, which is what lets a checker tell writes apart.
 *
 * The f, key and written value of each operation depend only on the seed. The expected value of a
 * `cas` follows what the worker last saw of the key (`observe`), so that a useful share of them
 * succeed; with nothing seen it falls back to a value the worker, or another one, writes early on.
 * Each operation consumes the same number of draws whatever was observed, so feedback never shifts
 * the rest of the sequence.
 */
export class RegisterGenerator {
  private readonly written = new Map<string, number>();
  private readonly seen = new Map<string, number>();

  constructor(private readonly options: RegisterGeneratorOptions) {
    if (!(options.worker >= 0 && options.worker < options.workers)) {
      throw new RangeError(`worker ${options.worker} outside 0..${options.workers - 1}`);
    }
  }

  next(): RegisterOp {
    const { random, keys, mix, workers } = this.options;
    const f = random.weighted(mix);
    const key = keys(random);
    const otherWorker = random.int(0, workers - 1);
    if (f === 'read') return { f, key, value: null };
    const value = this.nextValue(key);
    if (f === 'write') return { f, key, value };
    const expected = this.seen.get(key) ?? this.lastWritten(key) ?? otherWorker + 1;
    return { f, key, value: [expected, value] };
  }

  /** Tells the generator the key's value as the store just reported it (an ok read, write or cas). */
  observe(key: string, value: Json): void {
    if (typeof value === 'number') this.seen.set(key, value);
  }

  private nextValue(key: string): number {
    const n = (this.written.get(key) ?? 0) + 1;
    this.written.set(key, n);
    return (n - 1) * this.options.workers + this.options.worker + 1;
  }

  private lastWritten(key: string): number | undefined {
    const n = this.written.get(key);
    // The value just drawn for this cas is not "written" yet: use the one before it, if any.
    if (n === undefined || n < 2) return undefined;
    return (n - 2) * this.options.workers + this.options.worker + 1;
  }
}
