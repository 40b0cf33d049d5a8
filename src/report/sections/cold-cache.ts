import type { CacheFaultImpact, ColdCacheResult, StaleCacheRead } from '../../checker/cold-cache.js';
import { esc } from '../escape.js';
import type { ReportContext, ReportSection } from './types.js';

const SHOWN = 20;

/** What the section's browser code plots (browser/sections/cold-cache.ts); only `x` when nothing is. */
export type ColdCachePlot =
  | { x: [] }
  | {
      x: number[];
      hit: (number | null)[];
      db: number[];
      inFlight: number[];
      p50: (number | null)[];
      p99: (number | null)[];
      errors: number[];
      timeouts: number[];
      capacity: number | null;
    };

/** The cold-cache checker's section: what a cold cache is, the per-second series, spikes and recoveries. */
export const coldCacheSection: ReportSection<ColdCacheResult> = {
  id: 'cold-cache',
  title: 'Cold cache: load on the database',
  render({ result: r, axis }: ReportContext<ColdCacheResult>): string {
    const explain = `<p class="explain">The clients read through a <strong>cache</strong> (cache-aside): a read asks the cache first; on a <strong>miss</strong> it asks the database and puts the answer in the cache for a while (the <strong>TTL</strong>). While the cache is warm, most reads never reach the database, and the database is sized for that trickle. A <strong>cold cache</strong> (cache nodes restarted empty, flushed, or keys moved to other nodes by a reshard) sends every read of the lost keys to the database at once: the <strong>spike</strong> is the peak of database queries per second after the fault, over the steady rate before it; the <strong>recovery time</strong> is how long until the hit ratio is back within 5% of what it was. If the spike exceeds what the database or the application's connection pool can take, requests queue, time out and fail. Two remedies are measured here: <strong>consistent hashing</strong> (a hash ring: adding or removing one of N cache nodes moves about 1/N of the keys, where <em>hash mod N</em> moves almost all of them) and <strong>TTL jitter</strong> (entries loaded together, with the same TTL, would also expire together and cause a spike of their own; a random spread of the TTL smooths it out).</p>`;
    const verdict =
      r.valid === false
        ? `<p class="bad"><strong>Invalid:</strong> ${esc(r.problems.join('; '))}.</p>`
        : `<p class="good">Within limits: ${r.options.dbCapacity === null ? 'no database capacity set' : `database below ${num(r.options.dbCapacity)} queries/s`}, errors ${pct(r.errorShare)} (allowed ${pct(r.options.maxErrorRate)}).</p>`;
    const summary = `<p>Hit ratio <strong>${pct(r.hitRatio)}</strong> over ${num(r.reads)} reads · ${num(r.dbQueries)} database queries, peak <strong>${num(r.peakDbQps)}</strong>/s · database time p50 ${num(r.dbMs?.p50)} ms, p99 ${num(r.dbMs?.p99)} ms · ${num(r.errors)} errors of ${num(r.ops)} operations (${num(r.timeouts)} timeouts)${r.warmUpS === null ? '' : ` · warm-up until ${num(r.warmUpS)} s`}.</p><p>After the warm-up the database got ${num(r.load.meanDbQps)} queries/s on average and up to <strong>${num(r.load.peakDbQps)}</strong>/s (×${num(r.load.peakOverMean)} the mean): entries that expire together show up here as waves even without any fault.</p>${
      Object.keys(r.errorsByReason).length > 0
        ? `<p class="note">Errors by reason: ${Object.entries(r.errorsByReason)
            .map(([reason, n]) => `${esc(reason)} ${num(n)}`)
            .join(' · ')}</p>`
        : ''
    }`;
    const plots =
      axis.unit === 's' && r.series.length > 0
        ? [
            'hit ratio',
            'database queries per second and in flight',
            'latency p50 and p99 (ms)',
            'errors and timeouts per second',
          ]
            .map(
              (title, i) =>
                `<figure class="plot"><figcaption><strong>${title}</strong><p class="legend"><span class="sw fault"></span>fault window</p></figcaption><div id="plot-cold-cache-${i}"></div></figure>`,
            )
            .join('\n')
        : '';
    return `${explain}${verdict}${summary}${plots}${faultTable(r.faults)}${staleTable(r)}`;
  },
  data({ result: r, axis }: ReportContext<ColdCacheResult>): ColdCachePlot {
    if (axis.unit !== 's' || r.series.length === 0) return { x: [] };
    const s = r.series;
    return {
      x: s.map((p) => p.second),
      hit: s.map((p) => p.hitRatio),
      db: s.map((p) => p.dbQueries),
      inFlight: s.map((p) => p.dbInFlight),
      p50: s.map((p) => p.p50Ms),
      p99: s.map((p) => p.p99Ms),
      errors: s.map((p) => p.errors),
      timeouts: s.map((p) => p.timeouts),
      capacity: r.options.dbCapacity,
    };
  },
  script: 'cold-cache',
};

