import type { LockResult } from '../../checker/lock.js';
import { esc } from '../escape.js';
import { countsTable, num, storyList } from './table.js';
import type { ReportContext, ReportSection } from './types.js';

/** The lock checker's section: who held the lock when, and what the resource accepted. */
export const lockSection: ReportSection<LockResult> = {
  id: 'lock',
  title: 'Lock: one holder at a time?',
  render({ result: r }: ReportContext<LockResult>): string {
    const explain = `<p class="explain">Clients took a <strong>lease lock</strong>: the lock is theirs for a limited time (the <strong>lease</strong>) unless they release it first, so a crashed holder cannot block everyone forever. While holding it, a client wrote to a shared resource, together with a <strong>fencing token</strong>: a number the lock service raises with every grant. The danger is a holder that stops for a while (a long garbage-collection pause, a slow network) without knowing it: its lease runs out, someone else takes the lock, and the first one wakes up and writes as if it still held it. A <strong>fenced</strong> resource remembers the highest token it has seen and rejects writes with an older one; an unfenced one accepts them.</p>`;
    const problems: string[] = [];
    if (r.overlaps.count > 0)
      problems.push(
        `<strong>${num(r.overlaps.count)}</strong> times two clients held the lock at once (longest ${num(r.overlaps.maxMs)} ms, ${num(r.overlaps.totalMs)} ms in all)`,
      );
    if (r.unsafe.count > 0)
      problems.push(
        `the resource accepted <strong>${num(r.unsafe.count)}</strong> writes with an old token after a newer one had written: a fencing check would have rejected each of them`,
      );
    if (r.mutex.valid === false)
      problems.push('acquire and release do not behave like a lock that one client holds at a time');
    const verdict =
      problems.length > 0
        ? `<p class="bad">${problems.join('; ')}.</p>`
        : r.mutex.valid === 'unknown'
          ? '<p class="note">No overlap and no unsafe write found; the check of acquire and release as a lock gave up.</p>'
          : `<p class="good">One holder at a time: ${num(r.holds)} grants, none overlapping, and no write with an old token accepted${r.writes.fenced > 0 ? ` (the fence rejected ${num(r.writes.fenced)})` : ''}.</p>`;
    const counts = countsTable('Lock operations and protected writes', [
      ['grants', r.acquires.ok, `${num(r.acquires.fail)} refused, ${num(r.acquires.info)} unknown`],
      ['releases', r.releases.ok, `${num(r.releases.fail)} found the lock no longer theirs`],
      ['writes accepted', r.writes.ok, `${num(r.unsafe.count)} of them with an old token`],
      ['writes rejected by the fence', r.writes.fenced, 'a newer token had written'],
      ['writes failed / unknown', r.writes.fail, `${num(r.writes.info)} unknown`],
      ['overlapping holders', r.overlaps.count, `${num(r.overlaps.totalMs)} ms in all`],
    ]);
    const mutex =
      r.mutex.failures.length === 0
        ? ''
        : `<p>As a plain lock: ${esc(r.mutex.failures[0].explanation)}. A lease that runs out while its holder still works is exactly this: the lock became free without a release.</p>`;
    return `${explain}${verdict}<div class="tables">${counts}</div>${mutex}${storyList(
      'Unsafe writes, told in order',
      r.unsafe.examples.map((u) => u.story),
      r.unsafe.count,
    )}${storyList(
      'Overlapping holders',
      r.overlaps.examples.map((o) => o.story),
      r.overlaps.count,
    )}`;
  },
};
