import { perf, perfChecker } from '../checker/perf.js';
import { type CheckerResult, resultOf } from '../checker/types.js';
import type { History } from '../history/types.js';
import { type PageData, pageData } from './data.js';
import { digestHistory } from './digest.js';
import { esc, inlineScript, inlineStyle, scriptJson } from './escape.js';
import { faultSpans } from './faults.js';
import { type ReportContext, type ReportSection, sectionFor, sectionOrder } from './sections/index.js';
import type { ReportHistory } from './sections/types.js';
import { type RunMeta, verdictOf } from './verdict.js';

/**
 * The pages' browser code as bin/build-browser.mjs bundled it from src/report/browser/: the
 * report's runtime, the comparison page's, and each section script by its module's name.
 */
export interface BrowserScripts {
  page: string;
  compare: string;
  sections: Readonly<Record<string, string>>;
}

/** What the pages inline: uPlot's code and style sheet, and dscheck's own browser code. */
export interface ReportAssets {
  uplotJs: string;
  uplotCss: string;
  scripts: BrowserScripts;
}

export interface ReportInput {
  meta: RunMeta;
  history: ReportHistory & Pick<History, 'warnings'>;
  /** Each checker's result by name, as results.json holds them. */
  checkers: Record<string, CheckerResult>;
  /** Files beside the page worth a link (history, results, logs), relative to it. */
  links?: { href: string; text: string }[];
  /** dscheck's version, for the footer. */
  version?: string;
}

/**
 * The whole report as one self-contained HTML page: verdict, plots, timeline and a section per
 * checker. Pure: the caller reads the files and writes the result.
 */
export function renderReport(input: ReportInput, assets: ReportAssets): string {
  const { meta, history } = input;
  const digest =
    history.digest ?? digestHistory(history, (end) => faultSpans(history.nemesis, end), input.checkers);
  const { axis } = digest;
  const spans = faultSpans(history.nemesis, digest.end);
  const perfResult = resultOf(perfChecker, input.checkers) ?? perf(history);
  const checkers: Record<string, CheckerResult> = { ...input.checkers, [perfChecker.name]: perfResult };
  const verdict = verdictOf(meta, input.checkers, perfResult, spans, digest.writes);

  const sections = sectionOrder(Object.keys(checkers)).map((name) => {
    const section = sectionFor(name);
    const context: ReportContext = {
      name,
      result: checkers[name],
      results: checkers,
      history,
      spans,
      axis,
      perf: perfResult,
    };
    return { section, context };
  });
  const data: PageData = {
    ...pageData(digest, spans),
    sections: Object.fromEntries(
      sections
        .filter(({ section }) => section.data)
        .map(({ section, context }) => [section.id, section.data?.(context)]),
    ),
  };

  const tone = verdict.valid === true ? 'valid' : verdict.valid === false ? 'invalid' : 'unknown';
  const nav = [
    ['plots', 'Plots'],
    ['timeline', 'Timeline'],
    ...sections.map(({ section }) => [section.id, section.title]),
  ]
    .map(([id, title]) => `<a href="#${esc(id)}">${esc(title)}</a>`)
    .join('');
  const sectionHtml = sections
    .map(
      ({ section, context }) =>
        `<section id="${esc(section.id)}" class="checker">\n<h2>${esc(section.title)}</h2>\n${section.render(context)}\n</section>`,
    )
    .join('\n');
  const sectionScripts = sections
    .map(({ section }) => sectionScript(section, assets.scripts))
    .filter((script) => script !== '')
    .join('\n');
  const warnings =
    history.warnings.length === 0
      ? ''
      : `<details class="warnings"><summary>${history.warnings.length} warning(s) while reading the history</summary><ul>${history.warnings
          .slice(0, 100)
          .map((w) => `<li>line ${w.line}: ${esc(w.message)}</li>`)
          .join('')}</ul></details>`;
  const links =
    input.links && input.links.length > 0
      ? `<p class="files">Files: ${input.links.map((l) => `<a href="${esc(l.href)}">${esc(l.text)}</a>`).join(' · ')}</p>`
      : '';
  const legend = (extra = ''): string =>
    `<p class="legend"><span class="sw ok"></span>ok <span class="sw fail"></span>fail (not applied) <span class="sw info"></span>info (unknown: timed out) <span class="sw fault"></span>fault window (labelled)${extra}</p>`;
  const summary = data.summary
    ? `<p class="note summary">This history holds ${data.summary.operations.toLocaleString('en')} operations, too many for one page: the plots and statistics cover all of them (drawn per interval), while the timeline holds the ${data.summary.shown.toLocaleString('en')} operations invoked within ${data.summary.windowS} s of ${data.summary.moments} moment(s) (each fault's start and end and each anomaly; the start of the history when there is none), and the strip below it the density of all. Every operation is in the history file${input.links?.some((l) => l.text === 'history.ndjson') ? ' (history.ndjson)' : ''}.</p>`
    : '';
  const plotsLegendNote =
    data.plots.latency.downsampled === true
      ? ' · downsampled: the fastest and slowest operation per pixel column'
      : '';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(meta.title)}: ${esc(verdict.headline)}</title>
