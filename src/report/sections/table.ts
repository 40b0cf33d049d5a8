import { esc } from '../escape.js';

/** Small pieces the lock and queue sections share: counts with notes, and a capped list of findings. */

export function num(n: number): string {
  return n.toLocaleString('en');
}

/** A table of counts: one row per [label, count, note]. */
export function countsTable(
  caption: string,
  rows: readonly [label: string, count: number, note?: string][],
): string {
  const body = rows
    .map(
      ([label, count, note]) =>
        `<tr><th scope="row">${esc(label)}</th><td>${num(count)}</td><td class="note">${esc(note ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<table class="stats"><caption>${esc(caption)}</caption><tbody>\n${body}\n</tbody></table>`;
}

/** Findings told in words, as a list that opens by itself when short; `total` counts those not shown. */
export function storyList(summary: string, stories: readonly string[], total: number): string {
  if (stories.length === 0) return '';
  const more = total > stories.length ? `<p class="note">… and ${num(total - stories.length)} more.</p>` : '';
  return `<details${total <= 5 ? ' open' : ''}><summary>${esc(summary)}</summary><ol>${stories
    .map((story) => `<li>${esc(story)}</li>`)
    .join('')}</ol>${more}</details>`;
}
