/**
 * The timeline: every operation as a bar in its client's lane, on a canvas, through a window the
 * user moves (buttons, keys, wheel, or the whole-run strip below it).
 */
import type { Outcome } from '../../history/types.js';
import type { PageData } from '../data.js';
import type { DscheckApi, TimelineHandle, TipLine } from './api.js';
import { byId, FONT } from './common.js';

const OUTCOMES: readonly Outcome[] = ['ok', 'fail', 'info'];
const LEFT = 100;
const AXIS = 26;
const OVERVIEW_HEIGHT = 56;
/** Operations in the first window; more than this and the window starts narrower than the run. */
const FIRST_WINDOW_OPS = 3000;

/** Draws the timeline into the page's canvases; null when the page has none. */
export function drawTimeline(api: DscheckApi): TimelineHandle | null {
  const main = byId<HTMLCanvasElement>('timeline-main');
  const over = byId<HTMLCanvasElement>('timeline-overview');
  const label = byId('timeline-window');
  if (!main || !over || !label) return null;
  const timeline = new Timeline(api, main, over, label);
  timeline.listen();
  timeline.resize();
  return {
    show: (a, b) => timeline.show(a, b),
    resize: () => timeline.resize(),
    window: () => [timeline.t0, timeline.t1],
  };
}

/** Nice round steps between a and b, about `count` of them. */
function ticks(a: number, b: number, count: number, integral: boolean): number[] {
  let step = 10 ** Math.floor(Math.log10((b - a) / count));
  const err = (b - a) / count / step;
  step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
  if (integral) step = Math.max(1, Math.round(step));
  const out: number[] = [];
  for (let t = Math.ceil(a / step) * step; t <= b; t += step) out.push(t);
  return out;
}

class Timeline {
  private readonly D: PageData;
  private readonly T: PageData['timeline'];
  private readonly n: number;
  private readonly lanes: number;
  private readonly laneH: number;
  /** Each lane's operations by start time, for finding the one under the pointer. */
  private readonly byLane: number[][];
  private readonly full: number;
  private readonly dpr = window.devicePixelRatio || 1;
  t0: number;
  t1: number;
  private W = 0;
  private H = 0;
  private OW = 0;
  /** Operations started per pixel column of the overview; recomputed after a resize. */
  private density: { counts: Float64Array; max: number } | null = null;

  constructor(
    private readonly api: DscheckApi,
    private readonly main: HTMLCanvasElement,
    private readonly over: HTMLCanvasElement,
    private readonly label: HTMLElement,
  ) {
    const D = api.data;
    this.D = D;
    this.T = D.timeline;
    this.n = this.T.start.length;
    this.lanes = this.T.lanes.length;
    this.laneH = Math.max(6, Math.min(22, Math.floor(420 / Math.max(1, this.lanes))));
    this.byLane = Array.from({ length: this.lanes }, () => []);
    for (let i = 0; i < this.n; i++) this.byLane[this.T.lane[i]].push(i);
    for (const list of this.byLane) list.sort((a, b) => this.T.start[a] - this.T.start[b]);
    this.full = Math.max(D.to - D.from, 1e-9);
    // A big history opens on a window around its first fault, not on a solid smear.
    const span =
      this.n <= FIRST_WINDOW_OPS
        ? this.full
        : Math.max((this.full * FIRST_WINDOW_OPS) / this.n, this.full / 1000);
    let t0 = D.from;
    if (span < this.full && D.faults.length > 0) t0 = Math.max(D.from, D.faults[0].start - span * 0.2);
    this.t0 = t0;
    this.t1 = Math.min(D.to, t0 + span);
  }

  resize(): void {
    const { main, over, dpr } = this;
    this.W = (main.parentElement ?? main).clientWidth;
    this.H = AXIS + this.lanes * this.laneH + 4;
    main.style.width = `${this.W}px`;
    main.style.height = `${this.H}px`;
    main.width = Math.round(this.W * dpr);
    main.height = Math.round(this.H * dpr);
    this.OW = this.W;
    over.style.width = `${this.OW}px`;
    over.style.height = `${OVERVIEW_HEIGHT}px`;
    over.width = Math.round(this.OW * dpr);
    over.height = Math.round(OVERVIEW_HEIGHT * dpr);
    this.density = null;
    this.draw();
  }

  /** x of time t on the main canvas, and on the overview. */
  private px(t: number): number {
    return LEFT + ((t - this.t0) / (this.t1 - this.t0)) * (this.W - LEFT - 8);
  }
  private opx(t: number): number {
    return LEFT + ((t - this.D.from) / this.full) * (this.OW - LEFT - 8);
  }

