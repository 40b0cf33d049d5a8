import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLinearizable } from '../checker/linearizable/index.js';
import { syntheticHistory } from '../generator/synthetic.js';
import { readHistory } from '../history/reader.js';
import type { HistoryEvent } from '../history/types.js';
import { canvasDrawn, launchChromium, openOffline } from '../testing/browser.js';
import { renderReport } from './page.js';
import { loadAssets, writeHistoryReport } from './writer.js';

/** Screenshots and pages stay here for a human to look at (git ignores reports/). */
const ARTIFACTS = resolve('reports/test-artifacts');
const ETCD_000 = resolve('../shared/histories/porcupine/etcd/etcd_000.jsonl');

/** What the tests read in the page; this project compiles without the DOM's types. */
interface PageGlobals {
  dscheck?: { timeline: unknown; plots: unknown[] };
  __pwned?: number;
  document: { getElementById(id: string): { textContent: string | null } | null };
}
let browser: Browser;
let work: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'dscheck-report-'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** Opens a page offline, once its timeline is drawn. */
async function open(file: string): Promise<{ page: Page; problems: string[] }> {
  const opened = await openOffline(browser, file);
  await opened.page.waitForFunction(() => (globalThis as unknown as PageGlobals).dscheck?.timeline);
  return opened;
}

describe("the report of Porcupine's etcd_000 (not linearizable)", () => {
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    const { path } = await writeHistoryReport(ETCD_000, { out: join(ARTIFACTS, 'etcd_000.html') });
    ({ page, problems } = await open(path));
  });

  it('loads offline with no console errors and draws its plots and timeline', async () => {
    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).dscheck?.plots.length)).toBe(3);
    for (const plot of ['#plot-latency', '#plot-throughput', '#plot-availability']) {
      expect(await canvasDrawn(page, `${plot} canvas`)).toBe(true);
    }
    expect(await canvasDrawn(page, '#timeline-main')).toBe(true);
    await expect(page.locator('h1').textContent()).resolves.toContain('Not linearizable');
  });

  it('shows the operation that cannot be linearized, highlighted', async () => {
    const blocked = page.locator('#linearizability .cx-op.blocked');
    await expect(blocked.count()).resolves.toBe(1);
    await expect(blocked.getAttribute('data-op')).resolves.toBe('43');
    await expect(page.locator('#linearizability').textContent()).resolves.toContain('cannot be linearized');
    // Every operation of the prefix has its linearization point.
    await expect(page.locator('#linearizability .cx-point').count()).resolves.toBe(33);
  });

  it('shows the states before and after an operation on hover', async () => {
    await page.hover('#linearizability .cx-op[data-op="2"]');
    const tip = page.locator('#tip');
    await expect(tip.isVisible()).resolves.toBe(true);
    const text = await tip.textContent();
    expect(text).toContain('write 4');
    expect(text).toContain('state before: null');
    expect(text).toContain('state after: 4');
    await page.hover('#linearizability .cx-op[data-op="43"]');
    await expect(tip.textContent()).resolves.toContain('cannot be linearized');
    await page.screenshot({ path: join(ARTIFACTS, 'etcd_000.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('shows an operation of the timeline on hover', async () => {
    const box = await page.locator('#timeline-main').boundingBox();
    if (!box) throw new Error('no timeline');
    // The first lane's first bar starts at the left edge of the plotting area.
    await page.mouse.move(box.x + 104, box.y + 26 + 6);
    await expect(page.locator('#tip').textContent()).resolves.toMatch(/^p\d+ · /);
  });
});

describe('a history full of hostile values', () => {
  it('shows them as text and runs none of them', async () => {
    const payloads = [
      '<img src=x onerror="window.__pwned=1;alert(1)">',
      '</script><script>window.__pwned=2</script>',
      '\u2028<svg onload=alert(3)>\u2029',
    ];
    const key = payloads[0];
    const events: HistoryEvent[] = [
      { process: 0, type: 'invoke', f: 'write', key, value: payloads[1], time: 1_000_000 },
      { process: 0, type: 'ok', f: 'write', key, value: payloads[1], time: 2_000_000, node: payloads[2] },
      { process: 1, type: 'invoke', f: 'write', key, value: payloads[2], time: 3_000_000 },
      { process: 1, type: 'fail', f: 'write', key, value: payloads[2], time: 4_000_000, error: payloads[0] },
      {
        process: 'nemesis',
        type: 'info',
        f: 'start-partition',
        value: { [payloads[0]]: [payloads[1]] },
        time: 4_500_000,
      },
      { process: 2, type: 'invoke', f: 'read', key, value: null, time: 5_000_000 },
      { process: 2, type: 'ok', f: 'read', key, value: payloads[2], time: 6_000_000 },
      { process: 'nemesis', type: 'info', f: 'stop-partition', value: null, time: 7_000_000 },
    ];
    const file = join(work, 'hostile.ndjson');
    writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const { path } = await writeHistoryReport(file, { out: join(ARTIFACTS, 'hostile.html') });
    const html = readFileSync(path, 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<svg onload');
    // U+2028 is harmless in HTML text, but would end a line inside a script.
    for (const [, script] of html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)) {
      expect(script).not.toMatch(/\u2028|\u2029|<img|<svg/);
    }

    const { page, problems } = await open(path);
    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned)).toBeUndefined();
    expect(await page.locator('img, main svg[onload]').count()).toBe(0);
    // The key is shown, as text, where the counterexample names it.
    await expect(page.locator('#linearizability h3').textContent()).resolves.toContain(JSON.stringify(key));
    await page.hover('#linearizability .cx-op.blocked');
    await expect(page.locator('#tip').textContent()).resolves.toContain('<svg onload=alert(3)>');
    await page.close();
  });
});

