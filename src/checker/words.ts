/** Numbers in few words, shared by the checkers' summaries, the comparison page's cells and the terminal. */

/** A share as a percentage that never rounds up to 100% or down to 0%. */
export function percent(share: number): string {
  const p = share * 100;
  if (p === 0 || p === 100) return `${p}%`;
  // Never round up to 100% or down to 0%: "answered 100%" must mean every operation.
  if (p > 99) return `${(Math.floor(p * 10) / 10).toFixed(1)}%`;
  if (p < 1) return `${Math.max(0.1, Math.round(p * 10) / 10).toFixed(1)}%`;
  return `${Math.round(p)}%`;
}

/** Milliseconds, in s above a second. */
export function duration(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(ms >= 1 ? 1 : 2)} ms`;
}

/** "1.2 GB", "340 MB", "12 kB": decimal units, two or three significant digits. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const shown = unit === 0 || value >= 100 ? Math.round(value) : Number(value.toPrecision(2));
  return `${shown.toLocaleString('en')} ${units[unit]}`;
}
