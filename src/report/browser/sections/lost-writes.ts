/** The lost-writes section's plot: adds per second, acknowledged, lost, recovered and missed. */
import type { LostWritesPlot } from '../../sections/lost-writes.js';
import type { SectionDraw } from '../api.js';
import { steppedLine } from '../common.js';

export const draw: SectionDraw<LostWritesPlot> = (_root, data, dscheck) => {
  if (!('acked' in data)) return;
  dscheck.plot(
    'plot-lost-writes',
    [
      steppedLine('acknowledged', dscheck.colors.ok),
      steppedLine('lost', dscheck.colors.fail),
      steppedLine('recovered', dscheck.colors.info),
      steppedLine('missed by a stale read', '#CC79A7'),
    ],
    [data.x, data.acked, data.lost, data.recovered, data.stale],
    { label: 'adds per second', size: 70 },
  );
};