  private draw(): void {
    const ctx = this.main.getContext('2d');
    if (!ctx) return;
    const { W, H, t0, t1, api } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.font = `12px ${FONT}`;
    for (const f of this.D.faults) {
      if (f.end < t0 || f.start > t1) continue;
      const x0 = Math.max(LEFT, this.px(f.start));
      const x1 = Math.min(W - 8, this.px(f.end));
      ctx.fillStyle = api.faultFill(f.kind);
      ctx.fillRect(x0, AXIS, Math.max(1, x1 - x0), H - AXIS);
      ctx.fillStyle = '#30363d';
      if (x1 - x0 > ctx.measureText(f.label).width + 8) ctx.fillText(f.label, x0 + 4, AXIS - 14);
      else if (x1 - x0 > ctx.measureText(f.kind).width + 8) ctx.fillText(f.kind, x0 + 4, AXIS - 14);
    }
    ctx.fillStyle = '#30363d';
    ctx.strokeStyle = '#e6e8eb';
    for (const t of ticks(t0, t1, Math.max(2, Math.floor((W - LEFT) / 110)), this.D.axis.unit !== 's')) {
      const x = this.px(t);
      ctx.beginPath();
      ctx.moveTo(x, AXIS);
      ctx.lineTo(x, H);
      ctx.stroke();
      ctx.fillText(api.fmtX(t), x + 3, AXIS - 2);
    }
    const shown = this.drawBars(ctx);
    this.drawLaneLabels(ctx);
    this.label.textContent = `showing ${api.fmtX(t0)} – ${api.fmtX(t1)} of ${api.fmtX(this.D.to)} · ${shown.toLocaleString('en')} operations in view`;
    this.drawOverview();
  }

  /** The operations in the window, one outcome at a time; returns how many were drawn. */
  private drawBars(ctx: CanvasRenderingContext2D): number {
    const { T, t0, t1, laneH } = this;
    let shown = 0;
    for (let o = 0; o < OUTCOMES.length; o++) {
      ctx.fillStyle = this.api.colors[OUTCOMES[o]];
      for (let i = 0; i < this.n; i++) {
        if (T.outcome[i] !== o || T.end[i] < t0 || T.start[i] > t1) continue;
        const x0 = Math.max(LEFT, this.px(T.start[i]));
        const x1 = Math.min(this.W - 8, this.px(T.end[i]));
        ctx.globalAlpha = T.open[i] ? 0.35 : 1;
        ctx.fillRect(x0, AXIS + T.lane[i] * laneH + 1, Math.max(1.5, x1 - x0), laneH - 2);
        shown++;
      }
    }
    ctx.globalAlpha = 1;
    return shown;
  }

  private drawLaneLabels(ctx: CanvasRenderingContext2D): void {
    const { laneH, lanes } = this;
    ctx.clearRect(0, AXIS, LEFT - 2, this.H);
    ctx.fillStyle = '#30363d';
    if (laneH >= 11) {
      for (let l = 0; l < lanes; l++) ctx.fillText(this.T.lanes[l], 4, AXIS + l * laneH + laneH / 2 + 4);
    } else {
      ctx.fillText(`${lanes} lanes`, 4, AXIS + 14);
    }
  }

  private densityOf(cols: number): { counts: Float64Array; max: number } {
    if (this.density) return this.density;
    const counts = new Float64Array(cols);
    const started = this.T.started;
    // A summarised history brings the density of all its operations; the columns hold only some.
    if (started) {
      started.counts.forEach((n, b) => {
        const c = Math.floor((((b + 0.5) * started.width) / this.full) * cols);
        counts[Math.min(cols - 1, Math.max(0, c))] += n;
      });
    }
    for (let i = 0; i < (started ? 0 : this.n); i++) {
      const c = Math.floor(((this.T.start[i] - this.D.from) / this.full) * cols);
      counts[Math.min(cols - 1, Math.max(0, c))]++;
    }
    let max = 1;
    for (let k = 0; k < cols; k++) max = Math.max(max, counts[k]);
    this.density = { counts, max };
    return this.density;
  }