describe('a 100,000-operation history', () => {
  // Render time is measured by `npm run bench` (src/bench/report.ts), not asserted here.
  it('renders into under 10 MB and stays responsive in the browser', async () => {
    const file = join(work, 'big.ndjson');
    const lines: string[] = [];
    for (const event of syntheticHistory({
      operations: 100_000,
      keys: 20,
      clients: 30,
      pendingWrites: 0.01,
      seed: 1,
    })) {
      lines.push(JSON.stringify(event));
    }
    const nemesis = (f: string, time: number) =>
      JSON.stringify({
        process: 'nemesis',
        type: 'info',
        f,
        value: { n1: ['n3'], n2: ['n3'], n3: ['n1', 'n2'] },
        time,
      });
    lines.splice(40_000, 0, nemesis('start-partition', JSON.parse(lines[40_000]).time));
    lines.splice(90_000, 0, nemesis('stop-partition', JSON.parse(lines[90_000]).time));
    writeFileSync(file, `${lines.join('\n')}\n`);

    const started = performance.now();
    const history = await readHistory(file);
    const linearizable = await checkLinearizable(history.operations, { model: 'cas-register' });
    const checked = performance.now();
    const html = renderReport(
      {
        meta: { title: 'big', nemeses: ['partition'], command: 'dscheck report big.ndjson' },
        history,
        checkers: { linearizable },
      },
      await loadAssets(),
    );
    const rendered = performance.now();
    const out = join(ARTIFACTS, 'synthetic-100k.html');
    writeFileSync(out, html);
    const bytes = Buffer.byteLength(html);
    console.log(
      `100k operations: read+check ${Math.round(checked - started)} ms, render ${Math.round(rendered - checked)} ms, page ${(bytes / 1e6).toFixed(2)} MB`,
    );
    expect(linearizable.valid).toBe(true);
    expect(bytes).toBeLessThan(10 * 1024 * 1024);

    const loading = performance.now();
    const { page, problems } = await open(out);
    const loaded = performance.now() - loading;
    expect(problems).toEqual([]);
    expect(loaded).toBeLessThan(10_000);
    expect(await canvasDrawn(page, '#timeline-main')).toBe(true);

    const label = page.locator('#timeline-window');
    const before = await label.textContent();
    await page.locator('#timeline-overview').scrollIntoViewIfNeeded();
    const strip = await page.locator('#timeline-overview').boundingBox();
    if (!strip) throw new Error('no overview strip');
    const clicked = performance.now();
    await page.mouse.click(strip.x + strip.width * 0.7, strip.y + strip.height / 2);
    await page.waitForFunction(
      (old) =>
        (globalThis as unknown as PageGlobals).document.getElementById('timeline-window')?.textContent !==
        old,
      before,
      {
        timeout: 1_000,
      },
    );
    expect(performance.now() - clicked).toBeLessThan(1_000);
    await page.screenshot({ path: join(ARTIFACTS, 'synthetic-100k.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});
