import type { Validity } from '../../checker/types.js';
import { CHECKERS } from '../../checkers.js';
import { esc, inlineScript, inlineStyle, scriptJson } from '../escape.js';
import type { ReportAssets } from '../page.js';
import type { CompareRun, Lesson } from './data.js';
import { closing as closingSentence, lessonReading, pageLesson } from './lessons.js';
import { capClosing, duration, pct, type Reading, readRuns } from './reading.js';

/** What a matrix preset says about its grid, shown above the table. */
export interface CompareIntro {
  title: string;
  explanation?: string;
  lookFor?: string;
  /** The command that ran the whole grid. */
  command?: string;
  /** Planned runs that did not run (an interrupt), by label. */
  skipped?: string[];
}

/** One plot of the page: each run's values per second since its start. */
export interface ComparePlot {
  id: string;
  yLabel: string;
  /** Fixed y range (a share in %), else fitted. */
  range?: [number, number];
  /** By run, in the order of `runs`. */
  series: { second: number[]; values: (number | null)[] }[];
}

/** What the comparison page's browser code draws (browser/compare.ts): each run's series and faults. */
export interface ComparePageData {
  runs: (Pick<CompareRun, 'label' | 'faults'> & { color: string })[];
  plots: ComparePlot[];
}

/** A column of the run table that depends on the lesson. */
interface Column {
  head: string;
  title?: string;
  cell(r: CompareRun): string | undefined;
}

/** Okabe-Ito: told apart by most colour-blind readers; cycled past eight runs. */
const RUN_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C6D1F'];

/** The comparison page, one self-contained file. Pure: the caller reads the runs and writes the page. */
export function renderComparePage(
  runs: readonly CompareRun[],
  intro: CompareIntro,
  assets: ReportAssets,
  version = '',
): string {
  const lesson = pageLesson(runs);
  const readings = readRuns(runs);
  const color = (i: number) => RUN_COLORS[i % RUN_COLORS.length];
  // A CAP page whose runs judged stale reads shows when they happened, against the faults.
  const lessonPlots = [
    ...PLOTS[lesson === 'cache' ? 'cache' : 'service'],
    ...(lesson === 'cap' && runs.some((r) => r.staleSeries) ? [STALE_PLOT] : []),
  ];
  const data: ComparePageData = {
    runs: runs.map((r, i) => ({ label: r.label, color: color(i), faults: r.faults })),
    plots: lessonPlots.map((p) => ({
      id: p.id,
      yLabel: p.yLabel,
      range: p.range,
      series: runs.map((r) => p.series(r)),
    })),
  };
  // What ran, then the lesson's measurements; a column of what ran that no run has (a lock run's
  // consistency level) is left out rather than shown as a column of dashes.
  const columns = [
    ...RUN_COLUMNS.filter((c) => runs.some((r) => (c.cell(r) ?? '') !== '')),
    ...lessonColumns(lesson, runs),
  ];
  const swatch = (i: number) => `<span class="run-sw" style="background:${color(i)}"></span>`;
  const paragraphs = (t: string | undefined) =>
    (t ?? '')
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .map((p) => `<p>${esc(p)}</p>`)
      .join('\n');
  const intros = [
    intro.explanation ? `<div class="explanation">${paragraphs(intro.explanation)}</div>` : '',
    intro.lookFor ? `<div class="look-for"><h2>What to look for</h2>${paragraphs(intro.lookFor)}</div>` : '',
    intro.command
      ? `<div class="reproduce"><span>The whole grid:</span> <code id="grid-command">${esc(intro.command)}</code> <button class="copy" type="button" data-for="grid-command">copy</button></div>`
      : '',
    intro.skipped && intro.skipped.length > 0
      ? `<p class="note">Interrupted: ${esc(intro.skipped.join(', '))} did not run.</p>`
      : '',
  ].join('\n');

  const rows = runs.map((r, i) => row(r, i, swatch(i), columns)).join('\n');
  const readingItems = runs
    .map((r, i) => {
      const notes = r.notes.map((n) => ` <em>(${esc(n)})</em>`).join('');
      const head = `${swatch(i)}<strong>${esc(r.label)}</strong>: `;
      if (lesson === 'cap') {
        return `<li class="reading ${esc(choiceClass(readings[i]))}">${head}${esc(readings[i].cap)}. <span class="else">${esc(readings[i].pacelc)}.</span>${notes}</li>`;
      }
      const words = lessonReading(lesson, r);
      return `<li class="reading">${head}${esc(words)}.${notes}</li>`;
    })
    .join('\n');
  const closing = lesson === 'cap' ? capClosing(runs, readings) : closingSentence(lesson, runs);
  const section = READINGS[lesson];
  const commands = runs
    .map(
      (r, i) =>
        `<li>${swatch(i)}<strong>${esc(r.label)}</strong> · seed ${esc(r.seed ?? '-')}${r.href ? ` · <a href="${esc(r.href)}">report</a>` : ''}<br><code id="cmd-${i}">${esc(r.command)}</code> <button class="copy" type="button" data-for="cmd-${i}">copy</button></li>`,
    )
    .join('\n');
  const legend = runs.map((r, i) => `${swatch(i)}${esc(r.label)}`).join(' ');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(intro.title)}</title>
