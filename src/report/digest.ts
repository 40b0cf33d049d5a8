import type { History, Operation } from '../history/types.js';
import {
  ExtentTally,
  type HistoryExtent,
  LaneTally,
  type PageDigest,
  PlotTally,
  plotRange,
  timelineData,
} from './data.js';
import { CountBuckets } from './downsample.js';
import type { FaultSpan } from './faults.js';
import { WriteTally } from './verdict.js';

/**
 * Operations the timeline holds at most (about 4 MB of page). A longer history's timeline holds
 * the operations around each fault's start and end and each anomaly, and the density of the rest.
 */
export const TIMELINE_OPS = 100_000;
/** Intervals of the overview strip's density when the timeline holds only part of the history. */
const STARTED_BUCKETS = 1500;
/** Half the width of the window kept around each moment, at most (seconds). */
const MAX_WINDOW_S = 5;

export interface PageTallyOptions {
  extent: HistoryExtent;
  spans: readonly FaultSpan[];
  /** How many operations the history holds (a first pass counted them). */
  operations: number;
  /** Moments (history time) worth seeing in full besides the faults' edges: the anomalies. */
  moments?: readonly number[];
  /** The most operations the timeline holds. */
  budget?: number;
}

/**
 * What the page shows of a history, one operation at a time in any order: plots from per-bucket
 * aggregates, the timeline's lanes from one span per process, writes during faults per node, and
 * the timeline's operations: all of them up to `budget`, else those near a fault's start or end or
 * an anomaly, or the start when there is none (the window narrows so that about `budget` fit),
 * with the density of the rest.
 * Memory is bounded by the budget, the buckets and the processes, not by the history.
 */
export class PageTally {
  private readonly plots: PlotTally;
  private readonly lanes = new LaneTally();
  private readonly writes: WriteTally;
  private readonly kept: Operation[] = [];
  private readonly budget: number;
  private readonly whole: boolean;
  /** Sorted moments and the half-width of the window around each (history time). */
  private readonly moments: Float64Array;
  private readonly window: number;
  private readonly started: CountBuckets | undefined;
  private readonly startedWidth: number;

  constructor(private readonly options: PageTallyOptions) {
    const { extent, spans, operations } = options;
    const { from, to } = plotRange(extent);
    this.plots = new PlotTally(extent.axis, from, to);
    this.writes = new WriteTally(spans);
    this.budget = options.budget ?? TIMELINE_OPS;
    this.whole = operations <= this.budget;
    const edges = spans.flatMap((s) => (s.open ? [s.start] : [s.start, s.end]));
    const moments = new Set([...edges, ...(options.moments ?? [])]);
    // Without faults or anomalies, the timeline shows how the history began.
    if (moments.size === 0) moments.add(0);
    this.moments = Float64Array.from(moments).sort();
    const scale = extent.axis.scale;
    const seconds = Math.max(extent.end / scale, 1e-9);
    const perSecond = operations / seconds;
    const fit = this.budget / (perSecond * 2 * Math.max(1, this.moments.length));
    this.window = Math.min(MAX_WINDOW_S, fit) * scale;
    this.startedWidth = (to - from) / STARTED_BUCKETS;
    this.started = this.whole ? undefined : new CountBuckets(from, to, this.startedWidth);
  }

  add(op: Operation): void {
    this.plots.add(op);
    this.lanes.add(op);
    this.writes.add(op);
    this.started?.add(op.call / this.options.extent.axis.scale);
    if (this.whole || (this.kept.length < this.budget && this.nearMoment(op.call))) this.kept.push(op);
  }

  finish(): PageDigest {
    const { extent } = this.options;
    const shown = this.kept.sort((a, b) => a.index - b.index);
    const timeline = timelineData(
      shown,
      extent.axis,
      Math.round((extent.end / extent.axis.scale) * 1e5) / 1e5,
      this.lanes.finish(),
    );
    const digest: PageDigest = {
      ...extent,
      plots: this.plots.finish(),
      timeline,
      writes: this.writes.writes,
    };
    if (this.started) {
      timeline.started = { width: this.startedWidth, counts: this.started.counts };
      digest.summary = {
        operations: this.options.operations,
        shown: shown.length,
        windowS: Math.round((this.window / extent.axis.scale) * 1000) / 1000,
        moments: this.moments.length,
      };
    }
    return digest;
  }

  private nearMoment(t: number): boolean {
    const m = this.moments;
    let lo = 0;
    let hi = m.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (m[mid] < t - this.window) lo = mid + 1;
      else hi = mid;
    }
    return lo < m.length && m[lo] <= t + this.window;
  }
}

/**
 * The digest of a history held whole: every operation through the same tally, so a page has the
 * same bounds (and the same content) whichever way its history was read.
 */
export function digestHistory(
  history: Pick<History, 'operations' | 'nemesis' | 'events'>,
  spans: (end: number) => readonly FaultSpan[],
  results: Readonly<Record<string, unknown>> = {},
): PageDigest {
  const extentTally = new ExtentTally();
  for (const op of history.operations) extentTally.add(op);
  const extent = extentTally.finish(history);
  const page = new PageTally({
    extent,
    spans: spans(extent.end),
    operations: history.operations.length,
    moments: extent.axis.unit === 's' ? anomalyMoments(results).map((s) => s * extent.axis.scale) : [],
  });
  for (const op of history.operations) page.add(op);
  return page.finish();
}

/**
 * The moments of the anomalies the checkers name (seconds): every operation a result refers to
 * (an object with `index`, `process` and `call`, as stale reads' and sessions' examples are).
 */
export function anomalyMoments(results: Readonly<Record<string, unknown>>): number[] {
  const moments: number[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const o = value as Record<string, unknown>;
    if (typeof o.index === 'number' && typeof o.process === 'number' && typeof o.call === 'number') {
      moments.push(o.call);
      return;
    }
    for (const v of Object.values(o)) visit(v);
  };
  for (const [name, result] of Object.entries(results)) if (name !== 'perf') visit(result);
  return moments;
}
