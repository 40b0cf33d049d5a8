import type {
  AnomalyClass,
  AnomalyExample,
  CycleStep,
  TransactionsResult,
  TxnView,
} from '../../checker/transactions/index.js';
import { esc, shortJson } from '../escape.js';
import type { ReportContext, ReportSection } from './types.js';

/** What each anomaly means for an application, in one plain sentence. */
const MEANING: Record<AnomalyClass, string> = {
  G0: 'Two transactions overwrote each other in opposite orders on different keys: their writes were interleaved, not applied one transaction at a time.',
  G1a: 'A transaction read data written by a transaction that was rolled back: it acted on something that never happened (a dirty read).',
  G1b: 'A transaction read a value another transaction had only half written (an intermediate state, not its final one).',
  G1c: 'Two transactions each saw the other’s writes: neither happened first, so the data they read cannot come from any one moment.',
  'G-single':
    'Read skew: a transaction saw part of another transaction’s writes but not the rest, e.g. money that left one account but never arrived in the other.',
  'G2-item':
    'Write skew: transactions each read data the other was about to change and went ahead, e.g. two doctors both leave the on-call rota because each saw the other still on it.',
  'G0-process': 'A process’s own transactions had their writes applied out of the order it issued them.',
  'G1c-process': 'A process’s later transaction was seen before its earlier one.',
  'G-single-process':
    'A process did not see its own earlier committed write (read-your-writes broken across transactions).',
  'G2-item-process':
    'Write skew that also needs a process’s own order to show: a session saw its own past undone.',
  'G0-realtime':
    'Writes were applied in an order that contradicts which transaction finished first in real time.',
  'G1c-realtime': 'A transaction that began after another committed was ordered before it.',
  'G-single-realtime': 'A stale read: a transaction did not see a write that had committed before it began.',
  'G2-item-realtime':
    'Transactions were ordered against real time: one that started after another finished behaved as if it ran first.',
  'lost-update':
    'Lost update: two transactions read the same value and both wrote based on it; one update silently overwrote the other, e.g. two transfers both read balance 100 and one transfer vanished.',
  'duplicate-elements': 'A read returned the same appended element twice: the store duplicated a write.',
  internal:
    'A transaction contradicted itself: a read did not show what the same transaction had just read or written.',
  'future-read': 'A transaction read a value it only wrote later: the read saw the future.',
  'incompatible-order': 'Two reads of one key disagree on its history: the copies the clients read diverged.',
  garbage: 'A read returned an element no client ever wrote.',
  lost: 'A committed write is gone: the final read after healing does not contain data the store had acknowledged.',
};

const tx = (index: number) => `T${index}`;

/** A key or element as text: strings as they are (cut when long), anything else as JSON. */
const atom = (v: unknown) => (typeof v === 'string' && v.length <= 20 ? v : shortJson(v, 20));

/** One edge of a cycle in words. */
export function stepSentence(s: CycleStep): string {
  const key = s.key === undefined ? '' : atom(s.key);
  switch (s.kind) {
    case 'ww':
      return `${tx(s.from)} appended ${atom(s.value)} to ${key} and ${tx(s.to)} appended ${atom(s.next)} right after it, so ${tx(s.from)} comes before ${tx(s.to)} (ww)`;
    case 'wr':
      return `${tx(s.to)} read ${key} ending in ${atom(s.value)}, which ${tx(s.from)} appended, so ${tx(s.from)} comes before ${tx(s.to)} (wr)`;
    case 'rw':
      return `${tx(s.from)} read ${key} ${s.value === null || s.value === undefined ? 'empty' : `up to ${atom(s.value)}`}, without ${atom(s.next)} that ${tx(s.to)} appended next, so ${tx(s.from)} comes before ${tx(s.to)} (rw)`;
    case 'process':
      return `${tx(s.to)} was the next transaction of the same process, so ${tx(s.from)} comes before ${tx(s.to)} (process)`;
    case 'realtime':
      return `${tx(s.from)} committed before ${tx(s.to)} began, so ${tx(s.from)} comes before ${tx(s.to)} (real time)`;
  }
}

/** The whole cycle, step by step, ending where it began. */
export function cycleStory(steps: readonly CycleStep[]): string {
  if (steps.length === 0) return '';
  return `${steps.map(stepSentence).join('; ')}; and so back to ${tx(steps[0].from)}: no order of these transactions can explain it.`;
}