<style>${inlineStyle(assets.uplotCss)}</style>
<style>${COMPARE_CSS}</style>
</head>
<body>
<main>
<header>
<p class="kicker">dscheck comparison · ${runs.length} run${runs.length === 1 ? '' : 's'}</p>
<h1>${esc(intro.title)}</h1>
${intros}
</header>
<section id="runs">
<h2>Runs</h2>
<div class="scroll"><table class="compare">
<thead><tr><th scope="col">run</th>${columns.map((c) => `<th scope="col"${c.title ? ` title="${esc(c.title)}"` : ''}>${esc(c.head)}</th>`).join('')}<th scope="col">latency p50 / p99</th><th scope="col">verdict</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
<p class="note">${esc(TABLE_NOTES[lesson])} A "-" means the run has no such measurement (that checker did not run, or there was no fault).</p>
</section>
<section id="readings">
<h2>${esc(section.title)}</h2>
<p class="note">${esc(section.note)}</p>
<ul class="readings">
${readingItems}
</ul>
${closing ? `<p class="closing">${esc(closing)}</p>` : ''}
</section>
<section id="plots">
<h2>Over time</h2>
<p class="legend">${legend}</p>
<p class="hint">Time since each run's start. Each run's fault windows are a strip of its colour along the top of the plot (first run on top) and a light shade of it below. Drag across a plot to zoom them all; double-click to zoom out.</p>
${lessonPlots.map((p) => `<figure class="plot"><figcaption><strong>${esc(p.title)}</strong>: ${esc(p.caption)}</figcaption><div id="${esc(p.id)}"></div></figure>`).join('\n')}
</section>
<section id="reproduce">
<h2>Reproduce</h2>
<p class="note">Each command repeats its run exactly: the same seed gives the same operations and the same fault schedule.</p>
<ul class="commands">
${commands}
</ul>
</section>
<footer>dscheck${version ? ` ${esc(version)}` : ''} · this page works offline: everything it needs is inside it.</footer>
</main>
<script type="application/json" id="compare-data">${scriptJson(data)}</script>
<script>${inlineScript(assets.uplotJs)}</script>
<script>${inlineScript(assets.scripts.compare)}</script>
</body>
</html>
`;
}

function row(r: CompareRun, i: number, swatch: string, columns: readonly Column[]): string {
  const cell = (v: string | number | undefined, title?: string) =>
    `<td${title ? ` title="${esc(title)}"` : ''}>${v === undefined || v === '' ? '-' : esc(v)}</td>`;
  const latency = r.latencyMs ? `${duration(r.latencyMs.p50)} / ${duration(r.latencyMs.p99)}` : undefined;
  const name = r.href ? `<a href="${esc(r.href)}">${esc(r.label)}</a>` : esc(r.label);
  return `<tr data-run="${i}"><th scope="row">${swatch}${name}</th>${columns.map((c) => cell(c.cell(r))).join('')}${cell(latency)}<td class="verdict ${verdictClass(r.valid)}">${esc(verdictWord(r.valid, r.interrupted))}</td></tr>`;
}

/** What ran: the same columns on every page. */
const RUN_COLUMNS: Column[] = [
  { head: 'store', cell: (r) => r.store },
  { head: 'topology', cell: (r) => r.topology },
  { head: 'consistency', cell: (r) => r.consistency },
  { head: 'settings', cell: (r) => r.settings.join(', ') },
  { head: 'workload', cell: (r) => r.workload },
  { head: 'faults', cell: (r) => r.nemesis },
  { head: 'seed', cell: (r) => (r.seed === undefined ? undefined : String(r.seed)) },
];

const share = (x: number | null | undefined) => (x === null || x === undefined ? undefined : pct(x));

/**
 * The columns of a lesson: a cache's hit ratio, database load, recovery and moved keys; otherwise
 * availability (by operations, by client time, on the cut-off side) and the checkers' columns that
 * some run on the page has (a checker none of them ran would be a column of dashes).
 */
function lessonColumns(lesson: Lesson, runs: readonly CompareRun[]): Column[] {
  if (lesson === 'cache') return CACHE_COLUMNS;
  if (lesson === 'lock') return LOCK_COLUMNS;
  if (lesson === 'queue') return QUEUE_COLUMNS;
  if (lesson === 'transactions') return TXN_COLUMNS;
  const checkers: Column[] = CHECKERS.flatMap((c) => {
    const compare = c.compare;
    if (!compare || !runs.some((r) => r.checks[c.name] !== undefined)) return [];
    return [{ head: compare.column, cell: (r: CompareRun) => compare.cell(r.checks[c.name]) }];
  });
  return [
    {
      head: 'answered during faults',
      title:
        'operations that got an ok or a definite answer such as a cas mismatch; in brackets, the share of client time with answers',
      cell: (r) =>
        r.answeredInside === null
          ? undefined
          : `${pct(r.answeredInside)}${r.clientTime?.insideFaults.share == null ? '' : ` (${pct(r.clientTime.insideFaults.share)} of time)`}`,
    },
    {
      head: 'cut-off side, client time',
      title:
        'the share of the time of clients on the minority side of a partition (or of a killed or paused node) in which they got answers',
      cell: (r) => {
        const side = r.sides.find((x) => x.side === 'minority' || x.side === 'faulted');
        return side
          ? `${share(side.clientTime.share ?? side.answeredShare)} (${side.nodes.join(', ')})`
          : undefined;
      },
    },
    { head: 'answered outside', cell: (r) => share(r.answeredOutside) },
    ...checkers,
  ];
}

const CACHE_COLUMNS: Column[] = [
  {
    head: 'hit ratio before → lowest',
    cell: ({ cache: c }) =>
      c?.hitRatioBefore == null ? undefined : `${pct(c.hitRatioBefore)} → ${share(c.lowestHitRatio) ?? '-'}`,
  },
  {
    head: 'database queries/s steady → peak (spike)',
    cell: ({ cache: c }) =>
      c === undefined
        ? undefined
        : `${c.steadyDbQps === null ? '-' : Math.round(c.steadyDbQps)} → ${c.peakDbQps}${c.spike === null ? '' : ` (${c.spike.toFixed(1)}×)`}`,
  },
  {
    head: 'recovery',
    cell: ({ cache: c }) =>
      c === undefined || c.faults === 0
        ? undefined
        : c.recoveryS === null
          ? 'not recovered'
          : duration(c.recoveryS * 1000),
  },
  {
    head: 'keys moved (predicted / observed)',
    cell: ({ cache: c }) =>
      c?.movedPredicted === undefined
        ? undefined
        : `${pct(c.movedPredicted)} / ${share(c.movedObserved) ?? '-'}`,
  },
  {
    head: 'database load peak / mean',
    title: 'synchronized expiry shows as a peak far above the mean, every TTL',
    cell: ({ cache: c }) => (c?.peakOverMean == null ? undefined : `${c.peakOverMean.toFixed(2)}×`),
  },
  { head: 'stale cache reads', cell: ({ cache: c }) => (c === undefined ? undefined : String(c.staleReads)) },
  { head: 'errors', cell: ({ cache: c }) => (c === undefined ? undefined : String(c.errors)) },
];

const LOCK_COLUMNS: Column[] = [
  {
    head: 'holder pause / lease',
    cell: ({ lock: l }) =>
      l === undefined
        ? undefined
        : `${l.holderPauseMs ? duration(l.holderPauseMs) : 'none'} / ${l.leaseMs === undefined ? '-' : duration(l.leaseMs)}`,
  },
  {
    head: 'fenced resource',
    cell: ({ lock: l }) => (l?.fencing === undefined ? undefined : l.fencing ? 'yes' : 'no'),
  },
  { head: 'grants', cell: ({ lock: l }) => l && count(l.grants) },
  {
    head: 'leases lost by their holder',
    title:
      'releases that found the lock no longer theirs: the lease ran out while the holder still believed it held it',
    cell: ({ lock: l }) => l && count(l.lostLeases),
  },
  {
    head: 'overlapping holders (longest)',
    title: 'times two clients believed they held the lock at once',
    cell: ({ lock: l }) =>
      l && `${count(l.overlaps)}${l.overlaps > 0 ? ` (${duration(l.longestOverlapMs)})` : ''}`,
  },
  {
    head: 'unsafe writes accepted',
    title:
      'fencing violations: writes the resource accepted with an older token than one it had already taken',
    cell: ({ lock: l }) => l && count(l.unsafe),
  },
  { head: 'rejected by the fence', cell: ({ lock: l }) => l && count(l.fenced) },
  {
    head: 'as a plain mutex',
    title:
      'acquire and release checked for linearizability against a mutex that knows no leases: a lease that runs out under its holder breaks it',
    cell: ({ lock: l }) => l && (l.mutex === true ? 'valid' : l.mutex === false ? 'invalid' : 'unknown'),
  },
];

const QUEUE_COLUMNS: Column[] = [
  {
    head: 'delivery promised → seen',
    cell: ({ queue: q }) => q && `${q.promised} → ${q.delivery}`,
  },
  { head: 'queue', cell: ({ queue: q }) => q?.queue },
  { head: 'acknowledged enqueues', cell: ({ queue: q }) => q && count(q.acknowledged) },
  { head: 'lost', cell: ({ queue: q }) => q && count(q.lost) },
  {
    head: 'duplicated (extra deliveries)',
    cell: ({ queue: q }) => q && `${count(q.duplicated)} (${count(q.extraDeliveries)})`,
  },
  {
    head: 'out of order',
    title: 'messages first delivered after a message enqueued after them had been delivered',
    cell: ({ queue: q }) => (q?.reordered === undefined ? undefined : count(q.reordered)),
  },
  {
    head: 'recovered',
    title: 'enqueues that timed out (unknown) whose message was delivered after all',
    cell: ({ queue: q }) => q && count(q.recovered),
  },
  { head: 'answered during faults', cell: (r) => share(r.answeredInside) },
];

const TXN_COLUMNS: Column[] = [
  { head: 'isolation', cell: ({ txn: t }) => t?.isolation },
  {
    head: 'transactions ok / aborted / unknown',
    cell: ({ txn: t }) => t && `${count(t.ok)} / ${count(t.aborted)} / ${count(t.unknown)}`,
  },
  {
    head: 'anomalies',
    cell: ({ txn: t }) =>
      t &&
      (Object.keys(t.anomalies).length === 0
        ? 'none'
        : Object.entries(t.anomalies)
            .map(([name, n]) => `${name} ×${count(n)}`)
            .join(', ')),
  },
  {
    head: 'rules out',
    title: 'the weakest consistency model the anomalies rule out (and every stronger one)',
    cell: ({ txn: t }) => t && (t.ruledOut[0] ?? 'nothing'),
  },
];

const count = (n: number) => n.toLocaleString('en');

/** The plots of a lesson, each with its per-run series. */
const PLOTS: Record<
  'cache' | 'service',
  (Omit<ComparePlot, 'series'> & {
    title: string;
    caption: string;
    series(r: CompareRun): ComparePlot['series'][number];
  })[]
> = {
  service: [
    {
      id: 'plot-availability',
      title: 'Availability',
      caption: 'share of the operations invoked in each second that were answered',
      yLabel: 'answered (%)',
      range: [0, 100],
      series: (r) => ({ second: r.series.second, values: r.series.answeredPct }),
    },
    {
      id: 'plot-throughput',
      title: 'Throughput',
      caption: 'operations invoked per second',
      yLabel: 'operations per second',
      series: (r) => ({ second: r.series.second, values: r.series.opsPerS }),
    },
  ],
  cache: [
    {
      id: 'plot-hit-ratio',
      title: 'Hit ratio',
      caption: 'share of the cache reads of each second that found their key in the cache',
      yLabel: 'hit ratio (%)',
      range: [0, 100],
      series: (r) => ({ second: r.cache?.series.second ?? [], values: r.cache?.series.hitPct ?? [] }),
    },
    {
      id: 'plot-db-load',
      title: 'Database load',
      caption: 'database queries begun in each second (the cache misses and the writes)',
      yLabel: 'queries per second',
      series: (r) => ({ second: r.cache?.series.second ?? [], values: r.cache?.series.dbQps ?? [] }),
    },
  ],
};

const STALE_PLOT: (typeof PLOTS)['service'][number] = {
  id: 'plot-stale-reads',
  title: 'Stale reads',
  caption: 'share of the reads invoked in each second that returned a value already overwritten',
  yLabel: 'stale reads (%)',
  range: [0, 100],
  series: (r) => ({ second: r.staleSeries?.second ?? [], values: r.staleSeries?.stalePct ?? [] }),
};

const READINGS: Record<Lesson, { title: string; note: string }> = {
  cap: {
    title: 'In CAP and PACELC terms',
    note: 'Drawn from the measurements above: what each configuration did while a fault was active (CAP: consistency or availability), judged by the clients on the cut-off side of each fault and by client time, not only by operations; anomalies that also happen without faults are told apart; and its latency when nothing was broken (PACELC\'s "else": latency or consistency).',
  },
  cache: {
    title: 'What the cache did',
    note: 'Drawn from the cold-cache checker of each run: at the fault that raised the database load most, how far the hit ratio fell, how much load reached the database and how long until the hit ratio was back.',
  },
  transactions: {
    title: "The transactions' anomalies",
    note: 'Drawn from the transactions checker: the anomalies (cycles of dependencies between transactions) each run showed, by class, the weakest consistency model they rule out, and how many transactions the database aborted instead.',
  },
  lock: {
    title: 'What the lock let its holders do',
    note: 'Drawn from the lock checker: leases that ran out under a holder that still believed in them, times two clients held the lock at once, and writes the protected resource accepted with an old token (fencing violations) or rejected (the fence).',
  },
  queue: {
    title: 'What became of the messages',
    note: 'Drawn from the queue checker, per delivery mode: acknowledged messages lost, messages delivered more than once, and messages delivered out of order, against the delivery the run promised.',
  },
};

const TABLE_NOTES: Record<Lesson, string> = {
  cap: '"Answered" counts operations that got an ok or a definite answer the operation asked for (a compare-and-set that found another value); "of time" is the share of client time with answers; the cut-off side is the minority of a partition or a killed or paused node.',
  cache:
    'The numbers are those of the fault after which the database load rose most; the hit ratio is back when within 5% of before.',
  transactions:
    'An anomaly is a cycle of dependencies between transactions that no serial order explains; aborted transactions are those the database refused (deadlock, conflict).',
  lock: 'A holder believes it holds the lock from its grant until it begins to release, at most for its lease; an unsafe write is one the resource accepted with an older token than one it had already taken.',
  queue:
    'Lost: acknowledged, never delivered, not even by the final drain; out of order: first delivered after a message enqueued after it had been delivered.',
};

function verdictWord(valid: Validity, interrupted: boolean): string {
  const word = valid === true ? 'valid' : valid === false ? 'invalid' : 'unknown';
  return interrupted ? `${word} (interrupted)` : word;
}

function verdictClass(valid: Validity): string {
  return valid === true ? 'valid' : valid === false ? 'invalid' : 'unknown';
}

function choiceClass(reading: Reading): string {
  return `choice-${reading.choice.replace(/ /g, '-')}`;
}

const COMPARE_CSS = `
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --blue: #0072B2;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); }
main { max-width: 1500px; margin: 0 auto; padding: 1.5rem 1.5rem 3rem; }
h1 { margin: .2rem 0 .6rem; font-size: 1.8rem; } h2 { margin-top: 2rem; }
.kicker { margin: 0; color: var(--muted); }
.explanation p, .look-for p { max-width: 70rem; }
.look-for { background: var(--panel); border-left: 4px solid var(--blue); padding: .2rem 1rem; margin: 1rem 0; }
.look-for h2 { margin: .6rem 0 0; font-size: 1.1rem; }
.scroll { overflow-x: auto; }
table.compare { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: .85rem; }
table.compare th, table.compare td { padding: .3rem .35rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.compare thead th { border-bottom: 2px solid var(--ink); font-size: .8rem; }
/* Values may wrap anywhere, so the table's narrowest width fits the box and it never runs off the page. */
table.compare th, table.compare td { overflow-wrap: anywhere; }
.closing { font-weight: 600; max-width: 70rem; }
td.verdict.valid { color: #006b4f; font-weight: 600; } td.verdict.invalid { color: #a63d00; font-weight: 600; }
td.verdict.unknown { color: #8a6100; font-weight: 600; }
.run-sw { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin: 0 .4em 0 .2em; vertical-align: -.05em; }
.readings li, .commands li { margin: .5rem 0; }
.readings .else { color: var(--muted); }
.commands code, .reproduce code { background: var(--panel); border: 1px solid var(--line); padding: .15rem .4rem; border-radius: 4px; word-break: break-all; font: 13px var(--mono); }
button { font: inherit; font-size: .85rem; padding: .15rem .6rem; border: 1px solid var(--line); border-radius: 5px; background: #fff; cursor: pointer; }
.note, .hint, .legend { color: var(--muted); font-size: .95rem; }
.plot { margin: 0 0 1.6rem; }
a { color: var(--blue); }
footer { margin-top: 3rem; color: var(--muted); font-size: .9rem; }
`;
