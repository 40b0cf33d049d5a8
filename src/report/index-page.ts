import { esc } from './escape.js';

/** The runs list's title, by which `dscheck serve` knows the page is one it may regenerate. */
export const RUNS_LIST_TITLE = '<title>dscheck runs</title>';

/** One run in reports/index.html. */
export interface RunListing {
  /** Link to the run's page (or folder), relative to the reports folder. */
  href: string;
  name: string;
  startedAt?: string;
  store?: string;
  topology?: string;
  workload?: string;
  nemeses: string[];
  valid: true | false | 'unknown' | null;
  ops?: number;
  interrupted?: boolean;
  /** The clients stopped before the time limit: the disk was nearly full. */
  stoppedEarly?: boolean;
}

/** reports/index.html: every run, newest first, with its verdict. Pure. */
export function renderReportsIndex(runs: readonly RunListing[]): string {
  const sorted = [...runs].sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
  const verdict = (r: RunListing): [string, string] =>
    r.valid === true
      ? ['valid', 'valid']
      : r.valid === false
        ? ['invalid', 'INVALID']
        : r.valid === 'unknown'
          ? ['unknown', 'unknown']
          : ['none', 'no result'];
  const rows = sorted
    .map((r) => {
      const [cls, words] = verdict(r);
      return `<tr><td>${esc(r.startedAt?.replace('T', ' ').replace(/\.\d+Z$/, 'Z') ?? '')}</td><td><a href="${esc(r.href)}">${esc(r.name)}</a></td><td>${esc(r.store ?? '')}</td><td>${esc(r.topology ?? '')}</td><td>${esc(r.workload ?? '')}</td><td>${esc(r.nemeses.join(', ') || 'none')}</td><td class="v ${cls}">${esc(words)}${r.interrupted ? ' (interrupted)' : ''}${r.stoppedEarly ? ' (stopped early: disk full)' : ''}</td><td class="n">${r.ops === undefined ? '' : r.ops.toLocaleString('en')}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${RUNS_LIST_TITLE}
<style>
body { margin: 0; color: #1b1f24; font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 2rem; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .45rem .7rem; border-bottom: 1px solid #d0d7de; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #1b1f24; }
td.n { text-align: right; } a { color: #0072B2; font-weight: 600; }
.v { font-weight: 700; } .valid { color: #006b4f; } .invalid { color: #a63d00; } .unknown { color: #8a5a00; } .none { color: #57606a; }
p { color: #57606a; }
</style>
</head>
<body>
<main>
<h1>dscheck runs</h1>
<p>${runs.length} run(s), newest first. Each links to its self-contained report.</p>
<table>
<thead><tr><th>date (UTC)</th><th>run</th><th>store</th><th>topology</th><th>workload</th><th>nemeses</th><th>verdict</th><th>operations</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</main>
</body>
</html>
`;
}