/** The cycle drawn server side: transactions as boxes on a circle, edges as labelled arrows. */
export function cycleSvg(steps: readonly CycleStep[]): string {
  const nodes = steps.map((s) => s.from);
  const n = nodes.length;
  const radius = n <= 2 ? 70 : 60 + 14 * n;
  const size = 2 * radius + 120;
  const c = size / 2;
  const at = (i: number) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return { x: c + radius * Math.cos(angle), y: c + radius * Math.sin(angle) };
  };
  const boxes = nodes
    .map((t, i) => {
      const p = at(i);
      return `<g><rect x="${(p.x - 32).toFixed(1)}" y="${(p.y - 14).toFixed(1)}" width="64" height="28" rx="5" fill="#fff" stroke="#333"/><text x="${p.x.toFixed(1)}" y="${(p.y + 5).toFixed(1)}" text-anchor="middle" font-size="13">${esc(tx(t))}</text></g>`;
    })
    .join('');
  const arrows = steps
    .map((s, i) => {
      const a = at(i);
      const b = at((i + 1) % n);
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const length = Math.hypot(dx, dy) || 1;
      // Bend each edge to its right so that two edges between the same boxes do not overlap.
      const mx = (a.x + b.x) / 2 + (dy / length) * 28;
      const my = (a.y + b.y) / 2 - (dx / length) * 28;
      const trim = (p: { x: number; y: number }, toward: { x: number; y: number }) => {
        const d = Math.hypot(toward.x - p.x, toward.y - p.y) || 1;
        return { x: p.x + ((toward.x - p.x) / d) * 34, y: p.y + ((toward.y - p.y) / d) * 34 };
      };
      const from = trim(a, { x: mx, y: my });
      const to = trim(b, { x: mx, y: my });
      return `<path d="M${from.x.toFixed(1)},${from.y.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${to.x.toFixed(1)},${to.y.toFixed(1)}" fill="none" stroke="#555" marker-end="url(#txn-arrow)"/><text x="${mx.toFixed(1)}" y="${my.toFixed(1)}" text-anchor="middle" font-size="12" fill="#b00">${esc(s.kind === 'realtime' ? 'rt' : s.kind)}</text>`;
    })
    .join('');
  return `<svg class="txn-cycle" role="img" aria-label="${esc(cycleStory(steps))}" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}"><defs><marker id="txn-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>${arrows}${boxes}</svg>`;
}

function txnLine(t: TxnView): string {
  const ops = t.ops.map(([f, k, v]) =>
    f === 'r'
      ? `r ${shortJson(k, 20)} → ${shortJson(v, 60)}`
      : `${f} ${shortJson(k, 20)} ${shortJson(v, 20)}`,
  );
  return `<li><strong>${esc(tx(t.index))}</strong> (process ${esc(t.process)}, ${esc(t.outcome)}): ${esc(ops.join('; '))}</li>`;
}

function example(anomaly: AnomalyClass, count: number, ex: AnomalyExample | undefined): string {
  const story = ex?.steps?.length
    ? `<p>${esc(cycleStory(ex.steps))}</p>${cycleSvg(ex.steps)}`
    : ex
      ? `<p>${esc(ex.explanation)}</p>`
      : '';
  return `<details class="txn-anomaly"${count > 0 ? ' open' : ''}><summary><strong>${esc(anomaly)}</strong>: ${count.toLocaleString('en')}</summary><p class="explain">${esc(MEANING[anomaly])}</p>${story}${ex ? `<ul class="txns">${ex.txns.map(txnLine).join('')}</ul>` : ''}</details>`;
}

/** The transactions checker's section: each anomaly found, what it means, one example explained and drawn. */
export const transactionsSection: ReportSection<TransactionsResult> = {
  id: 'transactions',
  title: 'Transactions',
  render({ result: r }: ReportContext<TransactionsResult>): string {
    const explain = `<p class="explain">Clients ran transactions that append unique numbers to lists and read whole lists. Because every list only grows, the reads reveal the order in which the transactions took effect. An arrow from one transaction to another means the first must come before the second: <strong>ww</strong> (its append came earlier), <strong>wr</strong> (the second read what the first wrote), <strong>rw</strong> (the first read a list without what the second appended), <strong>process</strong> (same client, in order), <strong>rt</strong> (the first committed before the second began). A cycle of arrows means no order of the transactions explains what they saw.</p>`;
    const s = r.stats;
    const stats = `<p>${s.txns.toLocaleString('en')} transactions (${s.ok.toLocaleString('en')} committed, ${s.fail.toLocaleString('en')} aborted, ${s.info.toLocaleString('en')} unknown; ${s.recovered.toLocaleString('en')} appends of unknown ones seen after all) on ${s.keys.toLocaleString('en')} keys, ${s.edges.toLocaleString('en')} dependencies, checked in ${s.ms.toLocaleString('en')} ms.</p>`;
    const found = Object.entries(r.anomalies) as [AnomalyClass, number][];
    if (found.length === 0) {
      return `${explain}${stats}<p class="good">No anomaly: the history is consistent with strict serializability (the strongest model checked).</p>`;
    }
    const ruled = `<p><strong>Ruled out:</strong> ${esc(r.notOk.join(', '))}.</p>`;
    return `${explain}${stats}${ruled}${found.map(([a, n]) => example(a, n, r.examples[a])).join('\n')}`;
  },
};
