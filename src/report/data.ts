import type { History, Json, Operation, Outcome } from '../history/types.js';
import { alignSeries, CountBuckets, MinMaxBuckets } from './downsample.js';
import { shortJson } from './escape.js';
import type { FaultSpan } from './faults.js';
import type { WriteAvailability } from './verdict.js';

/**
 * How history time maps to the plots' x axis. Histories from a run carry nanoseconds; imported
 * ones (Porcupine, Knossos) carry the event's index, where only order means anything.
 */
export interface TimeAxis {
  unit: 's' | 'event';
  /** History time units per x unit. */
  scale: number;
}

export function timeAxisOf(history: Pick<History, 'operations' | 'nemesis' | 'events'>): TimeAxis {
  return extentOf(history).axis;
}

/** The last moment the history saw: its last completion, invocation or nemesis event. */
export function historyEnd(history: Pick<History, 'operations' | 'nemesis'>): number {
  return extentOf({ ...history, events: 0 }).end;
}

function extentOf(history: Pick<History, 'operations' | 'nemesis' | 'events'>): HistoryExtent {
  const extent = new ExtentTally();
  for (const op of history.operations) extent.add(op);
  return extent.finish(history);
}

/** A history's time axis and its end (history time). */
export interface HistoryExtent {
  axis: TimeAxis;
  end: number;
}

/** The time axis and end of a history, one operation at a time. */
export class ExtentTally {
  private max = 0;
  private integral = true;
  private end = 0;

  add(op: Pick<Operation, 'call' | 'completedAt'>): void {
    this.see(op.call);
    if (op.completedAt !== undefined) this.see(op.completedAt);
    this.end = Math.max(this.end, op.completedAt ?? op.call);
  }

  finish(history: Pick<History, 'nemesis' | 'events'>): HistoryExtent {
    let end = this.end;
    for (const e of history.nemesis) {
      this.see(e.time);
      end = Math.max(end, e.time);
    }
    // Nanosecond clocks run far ahead of the event count; event indices never exceed it.
    const logical = this.integral && this.max <= Math.max(10, history.events * 2);
    return { axis: logical ? { unit: 'event', scale: 1 } : { unit: 's', scale: 1e9 }, end };
  }

  private see(t: number): void {
    if (t > this.max) this.max = t;
    if (!Number.isInteger(t)) this.integral = false;
  }
}

export const OUTCOMES: readonly Outcome[] = ['ok', 'fail', 'info'];
const OUTCOME_CODE: Record<Outcome, number> = { ok: 0, fail: 1, info: 2 };

/** Points per plot before downsampling sets in: about one per pixel of a wide screen. */
const PLOT_BUCKETS = 1200;
/** Most buckets a throughput or availability plot gets. */
const RATE_BUCKETS = 1500;

export interface PlotData {
  /** Latency (ms, or events for imported histories) by invocation time: min and max per bucket. */
  latency: { x: number[]; ys: (number | null)[][]; downsampled: boolean };
  /** Completions per second (per bucket for imported histories), by outcome. */
  throughput: { x: number[]; ys: number[][]; width: number };
  /** Share of operations invoked in each bucket that succeeded, in %. */
  availability: { x: number[]; y: (number | null)[] };
}

/** Columns of every client operation, for the timeline canvas (arrays keep 100k operations small). */
export interface TimelineData {
  lanes: string[];
  fs: string[];
  keys: (string | null)[];
  nodes: string[];
  errors: string[];
  lane: number[];
  process: number[];
  start: number[];
  end: number[];
  /** 0 ok, 1 fail, 2 info. */
  outcome: number[];
  /** 1 when the operation never completed: its bar runs to the end of the history. */
  open: number[];
  f: number[];
  key: number[];
  node: number[];
  error: number[];
  text: string[];
  /**
   * Operations invoked per interval of `width` x units from the start, over the whole history:
   * the overview strip's density when the columns hold only part of the operations.
   */
  started?: { width: number; counts: number[] };
}

/** What the page drew of a history too long to show whole (see src/report/digest.ts). */
export interface PageSummary {
  operations: number;
  /** Operations the timeline holds: those around each fault's start and end and each anomaly. */
  shown: number;
  /** Half the width of the window kept around each such moment, in seconds. */
  windowS: number;
  moments: number;
}

export interface PageData {
  axis: TimeAxis;
  /** The x range of the history. */
  from: number;
  to: number;
  faults: (Omit<FaultSpan, 'start' | 'end'> & { start: number; end: number })[];
  plots: PlotData;
  timeline: TimelineData;
  summary?: PageSummary;
  sections: Record<string, unknown>;
}

