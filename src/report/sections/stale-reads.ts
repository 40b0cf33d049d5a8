import type { OpRef, SessionViolation, StaleReadsResult } from '../../checker/stale-reads.js';
import { esc } from '../escape.js';
import type { ReportContext, ReportSection } from './types.js';

/** Rows of the worst-examples and violation tables shown before "more" is needed. */
const SHOWN = 20;

/** What the section's browser code plots (browser/sections/stale-reads.ts); only `x` when nothing is. */
export type StaleReadsPlot =
  | { x: [] }
  | { x: number[]; reads: number[]; stale: number[]; maxMs: (number | null)[] };

/** The stale-read checker's section: what a stale read is, how many, how stale, where and when. */
export const staleReadsSection: ReportSection<StaleReadsResult> = {
  id: 'stale-reads',
  title: 'Stale reads and session guarantees',
  render({ result: r, axis }: ReportContext<StaleReadsResult>): string {
    const explain = `<p class="explain">A <strong>stale read</strong> returned a value that had already been overwritten: another client's write of a newer value had completed, and been acknowledged, before the read even began. A store that promises to always return the latest value never does this; a store that lets clients read from replicas that lag behind the primary does it whenever a replica is behind. <strong>Staleness</strong> is how long before the read began the value had certainly been overwritten. Two weaker promises are checked per client (process): <strong>read-your-writes</strong> (after my write is acknowledged, I never read an older value) and <strong>monotonic reads</strong> (once I read a value, I never read an older one). dscheck flags only what is certain: one write is "older" than another when it completed before the other began, or the other was a compare-and-set that expected its value.</p>`;
    const q = r.stalenessMs;
    const summary =
      r.staleReads === 0
        ? `<p class="good">No stale read in ${num(r.reads)} reads.</p>`
        : `<p><strong>${num(r.staleReads)}</strong> of ${num(r.reads)} reads were stale (${pct(r.share)}). Staleness: p50 ${num(q?.p50)} ms, p99 ${num(q?.p99)} ms, max ${num(q?.max)} ms.</p>`;
    const sessions = `<p>Read-your-writes violations: <strong>${num(r.readYourWrites.count)}</strong> · monotonic-reads violations: <strong>${num(r.monotonicReads.count)}</strong>${r.unexplained > 0 ? ` · ${num(r.unexplained)} reads returned a value no single write wrote (not judged here; see linearizability)` : ''}.</p>`;
    const plots =
      axis.unit === 's' && r.timeline.length > 0
        ? `<figure class="plot"><figcaption><strong>Reads and stale reads per second</strong>, by when the read began<p class="legend"><span class="sw" style="background:#8c959f"></span>reads <span class="sw fail"></span>stale reads <span class="sw fault"></span>fault window</p></figcaption><div id="plot-stale-reads"></div></figure>
<figure class="plot"><figcaption><strong>Staleness</strong>: the stalest read of each second, in ms (how long before the read began its value had been overwritten)<p class="legend"><span class="sw fail"></span>stalest read <span class="sw fault"></span>fault window</p></figcaption><div id="plot-staleness"></div></figure>`
        : '';
    const nodes =
      r.byNode.length === 0
        ? ''
        : `<table class="stats"><caption>Per node the client read from</caption>
<thead><tr><th scope="col">node</th><th scope="col">reads</th><th scope="col">stale</th><th scope="col">share</th><th scope="col">stalest (ms)</th></tr></thead>
<tbody>${r.byNode
            .map(
              (n) =>
                `<tr><td>${esc(n.node)}</td><td>${num(n.reads)}</td><td>${num(n.stale)}</td><td>${pct(n.share)}</td><td>${n.maxStalenessMs === null ? '–' : num(n.maxStalenessMs)}</td></tr>`,
            )
            .join('\n')}</tbody></table>`;
    const worst =
      r.worst.length === 0
        ? ''
        : `<table class="stats"><caption>The stalest reads</caption>
<thead><tr><th scope="col">key</th><th scope="col">the read</th><th scope="col">wrote the value read</th><th scope="col">overwritten by (completed)</th><th scope="col">stale by</th></tr></thead>
<tbody>${r.worst
            .slice(0, SHOWN)
            .map(
              (w) =>
                `<tr><td>${esc(w.key ?? '–')}</td><td>${opText(w.read)}</td><td>${w.write ? opText(w.write) : 'initial value'}</td><td>${opText(w.supersededBy)}</td><td>${num(w.stalenessMs)} ms</td></tr>`,
            )
            .join('\n')}</tbody></table>`;
    return `${explain}${summary}${sessions}${plots}<div class="tables">${nodes}</div>${worst}${violations('Read-your-writes violations', r.readYourWrites.examples)}${violations('Monotonic-reads violations', r.monotonicReads.examples)}`;
  },
  data({ result: r, axis }: ReportContext<StaleReadsResult>): StaleReadsPlot {
    if (axis.unit !== 's' || r.timeline.length === 0) return { x: [] };
    // Every second from 0 to the last, so the stepped lines drop to zero where nothing was read.
    const last = r.timeline[r.timeline.length - 1].second;
    const at = new Map(r.timeline.map((t) => [t.second, t]));
    const x = Array.from({ length: last + 2 }, (_, s) => s);
    return {
      x,
      reads: x.map((s) => at.get(s)?.reads ?? 0),
      stale: x.map((s) => at.get(s)?.stale ?? 0),
      maxMs: x.map((s) => at.get(s)?.maxStalenessMs ?? null),
    };
  },
  script: 'stale-reads',
};

function violations(title: string, examples: readonly SessionViolation[]): string {
  if (examples.length === 0) return '';
  return `<h3>${esc(title)}</h3><details${examples.length <= 3 ? ' open' : ''}><summary>${examples.length} example(s), each with the operations that show it</summary><ul class="violations">${examples
    .slice(0, SHOWN)
    .map(
      (v) =>
        `<li>${esc(v.key === null ? '' : `key ${v.key}: `)}${esc(v.explanation)}.<br><span class="note">${opText(v.earlier)} → ${opText(v.read)}${v.olderWrite ? ` · older value from ${opText(v.olderWrite)}` : ''}</span></li>`,
    )
    .join('\n')}</ul></details>`;
}

function opText(op: OpRef): string {
  const when = `${op.call.toFixed(3)}${op.ret === null ? '–…' : `–${op.ret.toFixed(3)}`} s`;
  return `p${op.process} ${esc(op.description)} <span class="note">(#${op.index}, ${when}${op.node ? `, ${esc(op.node)}` : ''})</span>`;
}

function num(n: number | null | undefined): string {
  return n === null || n === undefined
    ? '–'
    : n.toLocaleString('en', { maximumFractionDigits: n < 10 ? 3 : 1 });
}

function pct(share: number | null): string {
  return share === null ? '–' : `${(share * 100).toFixed(share > 0 && share < 0.01 ? 3 : 1)}%`;
}
