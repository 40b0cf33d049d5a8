import type { ErrorVerdict } from './types.js';

/**
 * What the stores' error tables share, after Jepsen's remap-errors: an error leaves an operation
 * `info` (it may have taken effect) unless a rule knows it is definite; an operation that only
 * reads has no effect to leave behind, so its error is always `fail`.
 */

/** Operations that only read. */
export const READ_OPERATIONS: ReadonlySet<string> = new Set(['read', 'get', 'read-all']);

/** One row of a store's table: the first rule that matches an error decides. */
export interface ErrorRule<E> {
  reason: string;
  /** True when the request surely did not take effect. */
  definite: boolean;
  matches: (error: E) => boolean;
}

export function classifyByRules<E>(
  rules: readonly ErrorRule<E>[],
  error: E,
  f: string,
  unknownReason: (error: E) => string,
): ErrorVerdict {
  const rule = rules.find((r) => r.matches(error));
  const reason = rule?.reason ?? unknownReason(error);
  const definite = READ_OPERATIONS.has(f) || (rule?.definite ?? false);
  return { type: definite ? 'fail' : 'info', error: reason };
}
