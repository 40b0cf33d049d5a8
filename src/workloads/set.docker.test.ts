import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LostWritesResult } from '../checker/lost-writes.js';
import { runResources } from '../docker/cleanup.js';
import { readHistory } from '../history/reader.js';
import { latestRun, runCli } from '../testing/cli.js';
import { recheck } from '../testing/recheck.js';

/**
 * The set workload end to end on Redis, through the built CLI (npm test builds first). Without
 * faults, with a single primary serving adds and reads, nothing acknowledged can be lost: that
 * verdict is certain, so it is asserted. Under faults it is not, and only the shape is.
 */
const out = mkdtempSync(join(tmpdir(), 'dscheck-set-test-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

const run = (args: string[]) => runCli(['run', '--out', out, '--workload', 'set', ...args]);
const folderOf = (name: string) => latestRun(out, name);

async function judged(name: string) {
  const folder = folderOf(name);
  for (const file of ['history.ndjson', 'results.json', 'index.html']) {
    expect(existsSync(join(folder, file)), file).toBe(true);
  }
  const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
  const lost = results.checkers['lost-writes'] as LostWritesResult;
  const history = await readHistory(join(folder, 'history.ndjson'));
  const finals = history.operations.filter((op) => op.f === 'read-all' && op.extra?.final === true);
  const runId = (JSON.parse(readFileSync(join(folder, 'test.json'), 'utf8')) as { runId: string }).runId;
  const html = readFileSync(join(folder, 'index.html'), 'utf8');
  return { results, lost, history, finals, runId, html };
}

describe('the set workload on Redis', () => {
  it('without faults: adds and reads recorded, a final read, nothing lost, nothing left behind', async () => {
    const finished = await run([
      '--nemesis',
      'none',
      '--time-limit',
      '8',
      '--seed',
      '7',
      '--name',
      'set-calm',
    ]);
    expect(finished.code, finished.stderr).toBe(0);
    const { results, lost, history, finals, runId, html } = await judged('set-calm');
    expect(history.operations.some((op) => op.f === 'add' && op.outcome === 'ok')).toBe(true);
    expect(history.operations.some((op) => op.f === 'read-all' && op.outcome === 'ok')).toBe(true);
    expect(finals.length).toBe(1);
    expect(finals[0].outcome).toBe('ok');
    expect(lost).toMatchObject({ valid: true, keys: 1, finalReads: 1, keysWithoutFinalRead: [] });
    expect(lost.adds.ok).toBeGreaterThan(100);
    expect(lost.lost.count).toBe(0);
    expect(lost.unexpected.count).toBe(0);
    // Every element the final read returned was added, and every acknowledged add is in it.
    const final = new Set(finals[0].output as number[]);
    for (const op of history.operations) {
      if (op.f === 'add' && op.outcome === 'ok') expect(final.has(op.input as number)).toBe(true);
    }
    expect(results.valid).toBe(true);
    expect(html).toContain('id="lost-writes"');
    const again = await recheck(folderOf('set-calm'), 'lost-writes');
    expect(again).toMatchObject({ code: 0 });
    expect(again.rechecked).toEqual(again.stored);
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
  }, 120_000);

  it('under a partition of the primary (sentinel): the result has the right shape', async () => {
    const finished = await run([
      '--topology',
      'sentinel',
      '--nemesis',
      'partition',
      '--partition',
      'primary',
      '--time-limit',
      '12',
      '--nemesis-interval',
      '4',
      '--seed',
      '11',
      '--name',
      'set-partition',
    ]);
    expect([0, 1, 2], finished.stderr).toContain(finished.code);
    const { results, lost, finals, runId } = await judged('set-partition');
    expect(finals.length).toBe(1);
    expect(lost.finalReads).toBe(1);
    expect([true, false]).toContain(lost.valid);
    expect(lost.lost.count).toBeGreaterThanOrEqual(lost.lost.elements.length);
    expect(lost.lost.acknowledged).toBeLessThanOrEqual(lost.adds.ok);
    expect(lost.timeline.element.length).toBe(lost.timeline.status.length);
    expect(finished.code).toBe({ true: 0, false: 1, unknown: 2 }[String(results.valid) as 'true']);
    // `dscheck check --checker lost-writes` on the stored history finds what the run found.
    const again = await recheck(folderOf('set-partition'), 'lost-writes');
    expect(again.rechecked).toEqual(again.stored);
    expect(again.code).toBe({ true: 0, false: 1, unknown: 2 }[String(lost.valid) as 'true']);
    expect(await runResources(runId)).toEqual({ containers: [], networks: [] });
  }, 120_000);
});
