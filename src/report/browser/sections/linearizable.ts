/**
 * The linearizability section's counterexamples as SVG: a lane per process, each operation a box
 * from invocation to completion, the longest linearizable prefix joined through its points, and
 * the operation that cannot be linearized marked. Hovering a box or a table row highlights both.
 */
import type { Counterexample, CounterexampleOp, LinearizableDrawing } from '../../sections/linearizable.js';
import type { DscheckApi, SectionDraw, TipLine } from '../api.js';

const NS = 'http://www.w3.org/2000/svg';
const LANE = 40;
const TOP = 34;
const LEFT = 64;

function el(name: string, attrs: Record<string, string | number>, parent?: Element): SVGElement {
  const e = document.createElementNS(NS, name);
  for (const [a, v] of Object.entries(attrs)) e.setAttribute(a, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

export const draw: SectionDraw<LinearizableDrawing> = (root, data, dscheck) => {
  (data.failures || []).forEach((cx, n) => {
    const host = root.querySelector(`[data-cx="${n}"]`);
    if (host) drawCounterexample(root, host, cx, dscheck);
  });
};

/** Where things go: rank -> x, lane -> y. */
interface Layout {
  unit: number;
  width: number;
  height: number;
  X(rank: number): number;
}

function drawCounterexample(root: Element, host: Element, cx: Counterexample, dscheck: DscheckApi): void {
  // Fit the container when that leaves room for the boxes; scroll sideways otherwise.
  const unit = Math.max(10, Math.min(34, (host.clientWidth - LEFT - 4) / (cx.ranks + 1)));
  const width = LEFT + (cx.ranks + 1) * unit;
  const height = TOP + cx.processes.length * LANE + 8;
  const layout: Layout = { unit, width, height, X: (rank) => LEFT + rank * unit };
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'cx-svg' }, host);
  drawLanes(svg, cx, layout);
  const rows = root.querySelectorAll('tr[data-op]');
  const byOp = new Map<number, SVGElement>();
  const highlight = (i: number | string, on: boolean): void => {
    byOp.get(Number(i))?.classList.toggle('hot', on);
    rows.forEach((r) => {
      if (r.getAttribute('data-op') === String(i)) r.classList.toggle('hot', on);
    });
  };
  for (const o of cx.ops) byOp.set(o.i, drawOperation(svg, cx, o, layout, dscheck, highlight));
  drawLinearization(svg, cx, layout);
  rows.forEach((r) => {
    const i = r.getAttribute('data-op') ?? '';
    r.addEventListener('mouseenter', () => highlight(i, true));
    r.addEventListener('mouseleave', () => highlight(i, false));
  });
}

function drawLanes(svg: SVGElement, cx: Counterexample, { width }: Layout): void {
  cx.processes.forEach((p, lane) => {
    const y = TOP + lane * LANE;
    el('line', { x1: LEFT, x2: width, y1: y + LANE / 2, y2: y + LANE / 2, class: 'cx-lane' }, svg);
    el('text', { x: 8, y: y + LANE / 2 + 5, class: 'cx-label' }, svg).textContent = `p${p}`;
  });
  el('text', { x: 8, y: 20, class: 'cx-label' }, svg).textContent = 'state';
}

/** One operation's box, its label and its tooltip; returns the box's group. */
function drawOperation(
  svg: SVGElement,
  cx: Counterexample,
  o: CounterexampleOp,
  { unit, X }: Layout,
  dscheck: DscheckApi,
  highlight: (i: number, on: boolean) => void,
): SVGElement {
  const y = TOP + o.lane * LANE + 7;
  const x0 = X(o.c);
  const x1 = o.r === null ? X(cx.ranks) + unit * 0.8 : X(o.r);
  const cls = `cx-op${o.blocked ? ' blocked' : o.step >= 0 ? ' lin' : ' other'}${o.r === null ? ' pend' : ''}`;
  const g = el('g', { class: cls, 'data-op': o.i, tabindex: 0 }, svg);
  el('rect', { x: x0, y, width: Math.max(4, x1 - x0), height: LANE - 14, rx: 4 }, g);
  const room = Math.floor((x1 - x0 - 8) / 7.2);
  el('text', { x: x0 + 5, y: y + 16 }, g).textContent =
    room >= o.text.length ? o.text : room > 2 ? `${o.text.slice(0, room - 1)}…` : '';
  if (o.blocked) {
    el('text', { x: x0 - 6, y: y + 16, 'text-anchor': 'end', class: 'cx-blocked-label' }, svg).textContent =
      '✗ cannot be linearized';
  }
  const enter = (ev: Pick<MouseEvent, 'clientX' | 'clientY'>): void => {
    highlight(o.i, true);
    dscheck.showTip(ev, tipLines(cx, o));
  };
  const leave = (): void => {
    highlight(o.i, false);
    dscheck.hideTip();
  };
  g.addEventListener('mouseenter', enter);
  g.addEventListener('mousemove', (ev) => dscheck.moveTip(ev));
  g.addEventListener('mouseleave', leave);
  g.addEventListener('focus', () => {
    const b = g.getBoundingClientRect();
    enter({ clientX: b.left + b.width / 2, clientY: b.bottom });
  });
  g.addEventListener('blur', leave);
  return g;
}

function tipLines(cx: Counterexample, o: CounterexampleOp): TipLine[] {
  const out: TipLine[] = [{ text: `p${o.process} · ${o.text}`, cls: 'tip-head' }];
  if (o.blocked) {
    out.push({ text: 'cannot be linearized', cls: 'tip-bad' });
    out.push(`state when it completes: ${cx.finalState}`);
    out.push('no order of the operations before its completion explains its result');
  } else if (o.step >= 0) {
    out.push(`linearized as step ${o.step + 1}`);
    out.push(`state before: ${o.before}`);
    out.push(`state after: ${o.after}`);
  } else {
    out.push('not in the longest linearizable prefix');
  }
  if (o.r === null) out.push('pending: it may take effect at any time after its invocation');
  return out;
}

/** The prefix's linearization points joined in order, the states they lead to, and the cut. */
function drawLinearization(svg: SVGElement, cx: Counterexample, { height, X }: Layout): void {
  const ordered = cx.ops.filter((o) => o.step >= 0).sort((a, b) => a.step - b.step);
  // On the box's lower edge, clear of its label.
  const pointY = (o: CounterexampleOp): number => TOP + o.lane * LANE + LANE - 7;
  const path = ordered.flatMap((o) => (o.x === undefined ? [] : [`${X(o.x)},${pointY(o)}`]));
  if (path.length > 1) el('polyline', { points: path.join(' '), class: 'cx-path' }, svg);
  let lastStateX = Number.NEGATIVE_INFINITY;
  for (const o of ordered) {
    if (o.x === undefined) continue;
    const x = X(o.x);
    el('circle', { cx: x, cy: pointY(o), r: 4.5, class: 'cx-point' }, svg);
    if (o.after !== undefined && o.after !== o.before && x - lastStateX > 30) {
      el('text', { x, y: 20, class: 'cx-state' }, svg).textContent =
        o.after.length > 8 ? `${o.after.slice(0, 7)}…` : o.after;
      lastStateX = x;
    }
  }
  const blocked = cx.ops.find((o) => o.blocked);
  if (blocked && blocked.r !== null) {
    const bx = X(blocked.r);
    el('line', { x1: bx, x2: bx, y1: 26, y2: height, class: 'cx-cut' }, svg);
  }
}
