/** The cold-cache section's four plots: hit ratio, database load, latency, errors. */
import type UPlot from 'uplot';
import type { ColdCachePlot } from '../../sections/cold-cache.js';
import type { SectionDraw } from '../api.js';
import { steppedLine } from '../common.js';

export const draw: SectionDraw<ColdCachePlot> = (_root, data, dscheck) => {
  if (!('hit' in data)) return;
  const { colors } = dscheck;
  dscheck.plot('plot-cold-cache-0', [steppedLine('hit ratio', colors.ok)], [data.x, data.hit], {
    label: 'hit ratio',
    size: 60,
  });
  const dbSeries = [
    steppedLine('database queries/s', colors.fail),
    steppedLine('in flight (mean)', '#8c959f'),
  ];
  const dbData: UPlot.AlignedData = [data.x, data.db, data.inFlight];
  const { capacity } = data;
  if (capacity !== null) {
    dbSeries.push(steppedLine('capacity', '#0969da'));
    dbData.push(data.x.map(() => capacity));
  }
  dscheck.plot('plot-cold-cache-1', dbSeries, dbData, { label: 'queries', size: 60 });
  dscheck.plot(
    'plot-cold-cache-2',
    [steppedLine('p50', '#8c959f'), steppedLine('p99', colors.fail)],
    [data.x, data.p50, data.p99],
    { label: 'ms', size: 60 },
  );
  dscheck.plot(
    'plot-cold-cache-3',
    [steppedLine('errors', colors.fail), steppedLine('timeouts', colors.info)],
    [data.x, data.errors, data.timeouts],
    { label: 'per second', size: 60 },
  );
};
