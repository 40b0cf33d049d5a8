import {
  type Availability,
  type OutcomeCounts,
  type PerfResult,
  type Quantiles,
  quantiles,
} from '../../checker/perf.js';
import type { Operation } from '../../history/types.js';
import { esc } from '../escape.js';
import type { ReportContext, ReportSection } from './types.js';

/** The perf checker's section: counts, latency quantiles and availability, as tables. */
export const perfSection: ReportSection<PerfResult> = {
  id: 'statistics',
  title: 'Statistics',
  render({ result, axis, history }: ReportContext<PerfResult>): string {
    // perf measures nanoseconds; an imported history counts events, so its latencies are in events.
    const logical = axis.unit === 'event';
    const latencyUnit = logical ? 'events' : 'ms';
    const steps = logical ? stepQuantiles(history.operations) : undefined;
    const latency = (q: Quantiles | null, pick: keyof Quantiles): string => (q === null ? '–' : num(q[pick]));
    const row = (label: string, c: OutcomeCounts, q: Quantiles | null, strong = false): string => {
      const total = c.ok + c.fail + c.info;
      const cell = strong ? 'th' : 'td';
      return `<tr><${cell} scope="row">${esc(label)}</${cell}><td>${num(total)}</td><td>${num(c.ok)}</td><td>${num(c.fail)}</td><td>${num(c.info)}</td>${(['p50', 'p90', 'p99', 'max'] as const).map((p) => `<td>${latency(q, p)}</td>`).join('')}</tr>`;
    };
    const rows = Object.entries(result.byF)
      .map(([f, c]) => row(f, c, steps ? (steps.get(f) ?? null) : c.latencyMs))
      .join('\n');
    const av = (label: string, a: Availability): string =>
      `<tr><th scope="row">${esc(label)}</th><td>${num(a.ops)}</td><td>${num(a.ok)}</td><td>${a.share === null ? '–' : `${(a.share * 100).toFixed(1)}%`}</td></tr>`;
    const rate = logical
      ? ''
      : `<p class="note">Throughput: ${num(result.throughput.opsPerS)} operations/s, ${num(result.throughput.okPerS)} ok/s over ${num(result.durationS)} s (final reads left out).</p>`;
    return `<div class="tables">
<table class="stats">
<caption>Operations by outcome, latency in ${latencyUnit}</caption>
<thead><tr><th scope="col">operation</th><th scope="col">total</th><th scope="col"><span class="sw ok"></span>ok</th><th scope="col"><span class="sw fail"></span>fail</th><th scope="col"><span class="sw info"></span>info</th><th scope="col">p50</th><th scope="col">p90</th><th scope="col">p99</th><th scope="col">max</th></tr></thead>
<tbody>
${rows}
${row('all', result.counts, steps ? (steps.get(ALL) ?? null) : result.latencyMs, true)}
</tbody>
</table>
<table class="stats">
<caption>Availability: operations that succeeded, by when they were invoked</caption>
<thead><tr><th scope="col"></th><th scope="col">operations</th><th scope="col">ok</th><th scope="col">share</th></tr></thead>
<tbody>
${av('outside faults', result.availability.outsideFaults)}
${av('during faults', result.availability.insideFaults)}
${av('whole run', result.availability.overall)}
</tbody>
</table>
</div>
${rate}
<p class="note">fail: definitely not applied · info: unknown (timed out or connection lost; it may have been applied). Latency of info operations runs to their info line.</p>`;
  },
};

const ALL = Symbol('all operations');

/** Latency quantiles in events, per f and overall, for histories whose time is the event index. */
function stepQuantiles(operations: readonly Operation[]): Map<string | symbol, Quantiles | null> {
  const samples = new Map<string | symbol, number[]>([[ALL, []]]);
  for (const op of operations) {
    if (op.completedAt === undefined) continue;
    const d = op.completedAt - op.call;
    samples.get(ALL)?.push(d);
    const list = samples.get(op.f) ?? [];
    list.push(d);
    samples.set(op.f, list);
  }
  return new Map([...samples].map(([f, s]) => [f, quantiles(s)]));
}

function num(n: number): string {
  return n.toLocaleString('en', { maximumFractionDigits: n < 10 ? 3 : 1 });
}
