import type { KeyDistribution } from './keys.js';
import type { Random } from './random.js';

export type SetF = 'add' | 'read-all';
export const SET_FS: readonly SetF[] = ['add', 'read-all'];

/** Relative weights of the operations. */
export type SetMix = Readonly<Record<SetF, number>>;

export type SetOp = { f: 'add'; key: string; value: number } | { f: 'read-all'; key: string; value: null };

export interface SetGeneratorOptions {
  /** This worker's own stream. */
  random: Random;
  keys: KeyDistribution;
  mix: SetMix;
  worker: number;
  workers: number;
}

/**
 * Adds and whole-set reads for one worker. The n-th element worker w adds (to any key) is
 * (n-1)*workers + w + 1: unique across the run, so every element names the one add that
 * wrote it. Each operation consumes the same draws whatever came before, so the sequence depends
 * only on the seed.
 */
export class SetGenerator {
  private added = 0;

  constructor(private readonly options: SetGeneratorOptions) {
    if (!(options.worker >= 0 && options.worker < options.workers)) {
      throw new RangeError(`worker ${options.worker} outside 0..${options.workers - 1}`);
    }
  }

  next(): SetOp {
    const { random, keys, mix, worker, workers } = this.options;
    const f = random.weighted(mix);
    const key = keys(random);
    if (f === 'read-all') return { f, key, value: null };
    return { f, key, value: this.added++ * workers + worker + 1 };
  }
}
