/** The stale-reads section's plots: reads and stale reads per second, and the stalest read of each second. */
import type { StaleReadsPlot } from '../../sections/stale-reads.js';
import type { SectionDraw } from '../api.js';
import { dots, steppedLine } from '../common.js';

export const draw: SectionDraw<StaleReadsPlot> = (_root, data, dscheck) => {
  if (!('reads' in data)) return;
  dscheck.plot(
    'plot-stale-reads',
    [steppedLine('reads', '#8c959f'), steppedLine('stale reads', dscheck.colors.fail)],
    [data.x, data.reads, data.stale],
    { label: 'reads per second', size: 70 },
  );
  dscheck.plot(
    'plot-staleness',
    [dots('stalest read (ms)', dscheck.colors.fail, 6)],
    [data.x.map((s) => s + 0.5), data.maxMs],
    { label: 'staleness (ms)', size: 70 },
  );
};
