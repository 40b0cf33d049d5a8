import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StaleReadsResult } from '../../checker/stale-reads.js';
import { runAndRead } from '../../testing/cli.js';

/**
 * The clock nemesis on Cassandra, through the built CLI: the clock lives in the clients (the
 * driver stamps every write; last-write-wins compares the stamps), so the nemesis skews one node's
 * driver client by 5 s. Three nodes, six processes (two per node's client), registers at QUORUM.
 * The same seed without the nemesis is the control: QUORUM reads after QUORUM writes stamped by one
 * host's clock are not stale. With the skew, acknowledged writes lose to older ones: reads that
 * began after a write was acknowledged return the value it overwrote. `--clock behind`: the
 * chosen node's client runs 5 s behind in each faulty period.
 */
const out = mkdtempSync(join(tmpdir(), 'dscheck-cassandra-clock-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

const RUN = [
  ...['--store', 'cassandra', '--workload', 'register', '--consistency', 'quorum', '--concurrency', '6'],
  ...['--clock', 'behind', '--clock-skew-ms', '5000', '--nemesis-interval', '5', '--time-limit', '15'],
  ...['--seed', '7'],
];

const events = (folder: string) =>
  readFileSync(join(folder, 'history.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"nemesis"'))
    .map((line) => JSON.parse(line));

describe('--nemesis clock on cassandra (the clients’ clock)', () => {
  it('without clock faults: no stale read, no read-your-writes violation', async () => {
    const { result } = await runAndRead<StaleReadsResult>(out, 'clock-calm', 'stale-reads', [
      ...RUN,
      ...['--nemesis', 'none'],
    ]);
    expect(result.reads).toBeGreaterThan(50);
    expect(result.staleReads).toBe(0);
    expect(result.readYourWrites.count).toBe(0);
  }, 420_000);

  it("one client's clock 5 s behind: acknowledged writes lost to last-write-wins, as stale reads; the history names the clients", async () => {
    const { result, folder } = await runAndRead<StaleReadsResult>(out, 'clock-skew', 'stale-reads', [
      ...RUN,
      ...['--nemesis', 'clock'],
    ]);
    expect(result.staleReads).toBeGreaterThan(0);
    expect(result.valid).toBe(false);
    const start = events(folder).find((e) => e.f === 'start-clock');
    const stop = events(folder).find((e) => e.f === 'stop-clock');
    expect(start.value).toMatchObject({ kind: 'behind', clock: 'clients' });
    const [[node, offset]] = Object.entries(start.value.offsets as Record<string, number>);
    expect(offset).toBe(-5000);
    // Process i goes through node i mod 3: two of the six per node.
    const n = Number(node.slice(1)) - 1;
    expect(start.value.processes).toEqual({ [node]: [n, n + 3] });
    expect(stop.value).toEqual({
      clock: 'clients',
      processes: { [node]: [n, n + 3] },
      offsets: { [node]: 0 },
    });
    expect(readFileSync(join(folder, 'index.html'), 'utf8')).toContain(
      `clients of ${node} ${offset > 0 ? '+' : ''}${offset} ms`,
    );
  }, 420_000);
});
