import { CHECKERS } from '../../checkers.js';
import { genericSection } from './generic.js';
import type { ReportSection } from './types.js';

export type { ReportContext, ReportSection } from './types.js';

/** Each checker's section from the table; a result of a checker it does not know gets the generic one. */
export function sectionFor(checker: string): ReportSection {
  return CHECKERS.find((c) => c.name === checker)?.section ?? genericSection(checker);
}

/** Order on the page: the table's (verdict-bearing checkers first, the statistics last), then unknown ones. */
export function sectionOrder(checkers: readonly string[]): string[] {
  const rank = (name: string): number => {
    const i = CHECKERS.findIndex((c) => c.name === name);
    return i < 0 ? CHECKERS.length : i;
  };
  return [...checkers].sort((a, b) => rank(a) - rank(b));
}
