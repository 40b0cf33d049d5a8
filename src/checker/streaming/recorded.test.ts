import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readHistory } from '../../history/reader.js';
import { streamOperations } from '../../history/stream.js';
import { ExtentTally } from '../../report/data.js';
import { digestHistory, PageTally } from '../../report/digest.js';
import { faultSpans } from '../../report/faults.js';
import { writeRunReport } from '../../report/writer.js';
import { writeJson } from '../../run/folder.js';
import { RECORDED, recordedChecks, withoutTimes } from '../../testing/recorded.js';
import { analyzeRun } from '../analyze.js';

/**
 * A history recorded by a real run, judged read whole and as a stream (forced by
 * DSCHECK_STREAM_FROM_BYTES=0): both must give the same results and the same page.
 */

const options = { checkTimeoutMs: 60_000, interrupted: false, nemesisErrors: [], faultDelays: {} };

afterEach(() => {
  delete process.env.DSCHECK_STREAM_FROM_BYTES;
});

describe('a recorded run judged read whole and as a stream', () => {
  it('gives the same verdicts and figures', async () => {
    const file = join(RECORDED, 'history.ndjson');
    const whole = await analyzeRun(file, recordedChecks(), options);
    process.env.DSCHECK_STREAM_FROM_BYTES = '0';
    const streamed = await analyzeRun(file, recordedChecks(), options);
    expect(whole.valid).toBe(false);
    expect(Object.keys(whole.checkers).sort()).toEqual(['linearizable', 'perf', 'stale-reads']);
    const stale = whole.checkers['stale-reads'] as unknown as {
      staleReads: number;
      readYourWrites: { count: number };
    };
    expect(stale.staleReads).toBeGreaterThan(100);
    expect(stale.readYourWrites.count).toBeGreaterThan(100);
    expect(withoutTimes(streamed)).toEqual(withoutTimes(whole));
  });
});

describe("a recorded run's page drawn from the whole history and from a stream", () => {
  const dir = mkdtempSync(join(tmpdir(), 'dscheck-recorded-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the same page', async () => {
    for (const f of ['history.ndjson', 'test.json']) copyFileSync(join(RECORDED, f), join(dir, f));
    writeJson(
      join(dir, 'results.json'),
      await analyzeRun(join(dir, 'history.ndjson'), recordedChecks(), options),
    );
    const whole = readFileSync(await writeRunReport(dir, join(dir, 'whole.html')), 'utf8');
    process.env.DSCHECK_STREAM_FROM_BYTES = '0';
    const streamed = readFileSync(await writeRunReport(dir, join(dir, 'streamed.html')), 'utf8');
    expect(whole).toContain('Counterexample on key');
    expect(streamed).toBe(whole);
  });

  it('keeps its plots and counts when the timeline holds only the operations around faults', async () => {
    const file = join(RECORDED, 'history.ndjson');
    const history = await readHistory(file);
    const whole = digestHistory(history, (end) => faultSpans(history.nemesis, end));
    const extent = new ExtentTally();
    const shape = await streamOperations(file, (op) => extent.add(op));
    const span = extent.finish(shape);
    const budget = 600;
    const page = new PageTally({
      extent: span,
      spans: faultSpans(shape.nemesis, span.end),
      operations: shape.operations,
      budget,
    });
    await streamOperations(file, (op) => page.add(op));
    const part = page.finish();
    expect(part.plots).toEqual(whole.plots);
    expect(part.writes).toEqual(whole.writes);
    expect(part.timeline.lanes).toEqual(whole.timeline.lanes);
    expect(part.summary?.operations).toBe(history.operations.length);
    expect(part.timeline.start.length).toBe(part.summary?.shown);
    expect(part.timeline.start.length).toBeGreaterThan(budget / 2);
    expect(part.timeline.start.length).toBeLessThanOrEqual(budget);
    expect(part.timeline.started?.counts.reduce((a, b) => a + b, 0)).toBe(history.operations.length);
  });
});
