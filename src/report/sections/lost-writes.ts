import type { LostWritesResult } from '../../checker/lost-writes.js';
import { esc } from '../escape.js';
import type { ReportContext, ReportSection } from './types.js';

/** Lost elements listed in the table; the rest are counted. */
const SHOWN = 50;

/** What the section's browser code plots (browser/sections/lost-writes.ts); only `x` when nothing is. */
export type LostWritesPlot =
  | { x: [] }
  | { x: number[]; acked: number[]; lost: number[]; recovered: number[]; stale: number[] };

/** The lost-writes checker's section: counts, the lost elements, and a per-second timeline. */
export const lostWritesSection: ReportSection<LostWritesResult> = {
  id: 'lost-writes',
  title: 'Lost writes',
  render({ result: r, axis }: ReportContext<LostWritesResult>): string {
    const explain = `<p class="explain">Each client added unique numbers to a set, and after the faults were healed every set was read once more (the <strong>final read</strong>). An add the store <strong>acknowledged</strong> ("done") that is missing from the final read is a <strong>lost write</strong>: the store said it kept the data, and then it was gone. An add that timed out may or may not have happened; if it shows up anyway it is <strong>recovered</strong>, which is allowed. A <strong>stale read</strong> of a set began after an add was acknowledged, did not contain it, yet a later read did: that reader saw the set go back in time.</p>`;
    const verdict =
      r.valid === 'unknown'
        ? `<p class="note">No final read of ${r.keysWithoutFinalRead.length > 0 ? esc(r.keysWithoutFinalRead.map((k) => k ?? 'the set').join(', ')) : 'any set'}: losses cannot be judged.</p>`
        : r.lost.count > 0
          ? `<p><strong>${num(r.lost.acknowledged)}</strong> of ${num(r.adds.ok)} acknowledged adds (${pct(r.lost.acknowledged, r.adds.ok)}) are missing from the final read.</p>`
          : `<p class="good">Every one of ${num(r.adds.ok)} acknowledged adds is in the final read.</p>`;
    const row = (label: string, value: number, note = '') =>
      `<tr><th scope="row">${esc(label)}</th><td>${num(value)}</td><td class="note">${esc(note)}</td></tr>`;
    const counts = `<table class="stats"><caption>Adds and what became of them</caption><tbody>
${row('adds acknowledged', r.adds.ok)}
${row('adds indeterminate (timed out)', r.adds.info)}
${row('adds failed (not applied)', r.adds.fail)}
${row('lost: acknowledged', r.lost.acknowledged, 'missing from the final read')}
${row('lost: seen by a read, not acknowledged', r.lost.count - r.lost.acknowledged, 'a read returned it, the final read did not')}
${row('recovered', r.recovered.count, 'timed out, but present after all')}
${row('never read', r.neverRead.count, 'acknowledged, but no read ever returned it')}
${row('elements missed by stale reads', r.stale.elements, `${num(r.stale.misses)} misses in all`)}
${row('unexpected elements', r.unexpected.count, 'present though never added, or its add failed')}
${row('reads / final reads', r.reads, `${r.finalReads} final`)}
</tbody></table>`;
    const lost =
      r.lost.elements.length === 0
        ? ''
        : `<details class="lost"${r.lost.count <= 10 ? ' open' : ''}><summary>The lost elements: which add, when it was acknowledged, by which node</summary><table class="stats"><caption>Lost elements${r.lost.count > SHOWN ? ` (first ${SHOWN} of ${num(r.lost.count)})` : ''}</caption>
<thead><tr><th scope="col">element</th><th scope="col">set</th><th scope="col">acknowledged at</th><th scope="col">added by</th><th scope="col">last seen in a read</th></tr></thead>
<tbody>${r.lost.elements
            .slice(0, SHOWN)
            .sort((a, b) => (a.add.ack ?? a.add.call) - (b.add.ack ?? b.add.call))
            .map(
              (e) =>
                `<tr><td>${num(e.element)}</td><td>${esc(e.key ?? '–')}</td><td>${e.add.ack === null ? 'not acknowledged' : `${e.add.ack.toFixed(3)} s`}</td><td>p${e.add.process}${e.add.node ? ` via ${esc(e.add.node)}` : ''} (#${e.add.index})</td><td>${e.lastSeen === null ? 'never' : `${e.lastSeen.toFixed(3)} s`}</td></tr>`,
            )
            .join('\n')}</tbody></table></details>`;
    const stale =
      r.stale.examples.length === 0
        ? ''
        : `<table class="stats"><caption>Stale reads of a set</caption>
<thead><tr><th scope="col">element</th><th scope="col">set</th><th scope="col">acknowledged at</th><th scope="col">missed by the read at</th><th scope="col">seen again at</th></tr></thead>
<tbody>${r.stale.examples
            .map(
              (s) =>
                `<tr><td>${num(s.element)}</td><td>${esc(s.key ?? '–')}</td><td>${s.ack.toFixed(3)} s</td><td>${s.read.call.toFixed(3)} s (p${s.read.process}${s.read.node ? `, ${esc(s.read.node)}` : ''}, #${s.read.index})</td><td>${s.seenAgain.call.toFixed(3)} s (#${s.seenAgain.index})</td></tr>`,
            )
            .join('\n')}</tbody></table>`;
    const plot =
      axis.unit === 's' && r.perSecond.length > 0
        ? `<figure class="plot"><figcaption><strong>Adds per second</strong> by when they were acknowledged: all of them, and the ones lost<p class="legend"><span class="sw ok"></span>acknowledged <span class="sw fail"></span>lost <span class="sw info"></span>recovered (by invocation) <span class="sw" style="background:#CC79A7"></span>missed by a stale read <span class="sw fault"></span>fault window</p></figcaption><div id="plot-lost-writes"></div></figure>`
        : '';
    return `${explain}${verdict}${plot}<div class="tables">${counts}</div>${lost}${stale}`;
  },
  data({ result: r, axis }: ReportContext<LostWritesResult>): LostWritesPlot {
    if (axis.unit !== 's' || r.perSecond.length === 0) return { x: [] };
    const last = r.perSecond[r.perSecond.length - 1].second;
    const at = new Map(r.perSecond.map((b) => [b.second, b]));
    const x = Array.from({ length: last + 2 }, (_, s) => s);
    const column = (pick: 'acked' | 'lost' | 'recovered' | 'stale') => x.map((s) => at.get(s)?.[pick] ?? 0);
    return {
      x,
      acked: column('acked'),
      lost: column('lost'),
      recovered: column('recovered'),
      stale: column('stale'),
    };
  },
  script: 'lost-writes',
};

function num(n: number): string {
  return n.toLocaleString('en');
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '–';
}
