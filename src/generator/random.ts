import { type RandomGenerator, unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';

/** Largest seed a run accepts: seeds are 32-bit so that a printed seed reproduces a run exactly. */
export const MAX_SEED = 0xffffffff;

/**
 * A seeded random source. Every random choice of a run (operations, keys, values, fault
 * targets, fault order) comes from one of these, so the same seed replays the same run.
 * `derive` gives independent streams: each process and the nemesis draw from their own, so
 * scheduling jitter between them cannot change what any one of them does.
 */
export class Random {
  private constructor(
    private readonly rng: RandomGenerator,
    readonly seed: number,
  ) {}

  static fromSeed(seed: number): Random {
    const rng = xoroshiro128plus(mix32(seed));
    // Nearby seeds start in nearby states; a few draws spread them apart.
    for (let i = 0; i < 8; i++) rng.unsafeNext();
    return new Random(rng, seed >>> 0);
  }

  /** An independent stream named by `label`; the same seed and label give the same stream. */
  derive(label: string | number): Random {
    return Random.fromSeed(mix32(this.seed ^ hashLabel(String(label))));
  }

  /** An integer in [from, to], both included. */
  int(from: number, to: number): number {
    return unsafeUniformIntDistribution(from, to, this.rng);
  }

  /** A number in [0, 1). */
  float(): number {
    return this.int(0, 0x7fffffff) / 0x80000000;
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[this.int(0, items.length - 1)];
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** One of the names, drawn in proportion to its non-negative weight. */
  weighted<T extends string>(weights: Readonly<Record<T, number>>): T {
    const entries = Object.entries(weights) as [T, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    if (!(total > 0)) throw new RangeError('weights must add up to more than 0');
    let x = this.float() * total;
    for (const [name, w] of entries) {
      if (x < w) return name;
      x -= w;
    }
    return entries[entries.length - 1][0];
  }
}

/** Murmur3's finaliser: spreads every input bit over the output. */
function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** FNV-1a over the label's UTF-16 code units. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
