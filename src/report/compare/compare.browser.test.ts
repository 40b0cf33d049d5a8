import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { perf } from '../../checker/perf.js';
import { readHistory } from '../../history/reader.js';
import type { HistoryEvent } from '../../history/types.js';
import { MATRIX_PRESETS } from '../../matrix/plan.js';
import { canvasDrawn, launchChromium, openOffline } from '../../testing/browser.js';
import { presetPage } from '../../testing/recorded-presets.js';
import { writeComparePage } from './writer.js';

const ARTIFACTS = resolve('reports/test-artifacts');
const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_SCRIPT = '</script><script>window.__pwned=2</script>';

interface PageGlobals {
  dscheckCompare?: { plots: unknown[]; data: { plots: { id: string }[] } };
  __pwned?: number;
}

/**
 * A run folder as `dscheck run` leaves it: 10 s of writes and reads on two nodes, a partition from
 * 3 s to 6 s. `refuseN2` makes node n2's writes fail during the partition (a CP store's minority).
 */
async function runFolder(
  root: string,
  name: string,
  options: { refuseN2: boolean; stale: boolean },
): Promise<string> {
  const dir = join(root, name, '2026-01-01T00-00-00Z');
  mkdirSync(dir, { recursive: true });
  const events: HistoryEvent[] = [];
  const ms = 1e6;
  let value = 0;
  for (let t = 0; t < 10_000; t += 20) {
    if (t === 3000)
      events.push({
        process: 'nemesis',
        type: 'info',
        f: 'start-partition',
        value: { n1: ['n2'], n2: ['n1'] },
        time: t * ms,
      });
    if (t === 6000)
      events.push({ process: 'nemesis', type: 'info', f: 'stop-partition', value: null, time: t * ms });
    for (const [process, node] of [
      [0, 'n1'],
      [1, 'n2'],
    ] as const) {
      const refused = options.refuseN2 && node === 'n2' && t >= 3000 && t < 6000;
      const f = t % 40 === 0 ? 'write' : 'read';
      const v = f === 'write' ? ++value : value;
      events.push({
        process,
        type: 'invoke',
        f,
        key: 'k',
        value: f === 'write' ? v : null,
        time: (t + process) * ms,
        node,
      });
      events.push({
        process,
        type: refused && f === 'write' ? 'fail' : 'ok',
        f,
        key: 'k',
        value: v,
        time: (t + process + 2) * ms,
        node,
        ...(refused && f === 'write' ? { error: 'unavailable' } : {}),
      });
    }
  }
  writeFileSync(join(dir, 'history.ndjson'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const history = await readHistory(join(dir, 'history.ndjson'));
  const stale = options.stale
    ? {
        valid: false,
        reads: 250,
        staleReads: 78,
        share: 0.312,
        stalenessMs: { p50: 400, p90: 1500, p99: 2000, max: 2100 },
      }
    : { valid: true, reads: 250, staleReads: 0, share: 0, stalenessMs: null };
  const results = {
    valid: stale.valid,
    interrupted: false,
    nemesisErrors: [],
    checkers: {
      linearizable: { valid: true, keys: 1, failures: [] },
      'stale-reads': stale,
      perf: perf(history),
    },
  };
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
  const test = {
    name,
    seed: 42,
    command: `dscheck run --name '${HOSTILE_SCRIPT}' --seed 42`,
    options: { store: 'redis', nemesis: ['partition'], partition: 'halves', timeLimitS: 10 },
    store: { name: HOSTILE, topology: 'replicated', readFrom: 'primary' },
    workload: { name: 'register' },
  };
  writeFileSync(join(dir, 'test.json'), JSON.stringify(test));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>run</title>');
  return dir;
}

let browser: Browser;
let page: Page;
let problems: string[] = [];
let html: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const root = mkdtempSync(join(tmpdir(), 'dscheck-compare-'));
  const ap = await runFolder(root, 'ap-run', { refuseN2: false, stale: true });
  const cp = await runFolder(root, 'cp-run', { refuseN2: true, stale: false });
  const { path } = await writeComparePage(
    [
      { dir: ap, label: `available ${HOSTILE}` },
      { dir: cp, label: 'consistent' },
    ],
    join(ARTIFACTS, 'compare.html'),
    { title: `A test ${HOSTILE_SCRIPT}`, explanation: `Why ${HOSTILE}`, lookFor: 'Stale reads.' },
  );
  html = readFileSync(path, 'utf8');
  browser = await launchChromium();
  const opened = await openOffline(browser, path);
  page = opened.page;
  problems = opened.problems;
  await page.waitForFunction(allPlotsDrawn);
});

/** Whether the page drew every plot its data has. */
function allPlotsDrawn(): boolean {
  const compare = (globalThis as unknown as PageGlobals).dscheckCompare;
  return (
    compare !== undefined && compare.plots.length > 0 && compare.plots.length === compare.data.plots.length
  );
}

afterAll(async () => {
  await browser?.close();
});

