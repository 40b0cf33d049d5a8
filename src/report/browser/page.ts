/**
 * The report page's runtime, inlined after uPlot and the data: the tooltip, the three time plots,
 * the timeline, the copy button, and `window.dscheck` for the section scripts (and the tests).
 * Every value from the history reaches the DOM through textContent or canvas fillText, never as HTML.
 */
import type UPlot from 'uplot';
import type { Outcome } from '../../history/types.js';
import type { PageData } from '../data.js';
import type { DscheckApi, Pointer, TipLine } from './api.js';
import { byId, copyOnClick, dots, plotWidth, steppedLine, zoomTogether } from './common.js';
import { PLOT_HEIGHT, plotMaker } from './plots.js';
import { drawTimeline } from './timeline.js';

const D: PageData = JSON.parse(byId('dscheck-data')?.textContent ?? 'null');
const COLORS: Record<Outcome, string> = { ok: '#009E73', fail: '#D55E00', info: '#E69F00' };
const OUTCOMES: readonly Outcome[] = ['ok', 'fail', 'info'];
const FAULT_FILL: Record<string, string> = {
  partition: 'rgba(86,180,233,0.22)',
  kill: 'rgba(204,121,167,0.24)',
  pause: 'rgba(240,228,66,0.32)',
  loss: 'rgba(0,114,178,0.14)',
};
const unit = D.axis.unit;

function fmtX(x: number): string {
  return unit === 's' ? `${(Math.round(x * 1000) / 1000).toFixed(3)} s` : `event ${Math.round(x)}`;
}

function fmtDuration(d: number): string {
  if (unit !== 's') return `${Math.round(d)} events`;
  const ms = d * 1000;
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

const tip = byId('tip');

/** Next to the pointer, flipped to its other side near the window's edges. */
function moveTip(ev: Pointer): void {
  if (!tip) return;
  let x = ev.clientX + 14;
  let y = ev.clientY + 14;
  const w = tip.offsetWidth;
  const h = tip.offsetHeight;
  if (x + w > window.innerWidth - 8) x = Math.max(8, ev.clientX - w - 14);
  if (y + h > window.innerHeight - 8) y = Math.max(8, ev.clientY - h - 14);
  tip.style.left = `${x}px`;
  tip.style.top = `${y}px`;
}

function showTip(ev: Pointer, lines: readonly TipLine[]): void {
  if (!tip) return;
  tip.textContent = '';
  for (const line of lines) {
    const div = document.createElement('div');
    if (typeof line === 'string') div.textContent = line;
    else {
      div.textContent = line.text;
      if (line.cls) div.className = line.cls;
    }
    tip.appendChild(div);
  }
  tip.hidden = false;
  moveTip(ev);
}

function hideTip(): void {
  if (tip) tip.hidden = true;
}

function faultFill(kind: string): string {
  return FAULT_FILL[kind] || 'rgba(0,0,0,0.09)';
}

const plots: UPlot[] = [];
const api: DscheckApi = {
  data: D,
  colors: COLORS,
  faultFill,
  fmtX,
  fmtDuration,
  showTip,
  moveTip,
  hideTip,
  plots,
  timeline: null,
  // Zooming one plot (drag) zooms all of them and moves the timeline's window there.
  plot: plotMaker(
    { data: D, fmtX, faultFill, plots },
    zoomTogether(plots, (min, max) => {
      if (api.timeline && (min > D.from || max < D.to)) api.timeline.show(min, max);
    }),
  ),
  section(id, draw) {
    const root = byId(id);
    if (!root) return;
    try {
      // The section's data() built this value for this very script: page.ts pairs them by id.
      draw(root, D.sections[id] as Parameters<typeof draw>[1], api);
    } catch (e) {
      const p = document.createElement('p');
      p.className = 'note';
      p.textContent = `This section could not be drawn: ${e}`;
      root.appendChild(p);
      throw e;
    }
  },
};
window.dscheck = api;

const P = D.plots;
api.plot(
  'plot-latency',
  OUTCOMES.flatMap((o) => ['min', 'max'].map((m) => dots(`${o} ${m}`, COLORS[o], 4.5))),
  [P.latency.x, ...P.latency.ys],
  { label: unit === 's' ? 'latency (ms, log scale)' : 'duration (events, log scale)', size: 70 },
  { distr: 3 },
);
api.plot(
  'plot-throughput',
  OUTCOMES.map((o) => steppedLine(o, COLORS[o])),
  [P.throughput.x, ...P.throughput.ys],
  {
    label: unit === 's' ? 'completions per second' : `completions per ${P.throughput.width} events`,
    size: 70,
  },
);
api.plot(
  'plot-availability',
  [steppedLine('ok share', '#0072B2')],
  [P.availability.x, P.availability.y],
  { label: 'operations ok (%)', size: 70 },
  { range: [0, 100] },
);

window.addEventListener('resize', () => {
  for (const p of api.plots) {
    if (p.root.parentElement) p.setSize({ width: plotWidth(p.root.parentElement), height: PLOT_HEIGHT });
  }
  api.timeline?.resize();
});

api.timeline = drawTimeline(api);

const copy = byId('copy-command');
if (copy) copyOnClick(copy, () => byId('command'));