function faultTable(faults: readonly CacheFaultImpact[]): string {
  if (faults.length === 0) return '<p class="note">No cache fault in this run.</p>';
  const rows = faults
    .map(
      (f) =>
        `<tr><td>${esc(f.f)}</td><td>${num(f.at)} s</td><td>${f.steadyDbQps === null ? '–' : num(f.steadyDbQps)}</td><td>${num(f.peakDbQps)}${f.peakAt === null ? '' : ` <span class="note">at ${f.peakAt} s</span>`}</td><td>${f.spike === null ? '–' : `×${num(f.spike)}`}</td><td>${pct(f.hitRatioBefore)} → ${pct(f.lowestHitRatio)}</td><td>${f.recoveryS === null ? 'not within the window' : `${num(f.recoveryS)} s`}</td><td>${num(f.errors)} (${num(f.timeouts)} timeouts)</td><td>${num(f.peakInFlight)}</td><td>${f.movement ? `${pct(f.movement.predicted)} predicted, ${pct(f.movement.observed)} observed (${num(f.movement.observedKeys)} keys); ${esc(f.movement.sharding)}: ${esc(f.movement.before.join(','))} → ${esc(f.movement.after.join(','))}` : '–'}</td></tr>`,
    )
    .join('\n');
  return `<table class="stats"><caption>Spikes and recoveries, per cache fault</caption>
<thead><tr><th scope="col">fault</th><th scope="col">at</th><th scope="col">steady db q/s</th><th scope="col">peak db q/s</th><th scope="col">spike</th><th scope="col">hit ratio before → lowest</th><th scope="col">recovery</th><th scope="col">errors</th><th scope="col">peak in flight</th><th scope="col">keys moved</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function staleTable(r: ColdCacheResult): string {
  const head = `<p>Stale cache reads (a cached value the database had already replaced by a completed write): <strong>${num(r.stale.count)}</strong>, of which ${num(r.stale.beyondTtl)} older than the longest TTL (${num(r.stale.maxTtlMs)} ms), which no TTL or ${esc(r.options.writePolicy)} policy explains.</p>`;
  if (r.stale.examples.length === 0) return head;
  const row = (e: StaleCacheRead) =>
    `<tr><td>${esc(e.key ?? '–')}</td><td>p${e.process} at ${num(e.at)} s</td><td>${esc(JSON.stringify(e.value))}</td><td>${esc(JSON.stringify(e.committed))}</td><td>${num(e.staleMs)} ms${e.beyondTtl ? ' (beyond TTL)' : ''}</td><td>${esc(e.shard ?? '–')}</td></tr>`;
  return `${head}<table class="stats"><caption>The stalest cache reads</caption><thead><tr><th scope="col">key</th><th scope="col">read</th><th scope="col">cached value</th><th scope="col">database had</th><th scope="col">stale by</th><th scope="col">cache node</th></tr></thead><tbody>${r.stale.examples.slice(0, SHOWN).map(row).join('\n')}</tbody></table>`;
}

function num(n: number | null | undefined): string {
  return n === null || n === undefined
    ? '–'
    : n.toLocaleString('en', { maximumFractionDigits: n < 10 ? 3 : 1 });
}

function pct(share: number | null | undefined): string {
  return share === null || share === undefined ? '–' : `${(share * 100).toFixed(1)}%`;
}
