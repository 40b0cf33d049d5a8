/** The report's time plots: uPlot with the fault windows drawn in, zoomed together. */
import type UPlot from 'uplot';
import type { PageData } from '../data.js';
import type { DscheckApi } from './api.js';
import { axis, FONT, plotWidth } from './common.js';

export const PLOT_HEIGHT = 260;

/** Fault windows: shaded under the data, labelled over it, on every time plot. */
function faultPlugin(faults: PageData['faults'], faultFill: (kind: string) => string): UPlot.Plugin {
  type Span = (
    ctx: CanvasRenderingContext2D,
    f: PageData['faults'][number],
    x0: number,
    x1: number,
    b: UPlot.BBox,
  ) => void;
  function spans(u: UPlot, draw: Span): void {
    const ctx = u.ctx;
    const b = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.width, b.height);
    ctx.clip();
    for (const f of faults) {
      const x0 = u.valToPos(f.start, 'x', true);
      const x1 = u.valToPos(f.end, 'x', true);
      if (x1 < b.left || x0 > b.left + b.width) continue;
      draw(ctx, f, x0, Math.max(x1, x0 + 1), b);
    }
    ctx.restore();
  }
  const dpr = window.devicePixelRatio || 1;
  return {
    hooks: {
      drawClear: [
        (u) =>
          spans(u, (ctx, f, x0, x1, b) => {
            ctx.fillStyle = faultFill(f.kind);
            ctx.fillRect(x0, b.top, x1 - x0, b.height);
          }),
      ],
      draw: [
        (u) =>
          spans(u, (ctx, f, x0, x1, b) => {
            ctx.font = `${12 * dpr}px ${FONT}`;
            ctx.textAlign = 'left';
            ctx.textBaseline = 'alphabetic';
            ctx.fillStyle = '#30363d';
            const room = x1 - x0 - 6 * dpr;
            let text = f.label;
            if (ctx.measureText(text).width > room) text = f.kind;
            if (ctx.measureText(text).width > room && room < 20 * dpr) return;
            ctx.fillText(text, Math.max(x0, b.left) + 4 * dpr, b.top + 14 * dpr);
          }),
      ],
    },
  };
}

/**
 * The page's plot maker (`dscheck.plot`): the x axis spans the whole history, each plot joins
 * `plots`, and zooming one calls `onZoom` with it.
 */
export function plotMaker(
  api: Pick<DscheckApi, 'data' | 'fmtX' | 'faultFill' | 'plots'>,
  onZoom: (source: UPlot) => void,
): DscheckApi['plot'] {
  const D = api.data;
  const xLabel = D.axis.unit === 's' ? 'time since the run started (s)' : 'event';
  return (id, series, data, yAxis, yScale) => {
    const host = document.getElementById(id);
    if (!host) return undefined;
    const opts: UPlot.Options = {
      width: plotWidth(host),
      height: PLOT_HEIGHT,
      scales: { x: { time: false, range: [D.from, D.to] }, y: yScale || {} },
      axes: [axis({ label: xLabel }), axis(yAxis)],
      series: [{ value: (_u, v) => (v == null ? '' : api.fmtX(v)) }, ...series],
      legend: { show: false },
      cursor: { sync: { key: 'dscheck-time' }, drag: { x: true, y: false } },
      plugins: [faultPlugin(D.faults, api.faultFill)],
      hooks: {
        setScale: [
          (u, key) => {
            if (key === 'x') onZoom(u);
          },
        ],
      },
    };
    const plot = new uPlot(opts, data, host);
    api.plots.push(plot);
    return plot;
  };
}