describe('the comparison page', () => {
  it('loads offline with no console errors and draws both plots', async () => {
    expect(problems).toEqual([]);
    for (const plot of ['#plot-availability', '#plot-throughput']) {
      expect(await canvasDrawn(page, `${plot} canvas`)).toBe(true);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'compare.png'), fullPage: true });
  });

  it('has a row per run with its numbers, seed and a link to its report', async () => {
    const rows = page.locator('table.compare tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    const first = (await rows.nth(0).textContent()) ?? '';
    expect(first).toContain('replicated');
    expect(first).toContain('42');
    expect(first).toContain('31%, 2.1 s');
    expect(await rows.nth(0).locator('a').getAttribute('href')).toMatch(
      /ap-run\/2026-01-01T00-00-00Z\/index\.html$/,
    );
    await expect(rows.nth(1).locator('td.verdict').textContent()).resolves.toBe('valid');
  });

  it('reads each run in CAP and PACELC terms', async () => {
    const readings = page.locator('#readings li');
    await expect(readings.nth(0).textContent()).resolves.toMatch(
      /chose availability: answered 100% during the partition, 31% of reads stale by up to 2\.1 s/,
    );
    await expect(readings.nth(1).textContent()).resolves.toMatch(
      /chose consistency: clients of n2 had 100% of writes refused or timed out during the partition while n1 kept accepting them/,
    );
    await expect(readings.nth(1).textContent()).resolves.toMatch(
      /else \(healthy periods\): p50 2\.0 ms, p99 2\.0 ms/,
    );
    await expect(page.locator('.look-for').textContent()).resolves.toContain('Stale reads.');
  });

  it('shows hostile values as text and runs none of them', async () => {
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('</script><script>window');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned)).toBeUndefined();
    expect(await page.locator('main img').count()).toBe(0);
    await expect(page.locator('h1').textContent()).resolves.toContain(HOSTILE_SCRIPT);
    await expect(page.locator('table.compare tbody tr').nth(0).textContent()).resolves.toContain(HOSTILE);
    await expect(page.locator('#cmd-0').textContent()).resolves.toContain(HOSTILE_SCRIPT);
    expect(problems).toEqual([]);
  });
});

/** Whether the run table fits its box: nothing hidden to the right of the page or of its scroll box. */
function tableFits(p: Page): Promise<boolean> {
  return p.$eval('#runs .scroll', (box) => {
    const table = box.querySelector('table');
    const viewport = (globalThis as unknown as { innerWidth: number }).innerWidth;
    return (
      table !== null &&
      box.scrollWidth <= box.clientWidth + 1 &&
      table.getBoundingClientRect().right <= viewport
    );
  });
}

describe('the comparison table at 1280 px', () => {
  it('fits the page on the CAP comparison', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await tableFits(page)).toBe(true);
  });

  it('fits, draws the hit ratio and database load, and reads in cache terms on the cold-cache page of recorded runs', async () => {
    const fixtures = join(import.meta.dirname, 'fixtures', 'cold-cache');
    const { path } = await writeComparePage(
      ['modulo', 'modulo-jitter', 'consistent', 'consistent-jitter'].map((v) => ({
        dir: join(fixtures, v),
        label: v,
      })),
      join(ARTIFACTS, 'compare-cold-cache.html'),
      { title: 'A cold cache', lookFor: 'The spike and the recovery.' },
    );
    const opened = await openOffline(browser, path);
    await opened.page.setViewportSize({ width: 1280, height: 900 });
    await opened.page.waitForFunction(
      () => ((globalThis as unknown as PageGlobals).dscheckCompare?.plots.length ?? 0) === 2,
    );
    expect(opened.problems).toEqual([]);
    for (const plot of ['#plot-hit-ratio', '#plot-db-load']) {
      expect(await canvasDrawn(opened.page, `${plot} canvas`)).toBe(true);
    }
    expect(await tableFits(opened.page)).toBe(true);
    await expect(opened.page.locator('#readings h2').textContent()).resolves.toBe('What the cache did');
    await expect(opened.page.locator('.closing').textContent()).resolves.toContain(
      'kept 73% of the cache warm',
    );
    await opened.page.close();
  });
});

/** The readings' heading of each preset's lesson. */
const LESSON_HEADINGS: Record<(typeof MATRIX_PRESETS)[number], string> = {
  'cap-cassandra': 'In CAP and PACELC terms',
  'replication-mysql': 'In CAP and PACELC terms',
  'redis-failover': 'In CAP and PACELC terms',
  'cold-cache': 'What the cache did',
  'lock-redis': 'What the lock let its holders do',
  'queue-redis': 'What became of the messages',
  'isolation-mariadb': "The transactions' anomalies",
  'clock-mysql': 'What the lock let its holders do',
  'clock-cassandra': 'In CAP and PACELC terms',
};

describe("every preset's page, on its recorded runs, at 1280 px", () => {
  it.each(MATRIX_PRESETS)(
    '%s: no console error, the table fits, a reading per run and a closing sentence',
    async (name) => {
      const { path, runs } = await presetPage(name, join(ARTIFACTS, `compare-preset-${name}.html`));
      const opened = await openOffline(browser, path);
      await opened.page.setViewportSize({ width: 1280, height: 900 });
      await opened.page.waitForFunction(allPlotsDrawn);
      expect(opened.problems).toEqual([]);
      expect(await tableFits(opened.page)).toBe(true);
      // A CAP page whose runs judged stale reads plots them over time, beside availability.
      const staleJudged = runs.some((r) => r.staleSeries !== undefined);
      await expect(opened.page.locator('#plot-stale-reads canvas').count()).resolves.toBe(
        staleJudged ? 1 : 0,
      );
      if (staleJudged) expect(await canvasDrawn(opened.page, '#plot-stale-reads canvas')).toBe(true);
      await expect(opened.page.locator('#readings h2').textContent()).resolves.toBe(LESSON_HEADINGS[name]);
      await expect(opened.page.locator('#readings li.reading').count()).resolves.toBe(runs.length);
      await expect(opened.page.locator('.closing').textContent()).resolves.not.toBe('');
      // No cell of a lesson's own columns is left without a measurement.
      const cells = await opened.page.locator('table.compare tbody td').allTextContents();
      expect(cells.filter((c) => c === '-').length).toBeLessThan(cells.length / 4);
      await opened.page.screenshot({ path: join(ARTIFACTS, `compare-preset-${name}.png`), fullPage: true });
      await opened.page.close();
    },
  );
});
