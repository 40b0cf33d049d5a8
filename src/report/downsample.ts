/**
 * Downsampling for the plots: a browser stays responsive with a few thousand points per plot,
 * whatever the history's size. Pure functions over parallel arrays.
 */

export interface MinMaxSeries {
  /** Centre of each bucket that holds at least one sample. */
  x: number[];
  min: number[];
  max: number[];
}

/**
 * The smallest and largest `y` per bucket of `x` (about one bucket per pixel): the envelope of a
 * scatter plot, which keeps every outlier visible, unlike averaging or picking every n-th point.
 */
export function minMaxBuckets(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  from: number,
  to: number,
  buckets: number,
): MinMaxSeries {
  const envelope = new MinMaxBuckets(from, to, buckets);
  for (let i = 0; i < xs.length; i++) envelope.add(xs[i], ys[i]);
  return envelope.finish();
}

/** `minMaxBuckets` one point at a time: memory is the buckets, whatever the points. */
export class MinMaxBuckets {
  private readonly width: number;
  private readonly min: Float64Array;
  private readonly max: Float64Array;

  constructor(
    private readonly from: number,
    to: number,
    private readonly buckets: number,
  ) {
    this.width = to > from ? (to - from) / buckets : 1;
    this.min = new Float64Array(buckets).fill(Number.POSITIVE_INFINITY);
    this.max = new Float64Array(buckets).fill(Number.NEGATIVE_INFINITY);
  }

  add(x: number, y: number): void {
    const b = bucketOf(x, this.from, this.width, this.buckets);
    if (y < this.min[b]) this.min[b] = y;
    if (y > this.max[b]) this.max[b] = y;
  }

  finish(): MinMaxSeries {
    const out: MinMaxSeries = { x: [], min: [], max: [] };
    for (let b = 0; b < this.buckets; b++) {
      if (this.min[b] === Number.POSITIVE_INFINITY) continue;
      out.x.push(this.from + (b + 0.5) * this.width);
      out.min.push(this.min[b]);
      out.max.push(this.max[b]);
    }
    return out;
  }
}

/** How many `xs` fall in each bucket of `width` from `from` to `to` (the last one may be partial). */
export function countBuckets(xs: ArrayLike<number>, from: number, to: number, width: number): number[] {
  const counts = new CountBuckets(from, to, width);
  for (let i = 0; i < xs.length; i++) counts.add(xs[i]);
  return counts.counts;
}

/** `countBuckets` one point at a time. */
export class CountBuckets {
  readonly counts: number[];

  constructor(
    private readonly from: number,
    to: number,
    private readonly width: number,
  ) {
    this.counts = new Array<number>(Math.max(1, Math.ceil((to - from) / width))).fill(0);
  }

  add(x: number): void {
    this.counts[bucketOf(x, this.from, this.width, this.counts.length)]++;
  }
}

function bucketOf(x: number, from: number, width: number, buckets: number): number {
  const b = Math.floor((x - from) / width);
  return b < 0 ? 0 : b >= buckets ? buckets - 1 : b;
}

/**
 * Merges series sampled at different x into uPlot's aligned form: one sorted x array and, per
 * series, its value at each x or null.
 */
export function alignSeries(series: { x: number[]; y: number[] }[]): {
  x: number[];
  ys: (number | null)[][];
} {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const position = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const column = new Array<number | null>(xs.length).fill(null);
    s.x.forEach((x, i) => {
      column[position.get(x) as number] = s.y[i];
    });
    return column;
  });
  return { x: xs, ys };
}
