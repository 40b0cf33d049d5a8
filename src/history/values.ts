import type { Json } from './types.js';

/**
 * Equality and hashing of JSON values as values, not as text: `{"a":1,"b":2}` equals
 * `{"b":2,"a":1}`. The reader refuses numbers a double cannot hold exactly, so comparing numbers
 * as doubles is exact here.
 */

/** Deep equality of JSON values; object key order is irrelevant. */
export function sameValue(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (!Object.hasOwn(b, k) || !sameValue(a[k], b[k])) return false;
  return true;
}

/** JSON text with object keys sorted: equal values give equal text. */
export function canonicalJson(value: Json | undefined): string {
  if (value === undefined) return 'undefined';
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/** FNV-1a over a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 32-bit hash that agrees with `sameValue`. */
export function hashValue(value: Json | undefined): number {
  if (typeof value === 'number' && Number.isInteger(value)) return Math.imul(value | 0, 0x9e3779b1) >>> 0;
  if (typeof value === 'string') return hashString(value);
  return hashString(canonicalJson(value));
}
