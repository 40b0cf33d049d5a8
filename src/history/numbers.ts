/**
 * Numbers a double cannot hold. JSON.parse rounds 9007199254740993 to 9007199254740992 without a
 * word, which would make a write and a read of different values look equal; the readers refuse
 * such numbers instead (exit 254, naming the line).
 */

/** Why the number literal `token` would not be read exactly, or undefined when it would. */
export function inexactNumber(token: string): string | undefined {
  const n = Number(token);
  if (!Number.isFinite(n)) return `the number ${token} is out of range`;
  if (/^[-+]?\d+$/.test(token) && (n > Number.MAX_SAFE_INTEGER || n < -Number.MAX_SAFE_INTEGER)) {
    if (BigInt(token) !== BigInt(n)) {
      return `the integer ${token} cannot be compared exactly (it would round to ${BigInt(n)}); dscheck reads integers up to ±2^53 exactly`;
    }
  }
  return undefined;
}
