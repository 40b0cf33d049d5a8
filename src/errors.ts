/**
 * Typed errors turned into exit codes in one place (src/main.ts); nothing else calls process.exit.
 * Exit codes follow Jepsen: 0 valid, 1 invalid, 2 unknown, 254 bad usage or input, 255 crash.
 */

export const EXIT = { valid: 0, invalid: 1, unknown: 2, usage: 254, crash: 255 } as const;

/** Bad usage or bad input: the message names the problem and, where there are any, the valid choices. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A command that finished and wants a specific exit code (e.g. a verdict). */
export class ExitError extends Error {
  override name = 'ExitError';
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}

/** Checks that `value` is one of `choices`; otherwise a UsageError naming them. */
export function oneOf<T extends string>(option: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`unknown ${option} '${value}'; valid choices: ${choices.join(', ')}`);
}
