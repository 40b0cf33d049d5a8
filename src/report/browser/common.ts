/** Pieces both pages' scripts share: the font, axis style, plot width and the copy buttons. */
import type UPlot from 'uplot';

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

const AXIS_STYLE: UPlot.Axis = {
  font: `13px ${FONT}`,
  labelFont: `14px ${FONT}`,
  stroke: '#30363d',
  grid: { stroke: '#e6e8eb' },
  ticks: { stroke: '#c9ced4' },
};

/** An axis in the pages' style, with its own label and size. */
export function axis(extra: UPlot.Axis): UPlot.Axis {
  return { ...AXIS_STYLE, ...extra };
}

/** A plot fills its container, but never narrower than it can be read. */
export function plotWidth(host: Element): number {
  return Math.max(320, host.clientWidth);
}

/** The element with this id; a page without it is a bug in the page, not the data. */
export function byId<E extends HTMLElement = HTMLElement>(id: string): E | null {
  return document.getElementById(id) as E | null;
}

/** A click on `button` copies the text of the element `target` and says so. */
export function copyOnClick(button: HTMLElement, target: () => HTMLElement | null): void {
  if (!navigator.clipboard) return;
  button.addEventListener('click', () => {
    const code = target();
    if (!code) return;
    navigator.clipboard.writeText(code.textContent ?? '').then(
      () => {
        button.textContent = 'copied';
      },
      () => {},
    );
  });
}

/**
 * Zooming one plot zooms the others of the list to the same x range, then tells `also`; the
 * guard stops the other plots' own zoom hooks from echoing back.
 */
export function zoomTogether(
  plots: readonly UPlot[],
  also: (min: number, max: number) => void = () => {},
): (source: UPlot) => void {
  let syncing = false;
  return (source) => {
    const { min, max } = source.scales.x;
    if (syncing || min === undefined || max === undefined) return;
    syncing = true;
    for (const p of plots) if (p !== source) p.setScale('x', { min, max });
    also(min, max);
    syncing = false;
  };
}

/** A line that holds each value until the next x: per-second counts read as steps. */
export function steppedLine(label: string, stroke: string): UPlot.Series {
  return { label, stroke, width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } };
}

/** A series drawn as dots only, no line. */
export function dots(label: string, color: string, size: number): UPlot.Series {
  return {
    label,
    stroke: color,
    paths: () => null,
    points: { show: true, size, width: 1, stroke: color, fill: color },
  };
}
