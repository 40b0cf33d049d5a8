import type { CheckerResult } from '../../checker/types.js';
import { esc } from '../escape.js';
import type { ReportContext, ReportSection } from './types.js';

/** The section of a checker that has no section of its own: its verdict and its raw result. */
export function genericSection(name: string): ReportSection {
  return {
    id: `checker-${name.replace(/[^a-zA-Z0-9-]/g, '-')}`,
    title: name,
    render({ result }: ReportContext<CheckerResult>): string {
      return `<p>Verdict: <strong>${esc(validityWords(result.valid))}</strong></p>
<details><summary>Everything the checker reported</summary><pre>${esc(JSON.stringify(result, null, 2))}</pre></details>`;
    },
  };
}

export function validityWords(valid: unknown): string {
  return valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown';
}
