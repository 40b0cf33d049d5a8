import type { CheckerResult } from '../../checker/types.js';
import { coldCacheSection } from './cold-cache.js';
import { genericSection } from './generic.js';
import { linearizableSection } from './linearizable.js';
import { lostWritesSection } from './lost-writes.js';
import { perfSection } from './perf.js';
import { staleReadsSection } from './stale-reads.js';
import { transactionsSection } from './transactions.js';
import type { ReportSection } from './types.js';

export type { ReportContext, ReportSection } from './types.js';

/**
 * Each checker's section, by the checker's name in results.json. A new checker (stale reads,
 * lost writes, cold cache) adds its section here; checkers without one get the generic section.
 */
const SECTIONS: Readonly<Record<string, ReportSection<never>>> = {
  linearizable: linearizableSection,
  'stale-reads': staleReadsSection,
  'lost-writes': lostWritesSection,
  'cold-cache': coldCacheSection,
  transactions: transactionsSection,
  perf: perfSection,
};

/** Order on the page: the verdict-bearing checkers first, the statistics last. */
const LAST = new Set(['perf']);

export function sectionFor(checker: string): ReportSection<CheckerResult> {
  return (SECTIONS[checker] as ReportSection<CheckerResult> | undefined) ?? genericSection(checker);
}

export function sectionOrder(checkers: readonly string[]): string[] {
  return [...checkers].sort((a, b) => Number(LAST.has(a)) - Number(LAST.has(b)));
}
