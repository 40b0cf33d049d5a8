import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, presetPage } from '../../testing/recorded-presets.js';
import { readRuns } from './reading.js';
import { writeComparePage } from './writer.js';

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

describe('the cap-cassandra page, on recorded runs (ONE, QUORUM, SERIAL: seed 5, 20 s)', () => {
  it('reads ONE as availability with stale reads, QUORUM and SERIAL as consistency on the minority side', async () => {
    const { byLabel, runs } = await presetPage('cap-cassandra');
    const choices = readRuns(runs).map((r) => r.choice);
    expect(choices).toEqual(['availability', 'consistency', 'consistency']);

    const one = byLabel('ONE');
    const oneCutOff = one.run.sides.find((s) => s.side === 'minority');
    expect(oneCutOff?.clientTime.share).toBeGreaterThan(0.9);
    expect(one.reading).toMatch(
      /^ONE: chose availability: answered 100% during the partition, 15% of reads stale by up to 6\.5 s;/,
    );

    for (const label of ['QUORUM', 'SERIAL (lightweight transactions)']) {
      const { run, reading } = byLabel(label);
      const minority = run.sides.find((s) => s.side === 'minority');
      expect(minority?.answered).toBe(0);
      expect(minority?.clientTime.share).toBeLessThan(0.1);
      expect(reading).toContain(`${label}: chose consistency on the minority side: the minority side (n2)`);
    }
    // Counted by operations QUORUM looks available: its refused clients, stuck in timeouts, asked little.
    expect(byLabel('QUORUM').run.answeredInside).toBeGreaterThan(0.8);
    // QUORUM's cas is read-then-write: not linearizable, from a healthy period on, beside the choice.
    expect(byLabel('QUORUM').reading).toContain(
      'separately, not linearizable on 4 of 8 keys also without faults (first failure at 2.9 s, in a healthy period) (read-then-write cas under last-write-wins)',
    );
    // SERIAL: lightweight transactions, linearizable.
    expect(byLabel('SERIAL (lightweight transactions)').reading).toContain('no anomaly found');
  });

  it("fills the stale reads column for ONE only, closes with each level's choice, and SERIAL pays in healthy latency", async () => {
    const { html, closing, byLabel } = await presetPage('cap-cassandra');
    expect(html).toContain('<td>15%, 6.5 s</td>');
    expect(html.match(/<td>none of \d+<\/td>/g)).toHaveLength(2);
    expect(closing).toMatch(
      /^ONE chose availability \(minority side served 100% of its time; 15% of reads stale by up to 6\.5 s\); QUORUM chose consistency \(minority side served 0% of its time\); SERIAL \(lightweight transactions\) chose consistency \(minority side served 2% of its time\)\. Healthy p99: /,
    );
    const p50 = ['ONE', 'QUORUM', 'SERIAL (lightweight transactions)'].map(
      (l) => byLabel(l).run.healthyLatencyMs?.p50 ?? 0,
    );
    expect(p50[0]).toBeLessThan(p50[1]);
    expect(p50[1]).toBeLessThan(p50[2]);
  });
});

describe('the redis-failover page, on recorded runs (seed 5, 30 s)', () => {
  it('reads replicated as linearizable, Sentinel as losing to the failover, and WAIT as refusing writes', async () => {
    const { byLabel, closing } = await presetPage('redis-failover');
    expect(byLabel('replicated').reading).toContain(
      'replicated: answered 100% during the partition (100% of client time) with no anomaly: these faults did not force a choice',
    );
    expect(byLabel('Sentinel').reading).toMatch(
      /^Sentinel: chose availability: answered 91% during the partition, 11% of reads stale by up to 5\.4 s; not linearizable on 8 of 8 keys;/,
    );
    expect(byLabel('replicated + WAIT 1').reading).toContain(
      'chose consistency: answered only 67% during the partition (93% outside)',
    );
    // WAIT narrows the window, it does not close it: the old primary served half its clients' time
    // and the history is still not linearizable.
    expect(byLabel('Sentinel + WAIT 1').reading).toContain(
      'gave up both: answered only 66% during the partition and still not linearizable on 7 of 8 keys',
    );
    expect(closing).toMatch(
      /Healthy p99: replicated 36 ms, replicated \+ WAIT 1 81 ms, Sentinel 107 ms, Sentinel \+ WAIT 1 197 ms\.$/,
    );
  });
});