  /** The whole run as a strip: operations started per moment, faults shaded, the window framed. */
  private drawOverview(): void {
    const ctx = this.over.getContext('2d');
    if (!ctx) return;
    const { OW } = this;
    const OH = OVERVIEW_HEIGHT;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, OW, OH);
    const cols = Math.max(1, Math.floor(OW - LEFT - 8));
    const density = this.densityOf(cols);
    for (const f of this.D.faults) {
      ctx.fillStyle = this.api.faultFill(f.kind);
      ctx.fillRect(this.opx(f.start), 0, Math.max(1, this.opx(f.end) - this.opx(f.start)), OH);
    }
    ctx.fillStyle = '#8c959f';
    for (let c = 0; c < cols; c++) {
      const h = (density.counts[c] / density.max) * (OH - 10);
      ctx.fillRect(LEFT + c, OH - h, 1, h);
    }
    ctx.fillStyle = '#30363d';
    ctx.font = `12px ${FONT}`;
    ctx.fillText('whole run', 4, OH / 2 + 4);
    const a = this.opx(this.t0);
    const b = this.opx(this.t1);
    ctx.fillStyle = 'rgba(0,114,178,0.18)';
    ctx.fillRect(a, 0, Math.max(2, b - a), OH);
    ctx.strokeStyle = '#0072B2';
    ctx.lineWidth = 2;
    ctx.strokeRect(a, 1, Math.max(2, b - a), OH - 2);
  }

  show(a: number, b: number): void {
    const { D, full } = this;
    let w = Math.max(b - a, full / 1e6);
    if (w > full) w = full;
    const start = Math.max(D.from, Math.min(a, D.to - w));
    this.t0 = start;
    this.t1 = start + w;
    this.draw();
  }

  private centerAt(t: number): void {
    const half = (this.t1 - this.t0) / 2;
    this.show(t - half, t + half);
  }

  private zoom(factor: number, at?: number): void {
    const c = at === undefined ? (this.t0 + this.t1) / 2 : at;
    this.show(c - (c - this.t0) * factor, c + (this.t1 - c) * factor);
  }

  /** The operation under the pointer, or -1. */
  private find(ev: MouseEvent): number {
    const { T, t0, t1, W, laneH } = this;
    const r = this.main.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    if (x < LEFT || y < AXIS) return -1;
    const lane = Math.floor((y - AXIS) / laneH);
    if (lane < 0 || lane >= this.lanes) return -1;
    const t = t0 + ((x - LEFT) / (W - LEFT - 8)) * (t1 - t0);
    const slack = (3 / (W - LEFT - 8)) * (t1 - t0);
    const list = this.byLane[lane];
    let lo = 0;
    let hi = list.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (T.start[list[mid]] <= t + slack) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let j = at; j >= 0 && j > at - 8; j--) {
      const op = list[j];
      if (T.end[op] + slack >= t) return op;
    }
    return -1;
  }

  private tipLines(i: number): TipLine[] {
    const { T, api } = this;
    const o = OUTCOMES[T.outcome[i]];
    const key = T.keys[T.key[i]];
    const lines: TipLine[] = [
      { text: `p${T.process[i]} · ${T.fs[T.f[i]]}${key === null ? '' : ` · key ${key}`}`, cls: 'tip-head' },
    ];
    if (T.text[i]) lines.push(T.text[i]);
    lines.push({
      text: o + (T.open[i] ? ' · never completed' : ` · ${api.fmtDuration(T.end[i] - T.start[i])}`),
      cls: `tip-${o}`,
    });
    lines.push(`${api.fmtX(T.start[i])} → ${T.open[i] ? 'end of history' : api.fmtX(T.end[i])}`);
    if (T.node[i] >= 0) lines.push(`node ${T.nodes[T.node[i]]}`);
    if (T.error[i] >= 0) lines.push(`error: ${T.errors[T.error[i]]}`);
    return lines;
  }

  /** Pointer, wheel, buttons and keys. */
  listen(): void {
    const { main, over, api } = this;
    const overviewTime = (ev: MouseEvent): number => {
      const r = over.getBoundingClientRect();
      return this.D.from + ((ev.clientX - r.left - LEFT) / (this.OW - LEFT - 8)) * this.full;
    };
    let dragging = false;
    over.addEventListener('mousedown', (ev) => {
      dragging = true;
      this.centerAt(overviewTime(ev));
    });
    window.addEventListener('mousemove', (ev) => {
      if (dragging) this.centerAt(overviewTime(ev));
    });
    window.addEventListener('mouseup', () => {
      dragging = false;
    });
    main.addEventListener(
      'wheel',
      (ev) => {
        if (!ev.ctrlKey && !ev.shiftKey && Math.abs(ev.deltaX) <= Math.abs(ev.deltaY) && !ev.altKey) {
          ev.preventDefault();
          const r = main.getBoundingClientRect();
          const at = this.t0 + ((ev.clientX - r.left - LEFT) / (this.W - LEFT - 8)) * (this.t1 - this.t0);
          this.zoom(ev.deltaY > 0 ? 1.25 : 0.8, at);
        }
      },
      { passive: false },
    );
    main.addEventListener('mousemove', (ev) => {
      const i = this.find(ev);
      if (i < 0) api.hideTip();
      else api.showTip(ev, this.tipLines(i));
    });
    main.addEventListener('mouseleave', () => api.hideTip());
    this.listenToButtons();
  }

  private listenToButtons(): void {
    const step = (dir: number) => () => {
      const move = (this.t1 - this.t0) * 0.8 * dir;
      this.show(this.t0 + move, this.t1 + move);
    };
    const buttons: Record<string, () => void> = {
      'tl-left': step(-1),
      'tl-right': step(1),
      'tl-in': () => this.zoom(0.5),
      'tl-out': () => this.zoom(2),
      'tl-all': () => this.show(this.D.from, this.D.to),
    };
    for (const [id, action] of Object.entries(buttons)) byId(id)?.addEventListener('click', action);
    const keys: Record<string, () => void> = {
      ArrowLeft: buttons['tl-left'],
      ArrowRight: buttons['tl-right'],
      '+': buttons['tl-in'],
      '=': buttons['tl-in'],
      '-': buttons['tl-out'],
    };
    this.main.tabIndex = 0;
    this.main.addEventListener('keydown', (ev) => {
      if (!Object.hasOwn(keys, ev.key)) return;
      keys[ev.key]();
      ev.preventDefault();
    });
  }
}
