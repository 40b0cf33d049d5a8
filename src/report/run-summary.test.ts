import { describe, expect, it } from 'vitest';
import { renderRunReport } from './run-summary.js';

describe('renderRunReport', () => {
  it('escapes every value that comes from the history or the user', () => {
    const html = renderRunReport({
      test: { name: 'redis-<b>', seed: 1, command: "dscheck run --name '<script>'" },
      results: {
        valid: false,
        checkers: { linearizable: { valid: false, explanation: '<img src=x onerror=alert(1)>' } },
        stats: { ops: 1 },
      },
      summary: ['read of "<svg/onload=x>" cannot be linearized'],
    });
    expect(html).not.toMatch(/<script>|<img|<svg|<b>/);
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('INVALID');
  });
});
