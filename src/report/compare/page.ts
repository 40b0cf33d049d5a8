import type { Validity } from '../../checker/types.js';
import { CHECKERS } from '../../checkers.js';
import { esc, inlineScript, inlineStyle, scriptJson } from '../escape.js';
import type { ReportAssets } from '../page.js';
import type { CompareRun } from './data.js';
import { duration, pct, type Reading, readRuns } from './reading.js';

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

/** What the comparison page's browser code draws (browser/compare.ts): each run's series and faults. */
export interface ComparePageData {
  runs: (Pick<CompareRun, 'label' | 'faults'> & CompareRun['series'] & { color: string })[];
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
  const readings = readRuns(runs);
  const color = (i: number) => RUN_COLORS[i % RUN_COLORS.length];
  const data: ComparePageData = {
    runs: runs.map((r, i) => ({
      label: r.label,
      color: color(i),
      second: r.series.second,
      answeredPct: r.series.answeredPct,
      opsPerS: r.series.opsPerS,
      faults: r.faults,
    })),
  };
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

  const rows = runs.map((r, i) => row(r, i, swatch(i))).join('\n');
  const readingItems = runs
    .map(
      (r, i) =>
        `<li class="reading ${esc(choiceClass(readings[i]))}">${swatch(i)}<strong>${esc(r.label)}</strong>: ${esc(readings[i].cap)}. <span class="else">${esc(readings[i].pacelc)}.</span>${r.notes.map((n) => ` <em>(${esc(n)})</em>`).join('')}</li>`,
    )
    .join('\n');
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
<thead><tr><th scope="col">run</th><th scope="col">store</th><th scope="col">topology</th><th scope="col">consistency</th><th scope="col">settings</th><th scope="col">workload</th><th scope="col">faults</th><th scope="col">seed</th><th scope="col" title="ok, or a definite answer such as a cas mismatch">answered during faults</th><th scope="col">answered outside</th>${CHECKERS.map((c) => (c.compare ? `<th scope="col">${esc(c.compare.column)}</th>` : '')).join('')}<th scope="col">latency p50 / p99</th><th scope="col">verdict</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
<p class="note">"Answered" counts operations that got an ok or a definite answer the operation asked for (a compare-and-set that found another value); the share of plain ok is in each cell's tooltip. A "-" means the run has no such measurement (that checker did not run, or there was no fault).</p>
</section>
<section id="readings">
<h2>In CAP and PACELC terms</h2>
<p class="note">Drawn from the measurements above: what each configuration did while a fault was active (CAP: consistency or availability), and its latency when nothing was broken (PACELC's "else": latency or consistency).</p>
<ul class="readings">
${readingItems}
</ul>
</section>
<section id="plots">
<h2>Over time</h2>
<p class="legend">${legend}</p>
<p class="hint">Time since each run's start. Each run's fault windows are a strip of its colour along the top of the plot (first run on top) and a light shade of it below. Drag to zoom both plots; double-click to zoom out.</p>
<figure class="plot"><figcaption><strong>Availability</strong>: share of the operations invoked in each second that were answered</figcaption><div id="plot-availability"></div></figure>
<figure class="plot"><figcaption><strong>Throughput</strong>: operations invoked per second</figcaption><div id="plot-throughput"></div></figure>
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

function row(r: CompareRun, i: number, swatch: string): string {
  const cell = (v: string | number | undefined, title?: string) =>
    `<td${title ? ` title="${esc(title)}"` : ''}>${v === undefined || v === '' ? '-' : esc(v)}</td>`;
  const share = (answered: number | null, ok: number | null) =>
    answered === null ? cell(undefined) : cell(pct(answered), ok === null ? undefined : `ok: ${pct(ok)}`);
  const checks = CHECKERS.map((c) => (c.compare ? cell(c.compare.cell(r.checks[c.name])) : '')).join('');
  const latency = r.latencyMs ? `${duration(r.latencyMs.p50)} / ${duration(r.latencyMs.p99)}` : undefined;
  const name = r.href ? `<a href="${esc(r.href)}">${esc(r.label)}</a>` : esc(r.label);
  return `<tr data-run="${i}"><th scope="row">${swatch}${name}</th>${cell(r.store)}${cell(r.topology)}${cell(r.consistency)}${cell(r.settings.join(', '))}${cell(r.workload)}${cell(r.nemesis)}${cell(r.seed)}${share(r.answeredInside, r.okInside)}${share(r.answeredOutside, r.okOutside)}${checks}${cell(latency)}<td class="verdict ${verdictClass(r.valid)}">${esc(verdictWord(r.valid, r.interrupted))}</td></tr>`;
}

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
table.compare { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: .95rem; }
table.compare th, table.compare td { padding: .35rem .6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.compare thead th { border-bottom: 2px solid var(--ink); font-size: .85rem; }
table.compare td { white-space: nowrap; }
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