<style>${inlineStyle(assets.uplotCss)}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
<header class="verdict ${tone}">
<p class="kicker">dscheck report · ${esc(meta.title)}${meta.startedAt ? ` · ${esc(meta.startedAt)}` : ''}</p>
<h1>${esc(verdict.headline)}</h1>
<p class="ran">${esc(verdict.ran)}</p>
${verdict.meaning.map((m) => `<p class="meaning">${esc(m)}</p>`).join('\n')}
<ul class="found">
${verdict.found.map((f) => `<li>${esc(f)}</li>`).join('\n')}
</ul>
<div class="reproduce"><span>Reproduce:</span> <code id="command">${esc(meta.command)}</code> <button id="copy-command" type="button">copy</button></div>
${links}
${summary}
${warnings}
</header>
<nav>${nav}</nav>
<section id="plots">
<h2>Plots</h2>
<p class="hint">Drag across a plot to zoom all plots and the timeline there; double-click to zoom out.</p>
<figure class="plot"><figcaption><strong>Latency of every operation</strong> by invocation time${legend(plotsLegendNote)}</figcaption><div id="plot-latency"></div></figure>
<figure class="plot"><figcaption><strong>Throughput</strong>: ${axis.unit === 's' ? `completions per second${data.plots.throughput.width === 1 ? '' : ` (in ${data.plots.throughput.width} s intervals)`}` : `completions per ${data.plots.throughput.width} events`}, by outcome${legend()}</figcaption><div id="plot-throughput"></div></figure>
<figure class="plot"><figcaption><strong>Availability</strong>: share of operations invoked in each interval that succeeded<p class="legend"><span class="sw avail"></span>operations ok (%) <span class="sw fault"></span>fault window</p></figcaption><div id="plot-availability"></div></figure>
</section>
<section id="timeline">
<h2>Timeline</h2>
${data.summary ? `<p class="note">Only the operations near a fault's start or end or an anomaly are drawn (${data.summary.shown.toLocaleString('en')} of ${data.summary.operations.toLocaleString('en')}); the strip shows every operation's start.</p>` : ''}
<p class="legend"><span class="sw ok"></span>ok <span class="sw fail"></span>fail <span class="sw info"></span>info <span class="sw open"></span>never completed <span class="sw fault"></span>fault window · one row per client (processes that replace a timed-out one share its row) · hover a bar for the operation</p>
<div class="tl-controls"><button id="tl-left" type="button" title="earlier (←)">◀ earlier</button><button id="tl-right" type="button" title="later (→)">later ▶</button><button id="tl-in" type="button" title="zoom in (+)">zoom in</button><button id="tl-out" type="button" title="zoom out (−)">zoom out</button><button id="tl-all" type="button">whole run</button><span id="timeline-window" aria-live="polite"></span></div>
<div class="tl-frame"><canvas id="timeline-main" aria-label="operations per client over time"></canvas></div>
<canvas id="timeline-overview" aria-label="the whole run; click or drag to move the window"></canvas>
<p class="hint">The strip shows the whole run (operations started per moment, faults shaded): click or drag it to move the window; scroll over the timeline to zoom.</p>
</section>
${sectionHtml}
<footer>Written by dscheck${input.version ? ` ${esc(input.version)}` : ''}. One self-contained file: it needs no network.</footer>
</main>
<div id="tip" role="tooltip" hidden></div>
<script type="application/json" id="dscheck-data">${scriptJson(data)}</script>
<script>${inlineScript(assets.uplotJs)}</script>
<script>${inlineScript(assets.scripts.page)}</script>
${sectionScripts}
</body>
</html>
`;
}

/**
 * A section's bundled script, run on its element: the bundle sets `dscheckSection` (see
 * bin/build-browser.mjs), kept local by the function around it.
 */
function sectionScript(section: ReportSection, scripts: BrowserScripts): string {
  if (section.script === undefined) return '';
  const code = scripts.sections[section.script];
  if (code === undefined) {
    throw new Error(
      `section ${section.id} names the browser script ${section.script}, which src/report/browser/sections/ does not have (has: ${Object.keys(scripts.sections).join(', ')})`,
    );
  }
  return `<script>(function () {\n${inlineScript(code)}\ndscheck.section(${scriptJson(section.id)}, dscheckSection.draw);\n})();</script>`;
}

const PAGE_CSS = `
:root { --ok: #009E73; --fail: #D55E00; --info: #E69F00; --blue: #0072B2; --ink: #1b1f24; --muted: #57606a;
  --line: #d0d7de; --panel: #f6f8fa; --mono: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 17px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 2.1rem; line-height: 1.2; margin: .2rem 0 .5rem; }
h2 { font-size: 1.55rem; margin: 2.4rem 0 .6rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.2rem; margin: 1.6rem 0 .4rem; }
code, pre { font-family: var(--mono); font-size: .92em; }
pre { background: var(--panel); padding: .8rem; overflow: auto; white-space: pre-wrap; word-break: break-word; }
.verdict { border-left: 10px solid var(--muted); background: var(--panel); padding: 18px 24px; border-radius: 6px; }
.verdict.valid { border-color: var(--ok); } .verdict.invalid { border-color: var(--fail); } .verdict.unknown { border-color: var(--info); }
.verdict.invalid h1 { color: #a63d00; } .verdict.valid h1 { color: #006b4f; }
.kicker { margin: 0; color: var(--muted); font-size: .95rem; }
.ran { font-weight: 600; margin: .2rem 0 .6rem; }
.meaning { font-size: 1.15rem; margin: .4rem 0; }
.found { margin: .6rem 0; padding-left: 1.2rem; }
.reproduce { margin-top: .8rem; display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
.reproduce code { background: #fff; border: 1px solid var(--line); padding: .25rem .5rem; border-radius: 4px; word-break: break-all; }
button { font: inherit; font-size: .9rem; padding: .25rem .7rem; border: 1px solid var(--line); border-radius: 5px; background: #fff; cursor: pointer; }
button:hover { background: var(--panel); }
nav { position: sticky; top: 0; z-index: 5; background: rgba(255,255,255,.96); border-bottom: 1px solid var(--line);
  display: flex; gap: 1.2rem; padding: .5rem 0; margin-top: 1rem; flex-wrap: wrap; }
nav a { color: var(--blue); text-decoration: none; font-weight: 600; }
.plot { margin: 0 0 1.6rem; }
figcaption { margin-bottom: .3rem; }
.legend { margin: .1rem 0 .3rem; color: var(--muted); font-size: .95rem; }
.hint, .note { color: var(--muted); font-size: .95rem; }
.sw { display: inline-block; width: .85em; height: .85em; border-radius: 2px; vertical-align: -.05em; margin: 0 .3em 0 .6em; }
.sw.ok { background: var(--ok); } .sw.fail { background: var(--fail); } .sw.info { background: var(--info); }
.sw.open { background: var(--ok); opacity: .35; } .sw.avail { background: var(--blue); }
.sw.fault { background: rgba(86,180,233,.35); border: 1px solid rgba(86,180,233,.9); }
.sw.lin { background: #dff3ec; border: 2px solid var(--ok); } .sw.blocked { background: #fbe3d6; border: 2px solid var(--fail); }
.sw.other { background: #eef0f2; border: 2px solid #8c959f; } .sw.pend { background: #fff; border: 2px dashed #57606a; }
.tl-controls { display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; margin: .4rem 0; }
#timeline-window { margin-left: .6rem; color: var(--muted); font-variant-numeric: tabular-nums; }
.tl-frame { width: 100%; max-height: 70vh; overflow-y: auto; border: 1px solid var(--line); border-radius: 4px; }
#timeline-main, #timeline-overview { display: block; }
#timeline-overview { margin-top: 6px; border: 1px solid var(--line); border-radius: 4px; cursor: pointer; }
table.stats { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: .6rem 0 1.2rem; }
table.stats caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
table.stats th, table.stats td { padding: .35rem .8rem; border-bottom: 1px solid var(--line); text-align: right; }
table.stats th:first-child, table.stats td:first-child { text-align: left; }
table.stats thead th { border-bottom: 2px solid var(--ink); }
table.stats tr.hot td { background: #fff3c4; } table.stats tr.blocked td { color: #a63d00; font-weight: 600; }
.tables { display: flex; gap: 2.5rem; flex-wrap: wrap; align-items: flex-start; }
.cx-draw { overflow-x: auto; border: 1px solid var(--line); border-radius: 4px; margin: .6rem 0; background: #fff; }
.cx-svg { display: block; font: 13px var(--mono); }
.cx-lane { stroke: #eaeef2; }
.cx-label { font: 600 13px system-ui, sans-serif; fill: #30363d; }
.cx-op rect { fill: #eef0f2; stroke: #8c959f; stroke-width: 1.5; }
.cx-op.lin rect { fill: #dff3ec; stroke: var(--ok); }
.cx-op.blocked rect { fill: #fbe3d6; stroke: var(--fail); stroke-width: 3; }
.cx-op.pend rect { stroke-dasharray: 5 3; fill-opacity: .6; }
.cx-op text { fill: var(--ink); pointer-events: none; }
.cx-op.hot rect, .cx-op:focus rect { stroke: var(--blue); stroke-width: 3; }
.cx-op { cursor: default; outline: none; }
.cx-path { fill: none; stroke: #30363d; stroke-width: 1.2; stroke-opacity: .55; }
.cx-point { fill: #30363d; pointer-events: none; }
.cx-state { font: 12px var(--mono); fill: var(--blue); text-anchor: middle; }
.cx-blocked-label { font: 700 12px system-ui, sans-serif; fill: #a63d00; }
.cx-cut { stroke: var(--fail); stroke-width: 2; stroke-dasharray: 6 4; }
.good { color: #006b4f; font-weight: 600; }
#tip { position: fixed; z-index: 20; pointer-events: none; background: #1b1f24; color: #fff; font-size: 15px; line-height: 1.45;
  padding: .5rem .75rem; border-radius: 6px; max-width: 460px; box-shadow: 0 4px 14px rgba(0,0,0,.25); word-break: break-word; }
#tip .tip-head { font-weight: 700; } #tip .tip-bad, #tip .tip-fail { color: #ffb38a; } #tip .tip-ok { color: #7ee2c2; } #tip .tip-info { color: #ffd27a; }
footer { margin-top: 3rem; color: var(--muted); font-size: .9rem; }
.files a { color: var(--blue); }
@media print { nav { position: static; } }
`;
