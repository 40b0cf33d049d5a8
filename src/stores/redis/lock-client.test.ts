import { describe, expect, it } from 'vitest';
import { majority, redlockDrift, redlockValidity } from './lock-client.js';

describe('redlock arithmetic', () => {
  it('allows 1% of the lease plus 2 ms for clock drift, and subtracts the time taking it took', () => {
    expect(redlockDrift(10_000)).toBe(102);
    expect(redlockValidity(10_000, 50)).toBe(10_000 - 50 - 102);
    expect(redlockValidity(100, 99)).toBeLessThan(0);
  });

  it('needs a strict majority', () => {
    expect([1, 2, 3, 4, 5].map(majority)).toEqual([1, 2, 2, 3, 3]);
  });
});