describe('the lock-redis page, on recorded runs (seed 7, 20 s; Cassandra LWT on one node)', () => {
  it('counts lost leases, overlapping holders and fencing violations per configuration', async () => {
    const { byLabel, html, closing } = await presetPage('lock-redis');
    expect(html).toContain('<h2>What the lock let its holders do</h2>');
    expect(html).toContain('<th scope="col" title="fencing violations: writes the resource accepted');
    expect(byLabel('no pause').reading).toBe(
      'no pause: no holder paused, lease 1.0 s: 630 grants; no lease ran out under its holder; never two holders at once; no write with an old token.',
    );
    expect(byLabel('2 s pauses, unfenced').reading).toContain(
      '16 leases ran out under holders that still believed in them (their release found the lock gone); never two holders at once; the resource accepted 14 writes with an old token (fencing violations)',
    );
    expect(byLabel('2 s pauses, fenced').reading).toContain(
      'the fence rejected 17 writes with an old token: no fencing violation got through',
    );
    // Redlock's majority does not help a paused holder: its late writes get through as unfenced ones do.
    expect(byLabel('Redlock on 3 primaries, 2 s pauses, unfenced').reading).toContain(
      '179 grants; 16 leases ran out under holders that still believed in them (their release found the lock gone); never two holders at once; the resource accepted 14 writes with an old token (fencing violations)',
    );
    // Nor does Cassandra's Paxos: fewer grants (each a Paxos round on one contended row), as many late writes per pause.
    const cassandra = byLabel('Cassandra LWT on 1 node, 2 s pauses, unfenced');
    expect(cassandra.run.store).toBe('cassandra');
    expect(cassandra.reading).toBe(
      'Cassandra LWT on 1 node, 2 s pauses, unfenced: holders stopped 2.0 s after one grant in ten, lease 1.0 s: 53 grants; 5 leases ran out under holders that still believed in them (their release found the lock gone); never two holders at once; the resource accepted 4 writes with an old token (fencing violations); as a plain mutex (one that knows no leases) not linearizable.',
    );
    expect(closing).toContain(
      'whichever lock granted it (Redis SET NX: 14 writes with an old token for 16 lost leases; Redlock: 14 for 16; Cassandra LWT: 4 for 5): no lock service can tell a stopped holder that its lease is gone. Only the fence stopped them (2 s pauses, fenced: 17 rejected).',
    );
    expect(html).not.toContain('CAP does not apply');
  });

  it('gives reproduce commands without the fault schedule of runs that have no nemesis', async () => {
    const { runs } = await presetPage('lock-redis');
    for (const r of runs) {
      expect(r.command).toContain('--nemesis none');
      expect(r.command).not.toContain('--nemesis-interval');
    }
  });
});

describe('the clock-mysql page, on recorded runs (seed 7, 20 s, clock bump 5 s)', () => {
  it('finds overlapping holders for the lease row under clock jumps, and none for GET_LOCK', async () => {
    const { byLabel, closing } = await presetPage('clock-mysql');
    expect(byLabel('lease row, no clock fault').reading).toContain(
      'no lease ran out under its holder; never two holders at once; no write with an old token.',
    );
    const jumped = byLabel('lease row, clock jumps 5 s').reading;
    expect(jumped).toContain('under clock: 172 grants');
    expect(jumped).toContain('9 times two clients held the lock at once (longest 656 ms)');
    expect(jumped).toContain('the resource accepted 1 write with an old token (fencing violations)');
    expect(byLabel('GET_LOCK, clock jumps 5 s').reading).toContain(
      'under clock: 157 grants; no lease ran out under its holder; never two holders at once; no write with an old token.',
    );
    expect(closing).toContain('lease row, clock jumps 5 s: 9 overlaps, 1 unsafe writes accepted');
    expect(closing).toContain('GET_LOCK, clock jumps 5 s: 0 overlaps, 0 unsafe writes accepted');
  });
});

describe('the clock-cassandra page, on recorded runs (seed 7, 20 s, one client 5 s behind)', () => {
  it("finds no stale read while clocks agree, and acknowledged writes lost to a client's clock 5 s behind", async () => {
    const { byLabel, html, closing } = await presetPage('clock-cassandra');
    // The stale reads column: none of the calm run's 510 reads.
    expect(html).toContain('<td>none of 510</td>');
    // The read-then-write cas is not linearizable with or without the clock: the readings say so apart.
    expect(byLabel('clocks agree').reading).toContain(
      'clocks agree: no fault was active: CAP does not apply, yet not linearizable on 5 of 8 keys also without faults',
    );
    expect(byLabel('clocks agree').reading).not.toContain('stale');
    expect(byLabel("one client's clock 5 s behind").reading).toContain(
      'answered 100% during the clock, 9% of reads stale by up to 5.2 s',
    );
    expect(closing).toContain(
      "one client's clock 5 s behind chose availability (9% of reads stale by up to 5.2 s)",
    );
  });
});

