/**
 * What the report page's runtime (page.ts) offers the section scripts as `window.dscheck`.
 * Types only: each script is bundled on its own and finds the others through the page.
 */
import type UPlot from 'uplot';
import type { Outcome } from '../../history/types.js';
import type { PageData } from '../data.js';

/** Where a tooltip goes: a mouse event, or the centre of a focused element. */
export type Pointer = Pick<MouseEvent, 'clientX' | 'clientY'>;

/** A tooltip line: plain text, or text with a class (tip-head, tip-bad, tip-ok ...). */
export type TipLine = string | { text: string; cls?: string };

export interface TimelineHandle {
  /** Moves the timeline's window to [from, to] (x units). */
  show(from: number, to: number): void;
  resize(): void;
  window(): [number, number];
}

export interface DscheckApi {
  data: PageData;
  colors: Record<Outcome, string>;
  faultFill(kind: string): string;
  fmtX(x: number): string;
  fmtDuration(d: number): string;
  showTip(ev: Pointer, lines: readonly TipLine[]): void;
  moveTip(ev: Pointer): void;
  hideTip(): void;
  plots: UPlot[];
  timeline: TimelineHandle | null;
  /** A time plot like the page's own (fault shading, shared zoom) in the element `id`, if there is one. */
  plot(
    id: string,
    series: UPlot.Series[],
    data: UPlot.AlignedData,
    yAxis: UPlot.Axis,
    yScale?: UPlot.Scale,
  ): UPlot | undefined;
  /** Runs a section's script on its element and data; a failure is shown in the section. */
  section<D>(id: string, draw: SectionDraw<D>): void;
}

/**
 * A section's browser code: `export function draw` of a module in sections/, run once the page
 * has loaded, with the section's element, what its `data()` returned and the page's helpers.
 * It sets text with textContent, never innerHTML.
 */
export type SectionDraw<D> = (root: HTMLElement, data: D, dscheck: DscheckApi) => void;
