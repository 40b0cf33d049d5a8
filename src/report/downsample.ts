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
  const width = to > from ? (to - from) / buckets : 1;
  const min = new Float64Array(buckets).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(buckets).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < xs.length; i++) {
    const b = bucketOf(xs[i], from, width, buckets);
    if (ys[i] < min[b]) min[b] = ys[i];
    if (ys[i] > max[b]) max[b] = ys[i];
  }
  const out: MinMaxSeries = { x: [], min: [], max: [] };
  for (let b = 0; b < buckets; b++) {
    if (min[b] === Number.POSITIVE_INFINITY) continue;
    out.x.push(from + (b + 0.5) * width);
    out.min.push(min[b]);
    out.max.push(max[b]);
  }
  return out;
}

/** How many `xs` fall in each bucket of `width` from `from` to `to` (the last one may be partial). */
export function countBuckets(xs: ArrayLike<number>, from: number, to: number, width: number): number[] {
  const n = Math.max(1, Math.ceil((to - from) / width));
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < xs.length; i++) counts[bucketOf(xs[i], from, width, n)]++;
  return counts;
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
