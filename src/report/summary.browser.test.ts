import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeRun } from '../checker/analyze.js';
import { linearizableChecker } from '../checker/linearizable.js';
import { typedResult } from '../checker/types.js';
import { readHistory } from '../history/reader.js';
import { canvasDrawn, launchChromium, openOffline } from '../testing/browser.js';
import { RECORDED, recordedChecks } from '../testing/recorded.js';
import { ExtentTally } from './data.js';
import { anomalyMoments, PageTally } from './digest.js';
import { faultSpans } from './faults.js';
import { renderReport } from './page.js';
import { CounterexampleTally } from './sections/linearizable.js';
import { loadAssets } from './writer.js';

let browser: Browser;
const work = mkdtempSync(join(tmpdir(), 'dscheck-summary-'));

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the page of a history too long to show whole', () => {
  it('opens offline, draws its timeline from the kept operations and its strip from all, and says so', async () => {
    const file = join(RECORDED, 'history.ndjson');
    const history = await readHistory(file);
    const { checkers } = await analyzeRun(file, recordedChecks(), {
      checkTimeoutMs: 60_000,
      interrupted: false,
      nemesisErrors: [],
      faultDelays: {},
    });
    const extent = new ExtentTally();
    for (const op of history.operations) extent.add(op);
    const span = extent.finish(history);
    // A budget far below the history's length, as a run of millions of operations gets.
    const tally = new PageTally({
      extent: span,
      spans: faultSpans(history.nemesis, span.end),
      operations: history.operations.length,
      moments: anomalyMoments(checkers).map((s) => s * 1e9),
      budget: 500,
    });
    const counterexamples = new CounterexampleTally(
      typedResult(linearizableChecker, checkers[linearizableChecker.name]),
    );
    for (const op of history.operations) {
      tally.add(op);
      counterexamples.add(op);
    }
    const digest = tally.finish();
    const html = renderReport(
      {
        meta: { title: 'summarised', nemeses: ['partition'], command: 'dscheck run' },
        history: { ...history, operations: [], digest, keyOperations: counterexamples.finish() },
        checkers,
      },
      await loadAssets(),
    );
    const path = join(work, 'summarised.html');
    writeFileSync(path, html);
    const { page, problems } = await openOffline(browser, path);
    await page.waitForFunction(() => (globalThis as { dscheck?: { timeline: unknown } }).dscheck?.timeline);
    expect(problems).toEqual([]);
    await expect(page.locator('header .summary').textContent()).resolves.toContain(
      `holds ${history.operations.length.toLocaleString('en')} operations, too many for one page`,
    );
    expect(await canvasDrawn(page, '#timeline-main')).toBe(true);
    expect(await canvasDrawn(page, '#timeline-overview')).toBe(true);
    expect(await canvasDrawn(page, '#plot-latency canvas')).toBe(true);
  });
});
