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

/** Long digit runs or large exponents: the only places an inexact number can hide. */
const SUSPECT = /\d{16}|[eE][+-]?\d{3}/;

/** False when `text` certainly holds no inexact number: one cheap test for a whole chunk. */
export function mayHoldInexactNumber(text: string): boolean {
  return SUSPECT.test(text);
}

/** The first number in a JSON text (outside strings) that would not be read exactly. */
export function inexactJsonNumber(text: string): string | undefined {
  if (!SUSPECT.test(text)) return undefined;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip a string, escapes included.
      i++;
      while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
      i++;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      const start = i;
      i++;
      while (i < text.length && /[0-9eE.+-]/.test(text[i])) i++;
      const problem = inexactNumber(text.slice(start, i));
      if (problem) return problem;
    } else i++;
  }
  return undefined;
}
