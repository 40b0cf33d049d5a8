import type { CheckerResult, Validity } from '../checker/types.js';
import type { Json } from '../history/types.js';

/** What a run's summary page shows: test.json and results.json as they were written. */
export interface RunReportData {
  test: { name: string; seed: number; command: string; [field: string]: unknown };
  results: { valid: Validity; checkers: Record<string, CheckerResult>; stats: object };
  /** The verdict and findings in plain words, as printed at the end of the run. */
  summary: string[];
}

/**
 * A plain, self-contained summary page for one run. The rich report replaces this function; it
 * is the only place that turns run data into HTML. Every value is escaped: histories hold
 * whatever the store returned.
 */
export function renderRunReport(data: RunReportData): string {
  const { test, results, summary } = data;
  const verdict = verdictWords(results.valid);
  const checkerRows = Object.entries(results.checkers)
    .map(([name, result]) => `<tr><td>${esc(name)}</td><td>${esc(verdictWords(result.valid))}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dscheck: ${esc(test.name)} — ${esc(verdict)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; } .valid { color: #176f2c; } .invalid { color: #b00020; } .unknown { color: #8a6d00; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2rem .6rem; text-align: left; }
pre { background: #f6f6f6; padding: .8rem; overflow: auto; white-space: pre-wrap; }
</style>
</head>
<body>
<h1 class="${verdictClass(results.valid)}">${esc(test.name)}: ${esc(verdict)}</h1>
<ul>
${summary.map((line) => `<li>${esc(line)}</li>`).join('\n')}
</ul>
<h2>Checkers</h2>
<table>
<tr><th>checker</th><th>verdict</th></tr>
${checkerRows}
</table>
<h2>Reproduce</h2>
<pre>${esc(test.command)}</pre>
<p>Files: <a href="history.ndjson">history.ndjson</a> · <a href="results.json">results.json</a> · <a href="test.json">test.json</a> · <a href="nodes/">node logs</a></p>
<h2>Results</h2>
<pre>${esc(JSON.stringify(results, omitTimeline, 2))}</pre>
<h2>Test</h2>
<pre>${esc(JSON.stringify(test, null, 2))}</pre>
</body>
</html>
`;
}

/** The per-second timeline is for charts (the rich report); as text it only buries the rest. */
function omitTimeline(key: string, value: unknown): unknown {
  return key === 'timeline' ? undefined : value;
}

export function verdictWords(valid: Json): string {
  if (valid === true) return 'valid';
  if (valid === false) return 'INVALID';
  return 'unknown';
}

function verdictClass(valid: Json): string {
  return valid === true ? 'valid' : valid === false ? 'invalid' : 'unknown';
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
