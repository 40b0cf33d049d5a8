import type { QueueResult } from '../../checker/queue.js';
import { esc } from '../escape.js';
import { countsTable, num } from './table.js';
import type { ReportContext, ReportSection } from './types.js';

const SHOWN = 50;

const GUARANTEE_WORDS: Record<QueueResult['delivery'], string> = {
  'exactly-once': 'exactly once: nothing lost, nothing delivered twice',
  'at-most-once': 'at most once: nothing delivered twice, but messages were lost',
  'at-least-once': 'at least once: nothing lost, but messages were delivered twice',
  neither: 'neither at most once nor at least once: messages were lost and others delivered twice',
};

/** The queue checker's section: what became of every message, and the delivery guarantee seen. */
export const queueSection: ReportSection<QueueResult> = {
  id: 'queue',
  title: 'Queue: delivered once?',
  render({ result: r }: ReportContext<QueueResult>): string {
    const explain = `<p class="explain">Producers put unique messages in a queue; consumers took them out and <strong>acknowledged</strong> them. Acknowledging on receipt gives <strong>at-most-once</strong> delivery (a consumer that dies before processing loses the message); acknowledging after processing gives <strong>at-least-once</strong> (a consumer that dies before acknowledging gets the message redelivered to another, so it may be processed twice). After the faults were healed, what was left was <strong>drained</strong>. A message whose enqueue was acknowledged and that never came out is <strong>lost</strong>; one that came out twice is <strong>duplicated</strong>; one that came out but was never put in is <strong>unexpected</strong>.</p>`;
    const verdict = `<p class="${r.valid === true ? 'good' : r.valid === false ? 'bad' : 'note'}">This history shows delivery <strong>${esc(GUARANTEE_WORDS[r.delivery])}</strong>; the system promised ${esc(r.promised)}.${
      r.notDequeued.count > 0
        ? ` ${num(r.notDequeued.count)} acknowledged messages never came out, but no drain ran, so they may still be queued.`
        : ''
    }</p>`;
    const counts = countsTable('Messages and what became of them', [
      [
        'enqueues acknowledged',
        r.enqueues.ok,
        `${num(r.enqueues.info)} unknown, ${num(r.enqueues.fail)} failed`,
      ],
      ['dequeues that took a message', r.dequeues.ok, `${num(r.dequeues.empty)} found the queue empty`],
      ['dequeues unknown', r.dequeues.info, 'each may have taken a message away'],
      ['messages delivered', r.delivered, `${num(r.drains)} drains`],
      ['lost', r.lost.count, 'acknowledged, never delivered'],
      ['duplicated', r.duplicated.count, `${num(r.duplicated.extra)} extra deliveries`],
      ['unexpected', r.unexpected.count, 'delivered, never (successfully) enqueued'],
      ['recovered', r.recovered.count, 'enqueue timed out, delivered after all'],
      ...(r.reordered
        ? [
            ['reordered', r.reordered.count, 'first delivered after a message enqueued later'] as [
              string,
              number,
              string,
            ],
          ]
        : []),
    ]);
    const listed = (label: string, found: { count: number; messages: number[] }) =>
      found.count === 0
        ? ''
        : `<p>${esc(label)}: ${found.messages.slice(0, SHOWN).map(num).join(', ')}${found.count > SHOWN ? ` … (${num(found.count)} in all)` : ''}</p>`;
    const duplicated =
      r.duplicated.count === 0
        ? ''
        : `<details><summary>Duplicated messages: who got them</summary><ul>${r.duplicated.messages
            .slice(0, SHOWN)
            .map(
              (d) =>
                `<li>message ${num(d.message)}${d.key === null ? '' : ` in ${esc(d.key)}`}: ${d.deliveries.map((x) => `process ${x.process} at ${x.at.toFixed(3)} s`).join(', ')}</li>`,
            )
            .join('')}</ul></details>`;
    return `${explain}${verdict}<div class="tables">${counts}</div>${listed('Lost', r.lost)}${listed('Unexpected', r.unexpected)}${duplicated}`;
  },
};