/** What the page shows of a history's operations: plots and timeline, computed by a PageTally. */
export interface PageDigest extends HistoryExtent {
  plots: PlotData;
  timeline: TimelineData;
  /** Writes invoked during the faults, for the verdict's words on availability. */
  writes: WriteAvailability;
  summary?: PageSummary;
}

/** The plots' x range: from 0 to the end of the history, never empty. */
export function plotRange(extent: HistoryExtent): { from: number; to: number } {
  const to = Math.max(round(extent.end / extent.axis.scale), extent.axis.unit === 's' ? 0.001 : 1);
  return { from: 0, to };
}

/** Builds everything the page's scripts draw, in x units, from the history's digest. */
export function pageData(digest: PageDigest, spans: readonly FaultSpan[]): Omit<PageData, 'sections'> {
  const { axis } = digest;
  const x = (t: number): number => round(t / axis.scale);
  const data: Omit<PageData, 'sections'> = {
    axis,
    ...plotRange(digest),
    faults: spans.map((s) => ({ ...s, start: x(s.start), end: x(s.end) })),
    plots: digest.plots,
    timeline: digest.timeline,
  };
  if (digest.summary) data.summary = digest.summary;
  return data;
}

/**
 * The plots, one operation at a time: envelopes and counts per bucket, so memory is the buckets
 * (about one per pixel), whatever the history's length.
 */
export class PlotTally {
  private readonly latencyUnit: number;
  private readonly envelopes: MinMaxBuckets[];
  private readonly width: number;
  private readonly completions: CountBuckets[];
  private readonly invoked: CountBuckets;
  private readonly invokedOk: CountBuckets;
  private ops = 0;

  constructor(
    private readonly axis: TimeAxis,
    private readonly from: number,
    private readonly to: number,
  ) {
    this.latencyUnit = axis.unit === 's' ? 1e6 : 1;
    this.envelopes = OUTCOMES.map(() => new MinMaxBuckets(from, to, PLOT_BUCKETS));
    this.width = rateBucket(axis, to - from);
    this.completions = OUTCOMES.map(() => new CountBuckets(from, to, this.width));
    this.invoked = new CountBuckets(from, to, this.width);
    this.invokedOk = new CountBuckets(from, to, this.width);
  }

  add(op: Operation): void {
    this.ops++;
    const outcome = OUTCOME_CODE[op.outcome];
    const call = op.call / this.axis.scale;
    this.invoked.add(call);
    if (op.outcome === 'ok') this.invokedOk.add(call);
    if (op.completedAt === undefined) return;
    // A log axis cannot show 0; imported histories can complete in the same step they start.
    this.envelopes[outcome].add(call, Math.max((op.completedAt - op.call) / this.latencyUnit, 0.001));
    this.completions[outcome].add(op.completedAt / this.axis.scale);
  }

  finish(): PlotData {
    const { axis, from, to, width } = this;
    const envelopes = this.envelopes.map((e) => e.finish());
    const aligned = alignSeries(
      envelopes.flatMap((e) => [
        { x: e.x, y: e.min },
        { x: e.x, y: e.max },
      ]),
    );
    const bucketX = this.invoked.counts.map((_, b) => round(from + b * width));
    // Rates per second; the last bucket is usually cut short by the end of the history.
    const seconds = bucketX.map((x) => (axis.unit === 's' ? Math.min(width, to - x) || width : 1));
    const rates = this.completions.map((c) => c.counts.map((n, b) => round(n / seconds[b])));
    const all = this.invoked.counts;
    const ok = this.invokedOk.counts;
    // A stepped line ends at its last point: repeat the last value at the end so the last bucket shows.
    const stepX = [...bucketX, round(to)];
    const repeatLast = <T>(ys: T[]): T[] => [...ys, ys[ys.length - 1]];
    return {
      latency: {
        x: aligned.x.map(round),
        ys: aligned.ys.map((c) => c.map(roundOrNull)),
        downsampled: this.ops > PLOT_BUCKETS,
      },
      throughput: { x: stepX, ys: rates.map(repeatLast), width },
      availability: {
        x: stepX,
        y: repeatLast(all.map((n, b) => (n === 0 ? null : Math.round((1000 * ok[b]) / n) / 10))),
      },
    };
  }
}

/**
 * Operations as columns. Processes retired after an `info` are packed into the lane of one that
 * finished earlier, as Jepsen's timeline does, so lanes track concurrent clients, not process ids.
 */
