import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRuns } from './reading.js';
import { writeComparePage } from './writer.js';

/** Run folders recorded by real runs (`dscheck matrix cold-cache --time-limit 30 --seed 8`, and cap-cassandra's QUORUM run, seed 5, 20 s). */
const FIXTURES = join(import.meta.dirname, 'fixtures');
const COLD = ['modulo', 'modulo-jitter', 'consistent', 'consistent-jitter'];

async function page(dirs: { dir: string; label: string }[]) {
  const out = join(mkdtempSync(join(tmpdir(), 'dscheck-lessons-')), 'index.html');
  const { runs } = await writeComparePage(dirs, out, { title: 'fixture' });
  return { runs, html: readFileSync(out, 'utf8') };
}

describe('the cold-cache page, on recorded runs', () => {
  const cold = () =>
    page(COLD.map((v) => ({ dir: join(FIXTURES, 'cold-cache', v), label: v.replace('-', ', ') })));

  it("fills the cache's columns and reads each run in the cache's quantities, with no CAP sentence", async () => {
    const { runs, html } = await cold();
    expect(runs.map((r) => r.lesson)).toEqual(['cache', 'cache', 'cache', 'cache']);
    expect(runs[0].cache).toMatchObject({ sharding: 'modulo', movedPredicted: 0.758, staleReads: 0 });
    expect(runs[2].cache).toMatchObject({ sharding: 'consistent', movedPredicted: 0.266 });
    expect(html).toContain('<th scope="col">hit ratio before → lowest</th>');
    expect(html).toContain('<td>76% / 75%</td>');
    expect(html).toContain('<td>27% / 25%</td>');
    expect(html).toMatch(
      /modulo moved 76% of keys \(75% observed\): the hit ratio fell from 71% to 40% and the database took/,
    );
    expect(html).toMatch(/consistent moved 27% of keys \(25% observed\): the hit ratio fell from 67% to 61%/);
    expect(html).toContain('consistent kept 73% of the cache warm');
    expect(html).toMatch(
      /Expiry waves \(database peak over mean load\): 1\.\d\d× without TTL jitter, 1\.\d\d× with it/,
    );
    expect(html).not.toContain('CAP does not apply');
    expect(html).not.toContain('no consistency checker reached a verdict');
    expect(html).toContain('What the cache did');
    expect(html).toContain('"id":"plot-hit-ratio"');
    expect(html).toContain('"id":"plot-db-load"');
  });

  it('gives reproduce commands without the options of nemeses the run did not have', async () => {
    const { runs } = await cold();
    for (const r of runs) {
      expect(r.command).toContain('--nemesis reshard');
      expect(r.command).not.toContain('--partition');
      expect(r.command).not.toContain('--loss');
    }
  });
});

describe("cap-cassandra's QUORUM run, recorded", () => {
  it('reads the refused minority side as consistency, the healthy-period cas anomaly apart', async () => {
    const { runs, html } = await page([{ dir: join(FIXTURES, 'cap-cassandra-quorum'), label: 'QUORUM' }]);
    const [quorum] = runs;
    const minority = quorum.sides.find((s) => s.side === 'minority');
    const majority = quorum.sides.find((s) => s.side === 'majority');
    expect(minority?.nodes).toHaveLength(1);
    expect(minority?.clientTime.share).toBeLessThan(0.5);
    expect(majority?.clientTime.share).toBeGreaterThan(0.5);
    expect(minority?.answered).toBe(0);
    // By operations the run looks available (the refused clients, stuck in timeouts, issued few).
    expect(quorum.answeredInside).toBeGreaterThan(0.8);
    expect(readRuns(runs)[0].choice).toBe('consistency');
    expect(html).toContain('chose consistency on the minority side');
    expect(readRuns(runs)[0].cap).toBe(
      "chose consistency on the minority side: the minority side (n2) got answers in 0% of its clients' time (0 of 30 operations answered), the majority side in 88% during the partition; separately, not linearizable on 2 of 8 keys on the majority side (read-then-write cas under last-write-wins)",
    );
  });
});
