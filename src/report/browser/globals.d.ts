/** The globals the pages' scripts share: uPlot, inlined first, and what the runtimes expose. */
import type UPlot from 'uplot';
import type { ComparePageData } from '../compare/page.js';
import type { DscheckApi } from './api.js';

declare global {
  const uPlot: typeof UPlot;
  interface Window {
    /** The report page's helpers, for its section scripts and the tests. */
    dscheck: DscheckApi;
    /** The comparison page's data and plots, for the tests. */
    dscheckCompare: { data: ComparePageData; plots: UPlot[] };
  }
}
