import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkColdCache } from '../checker/cold-cache.js';
import { checkLostWrites } from '../checker/lost-writes.js';
import { checkStaleReads } from '../checker/stale-reads.js';
import { OperationCollector } from '../history/operations.js';
import type { HistoryEvent, Json } from '../history/types.js';
import { canvasDrawn, launchChromium, openOffline } from '../testing/browser.js';
import { renderReport } from './page.js';
import { loadAssets } from './writer.js';

const ARTIFACTS = resolve('reports/test-artifacts');
const MS = 1e6;

/**
 * 10 s of a register whose replica n2 lags two writes behind, a set that loses two acknowledged
 * adds, and cache reads that miss while a partition (3 s to 6 s) lasts: enough for every plot of
 * the stale-reads, lost-writes and cold-cache sections.
 */
function events(): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  const op = (process: number, f: string, value: Json, result: Json, atMs: number, extra = {}) => {
    out.push({
      process,
      type: 'invoke',
      f,
      key: f === 'write' || f === 'read' ? 'r' : 's',
      value,
      time: atMs * MS,
    });
    out.push({
      process,
      type: 'ok',
      f,
      key: f === 'write' || f === 'read' ? 'r' : 's',
      value: result,
      time: (atMs + 5) * MS,
      ...extra,
    });
  };
  for (let i = 1; i <= 100; i++) {
    const t = i * 100;
    if (t === 3000)
      out.push({
        process: 'nemesis',
        type: 'info',
        f: 'start-partition',
        value: { n1: ['n2'], n2: ['n1'] },
        time: t * MS,
      });
    if (t === 6000)
      out.push({ process: 'nemesis', type: 'info', f: 'stop-partition', value: null, time: t * MS });
    op(0, 'write', i, i, t, { node: 'n1' });
    op(1, 'read', null, Math.max(0, i - 3), t + 20, {
      node: 'n2',
      hit: t < 3000 || t >= 6000,
      db: t >= 3000 && t < 6000,
      dbMs: 2,
    });
    op(2, 'add', i, i, t + 40);
  }
  const kept = Array.from({ length: 100 }, (_, i) => i + 1).filter((e) => e !== 40 && e !== 41);
  op(3, 'read-all', null, kept, 10_500, { final: true });
  return out;
}

describe('the plotting sections (stale reads, lost writes, cold cache)', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('draw every plot, offline and with no console error', async () => {
    const collector = new OperationCollector('sections');
    for (const [i, e] of events().entries()) collector.add(e, i + 1);
    const history = { operations: collector.operations, nemesis: collector.nemesis, events: 0, warnings: [] };
    const checkers = {
      'stale-reads': checkStaleReads(history),
      'lost-writes': checkLostWrites(history),
      'cold-cache': checkColdCache(history, {
        dbCapacity: 5,
        maxErrorRate: 0.05,
        maxTtlMs: 30_000,
        writePolicy: 'invalidate',
      }),
    };
    expect(checkers['stale-reads'].staleReads).toBeGreaterThan(0);
    expect(checkers['lost-writes'].lost.acknowledged).toBe(2);
    const html = renderReport(
      { meta: { title: 'sections', nemeses: ['partition'], command: 'dscheck report' }, history, checkers },
      await loadAssets(),
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'sections.html');
    writeFileSync(file, html);

    const { page, problems } = await openOffline(browser, file);
    await page.waitForFunction(
      () => (globalThis as unknown as { dscheck?: { timeline: unknown } }).dscheck?.timeline,
    );
    const plots = ['plot-stale-reads', 'plot-staleness', 'plot-lost-writes'];
    for (let i = 0; i < 4; i++) plots.push(`plot-cold-cache-${i}`);
    for (const id of plots) expect(await canvasDrawn(page, `#${id} canvas`), id).toBe(true);
    // Three plots of the page's own, and one per section plot, zoomed together.
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { dscheck: { plots: unknown[] } }).dscheck.plots.length,
      ),
    ).toBe(3 + plots.length);
    await expect(page.locator('.checker .note', { hasText: 'could not be drawn' }).count()).resolves.toBe(0);
    expect(problems).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'sections.png'), fullPage: true });
    await page.close();
  });
});