describe('the queue-redis page, on recorded runs (seed 7, 30 s, kill)', () => {
  it('counts lost, duplicated and reordered messages per delivery mode: losses in every mode', async () => {
    const { runs, byLabel, html, closing } = await presetPage('queue-redis');
    expect(runs.map((r) => r.lesson)).toEqual(['queue', 'queue', 'queue']);
    expect(html).toContain('<h2>What became of the messages</h2>');
    expect(byLabel('at-most-once').reading).toMatch(
      /^at-most-once: at-most-once promised, at-most-once seen, under kill: 19 of 490 acknowledged messages lost; none delivered twice; none out of order\./,
    );
    expect(byLabel('at-least-once').reading).toContain(
      'at-least-once promised, at-most-once seen, under kill: 19 of 502 acknowledged messages lost',
    );
    expect(byLabel('list (LMOVE/LREM), at-least-once').run.queue).toMatchObject({ queue: 'list', lost: 18 });
    expect(closing).toContain(
      'Every delivery mode lost acknowledged messages: they went with the queue itself, which no consumer-side acknowledgement brings back.',
    );
  });
});

describe('the replication-mysql page, on recorded runs (seed 5, 30 s)', () => {
  it('counts lost writes after the failover for async and semi-sync, and reads Galera as refusing on the minority', async () => {
    const { byLabel, html, closing } = await presetPage('replication-mysql');
    expect(html).toContain('<td>503 of 1,359</td>');
    expect(byLabel('async replication + failover').reading).toMatch(
      /^async replication \+ failover: chose availability: answered 98% during the partition and failover, lost 503 of 1,359 acknowledged writes;/,
    );
    // Semi-sync waited for its timeout (the old primary served 79% of its clients' time), then lost writes as async does.
    expect(byLabel('semi-sync replication + failover').reading).toContain(
      'gave up both: answered only 96% during the partition and failover and still lost 554 of 1,265 acknowledged writes',
    );
    const galera = byLabel('Galera (one node cut off)');
    expect(galera.reading).toContain(
      "chose consistency on the minority side: the minority side (n2) got answers in 6% of its clients' time (0 of 78 operations answered)",
    );
    expect(galera.reading).toContain('no anomaly found');
    expect(galera.run.answeredInside).toBeLessThan(
      byLabel('async replication + failover').run.answeredInside ?? 0,
    );
    expect(closing).toContain(
      'Galera (one node cut off) chose consistency (minority side served 6% of its time)',
    );
  });
});

describe('the isolation-mariadb page, on recorded runs (seed 12, 20 s, no faults)', () => {
  it('names the anomalies each level allows, the models they rule out, and what serializable costs', async () => {
    const { byLabel, html, closing, runs } = await presetPage('isolation-mariadb');
    expect(runs.map((r) => r.lesson)).toEqual([
      'transactions',
      'transactions',
      'transactions',
      'transactions',
    ]);
    expect(html).toContain('<h2>The transactions&#39; anomalies</h2>');
    const rc = byLabel('single node, READ COMMITTED');
    expect(rc.reading).toContain(
      '19 anomalies (lost-update ×1, G-single ×14, G2-item ×4), which rule out repeatable-read, snapshot-isolation and stronger',
    );
    expect(byLabel('single node, REPEATABLE READ').run.txn?.anomalies['G-single']).toBe(18);
    const serializable = byLabel('single node, SERIALIZABLE');
    expect(serializable.reading).toContain(
      'no anomaly: every transaction fits one order of the others; 73 of 670 transactions aborted (11%)',
    );
    // Serializable pays for having no anomaly: a larger share of aborted transactions than every
    // other level (Galera's certification aborts included) and the highest p99.
    const aborted = (r: (typeof runs)[number]) => (r.txn ? r.txn.aborted / r.txn.txns : 0);
    for (const other of runs.filter((r) => r !== serializable.run)) {
      expect(aborted(serializable.run)).toBeGreaterThan(aborted(other));
      expect(serializable.run.latencyMs?.p99).toBeGreaterThan(other.latencyMs?.p99 ?? 0);
    }
    expect(byLabel('Galera, 3 nodes, defaults').reading).toMatch(
      /^Galera, 3 nodes, defaults: 20 anomalies \(G-single ×11/,
    );
    expect(closing).toContain('single node, SERIALIZABLE: no anomaly, 11% aborted, p99 1.3 s');
    expect(html).not.toContain('CAP does not apply');
  });
});

describe('the cold-cache page as the preset writes it', () => {
  it("answers the preset's look-for: modulo moves about three quarters of the keys, consistent hashing about a quarter", async () => {
    const { byLabel, closing } = await presetPage('cold-cache');
    expect(byLabel('modulo, no jitter').reading).toMatch(/^modulo, no jitter: modulo moved 76% of keys/);
    expect(byLabel('consistent hashing, no jitter').reading).toMatch(
      /^consistent hashing, no jitter: consistent moved 27% of keys/,
    );
    expect(closing).toContain('consistent kept 73% of the cache warm');
  });
});
