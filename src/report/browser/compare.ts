/**
 * The comparison page's runtime: the lesson's plots (availability and throughput, or a cache's hit
 * ratio and database load), every run's values per second on shared axes (time since each run's start), each run's fault windows as a strip of its colour along the
 * top of each plot, and the copy buttons. Values reach the DOM only through textContent.
 */
import type UPlot from 'uplot';
import type { ComparePageData } from '../compare/page.js';
import { axis, byId, copyOnClick, plotWidth, steppedLine, zoomTogether } from './common.js';

type Series = ComparePageData['plots'][number]['series'][number];

const D: ComparePageData = JSON.parse(byId('compare-data')?.textContent ?? 'null');
const plots: UPlot[] = [];
window.dscheckCompare = { data: D, plots };
const runs = D.runs;
const HEIGHT = 280;
/** Height of each run's strip of fault windows, in CSS pixels. */
const LANE = 5;

let last = 0;
for (const p of D.plots) {
  for (const s of p.series) if (s.second.length > 0) last = Math.max(last, s.second[s.second.length - 1] + 1);
}
for (const r of runs) for (const f of r.faults) last = Math.max(last, f.end);
const xs: number[] = [];
for (let s = 0; s <= Math.ceil(last); s++) xs.push(s);

/** A run's series on the shared seconds, null where the run has no value. */
function column(s: Series): (number | null)[] {
  const out: (number | null)[] = xs.map(() => null);
  s.second.forEach((sec, i) => {
    out[sec] = s.values[i];
  });
  // A stepped line holds each value until the next x: repeat the last second so it is drawn whole.
  const end = s.second.length > 0 ? s.second[s.second.length - 1] : -1;
  if (end >= 0 && end + 1 < out.length) out[end + 1] = out[end];
  return out;
}

function faultLanes(): UPlot.Plugin {
  const drawLanes = (u: UPlot): void => {
    const ctx = u.ctx;
    const b = u.bbox;
    const dpr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.width, b.height);
    ctx.clip();
    runs.forEach((r, i) => {
      ctx.fillStyle = r.color;
      ctx.globalAlpha = 0.07;
      for (const f of r.faults) {
        const x0 = u.valToPos(f.start, 'x', true);
        const x1 = u.valToPos(f.end, 'x', true);
        ctx.fillRect(x0, b.top, Math.max(1, x1 - x0), b.height);
      }
      ctx.globalAlpha = 0.9;
      for (const f of r.faults) {
        const x0 = u.valToPos(f.start, 'x', true);
        const x1 = u.valToPos(f.end, 'x', true);
        ctx.fillRect(x0, b.top + i * LANE * dpr, Math.max(1, x1 - x0), (LANE - 1) * dpr);
      }
    });
    ctx.restore();
  };
  return { hooks: { draw: [drawLanes] } };
}

const zoomAll = zoomTogether(plots);

function plot({ id, yLabel, range, series: values }: ComparePageData['plots'][number]): void {
  const host = byId(id);
  if (!host) return;
  const series: UPlot.Series[] = [
    { value: (_u, v) => (v == null ? '' : `${v} s`) },
    ...runs.map((r) => ({ ...steppedLine(r.label, r.color), spanGaps: false })),
  ];
  const data: UPlot.AlignedData = [xs, ...values.map(column)];
  const p = new uPlot(
    {
      width: plotWidth(host),
      height: HEIGHT,
      scales: { x: { time: false, range: [0, Math.max(1, last)] }, y: range ? { range } : {} },
      axes: [axis({ label: "time since the run's start (s)" }), axis({ label: yLabel, size: 70 })],
      series,
      legend: { show: false },
      cursor: { sync: { key: 'dscheck-compare' }, drag: { x: true, y: false } },
      plugins: [faultLanes()],
      hooks: {
        setScale: [
          (u, key) => {
            if (key === 'x') zoomAll(u);
          },
        ],
      },
    },
    data,
    host,
  );
  plots.push(p);
}

for (const p of D.plots) plot(p);
window.addEventListener('resize', () => {
  for (const p of plots) {
    if (p.root.parentElement) p.setSize({ width: plotWidth(p.root.parentElement), height: HEIGHT });
  }
});
document.querySelectorAll<HTMLElement>('button.copy').forEach((button) => {
  copyOnClick(button, () => byId(button.getAttribute('data-for') ?? ''));
});