export function timelineData(
  ops: readonly Operation[],
  axis: TimeAxis,
  end: number,
  lanes: Lanes = laneTally(ops).finish(),
): TimelineData {
  const tables = {
    fs: new Interner<string>(),
    keys: new Interner<string | null>(),
    nodes: new Interner<string>(),
    errors: new Interner<string>(),
  };
  const data: TimelineData = {
    lanes: [],
    fs: [],
    keys: [],
    nodes: [],
    errors: [],
    lane: [],
    process: [],
    start: [],
    end: [],
    outcome: [],
    open: [],
    f: [],
    key: [],
    node: [],
    error: [],
    text: [],
  };
  for (const op of ops) {
    data.lane.push(lanes.laneOf.get(op.process) as number);
    data.process.push(op.process);
    data.start.push(round(op.call / axis.scale));
    data.end.push(op.completedAt === undefined ? end : round(op.completedAt / axis.scale));
    data.outcome.push(OUTCOME_CODE[op.outcome]);
    data.open.push(op.completedAt === undefined ? 1 : 0);
    data.f.push(tables.fs.id(op.f));
    data.key.push(tables.keys.id(op.key));
    data.node.push(op.node === undefined ? -1 : tables.nodes.id(op.node));
    data.error.push(op.error === undefined ? -1 : tables.errors.id(op.error));
    data.text.push(operationText(op));
  }
  data.lanes = lanes.labels;
  data.fs = tables.fs.values;
  data.keys = tables.keys.values;
  data.nodes = tables.nodes.values;
  data.errors = tables.errors.values;
  return data;
}

/** What an operation carried, in a few characters: its argument, and what it returned if different. */
export function operationText(op: Pick<Operation, 'input' | 'output' | 'outcome'>): string {
  const input: Json = op.input;
  if (op.outcome !== 'ok' || op.output === undefined) return input === null ? '' : shortJson(input, 60);
  if (input === null) return `→ ${shortJson(op.output, 56)}`;
  if (JSON.stringify(input) === JSON.stringify(op.output)) return shortJson(input, 60);
  return `${shortJson(input, 28)} → ${shortJson(op.output, 28)}`;
}

/** Each process's lane in the timeline, and each lane's label. */
export interface Lanes {
  laneOf: Map<number, number>;
  labels: string[];
}

function laneTally(ops: readonly Operation[]): LaneTally {
  const lanes = new LaneTally();
  for (const op of ops) lanes.add(op);
  return lanes;
}

/** The timeline's lanes, one operation at a time: memory is one span per process. */
export class LaneTally {
  private readonly spans = new Map<number, { first: number; last: number; index: number }>();

  add(op: Operation): void {
    const s = this.spans.get(op.process);
    const last = op.completedAt ?? Number.POSITIVE_INFINITY;
    if (!s) this.spans.set(op.process, { first: op.call, last, index: op.index });
    else {
      s.last = Math.max(s.last, last);
      // A process's first operation (by index) is its first invocation.
      if (op.index < s.index) {
        s.first = op.call;
        s.index = op.index;
      }
    }
  }

  finish(): Lanes {
    const busyUntil: number[] = [];
    const members: number[][] = [];
    const laneOf = new Map<number, number>();
    const ordered = [...this.spans.entries()].sort((a, b) => a[1].first - b[1].first || a[0] - b[0]);
    for (const [process, span] of ordered) {
      let lane = busyUntil.findIndex((until) => until < span.first);
      if (lane === -1) {
        lane = busyUntil.length;
        members.push([]);
      }
      busyUntil[lane] = span.last;
      members[lane].push(process);
      laneOf.set(process, lane);
    }
    const labels = members.map((ps) =>
      ps.length <= 3 ? ps.map((p) => `p${p}`).join(' ') : `p${ps[0]} p${ps[1]} +${ps.length - 2}`,
    );
    return { laneOf, labels };
  }
}

class Interner<T> {
  readonly values: T[] = [];
  private readonly ids = new Map<T, number>();
  id(value: T): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }
}

/**
 * Bucket width for throughput and availability: a second for ordinary runs, a round fraction of
 * one for very short runs (so they still get about 50 points), wider for very long ones.
 */
export function rateBucket(axis: TimeAxis, span: number): number {
  if (axis.unit === 'event') return Math.max(1, Math.ceil(span / 150));
  const target = span < 50 ? span / 50 : span > RATE_BUCKETS ? span / RATE_BUCKETS : 1;
  const steps = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600,
  ];
  return steps.find((s) => s >= target) ?? Math.ceil(target);
}

/** Ten microseconds is finer than a pixel on any plot; shorter numbers keep the page small. */
function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

function roundOrNull(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1e3) / 1e3;
}
