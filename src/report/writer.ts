import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import {
  checkLinearizable,
  inferModel,
  type LinearizabilityResult,
  type ModelName,
} from '../checker/linearizable/index.js';
import { linearizableChecker } from '../checker/linearizable.js';
import { PerfTally, perfChecker } from '../checker/perf.js';
import { checkStreaming, large } from '../checker/streaming/analyze.js';
import type { Validity } from '../checker/types.js';
import { type CheckerResult, resultOf, typedResult } from '../checker/types.js';
import { type CheckerEntry, checkerNamed } from '../checkers.js';
import { UsageError } from '../errors.js';
import { formatOf, readHistory, STDIN } from '../history/reader.js';
import { streamOperations } from '../history/stream.js';
import type { Json } from '../history/types.js';
import { relativeHref, writeOutputFile } from '../io/files.js';
import { packageInfo } from '../run/package.js';
import { readBrowserScripts } from './browser-scripts.js';
import { ExtentTally } from './data.js';
import { anomalyMoments, PageTally } from './digest.js';
import { faultSpans } from './faults.js';
import { type RunListing, renderReportsIndex } from './index-page.js';
import { number, record, renderingStored, storedResults, text } from './json-fields.js';
import { type ReportAssets, type ReportInput, renderReport } from './page.js';
import { CounterexampleTally } from './sections/linearizable.js';
import { runSettings } from './settings.js';
import type { RunMeta } from './verdict.js';

/** A run folder's own files: a report page never replaces them. */
const RUN_FILES = ['history.ndjson', 'results.json', 'test.json'] as const;

let assets: Promise<ReportAssets> | undefined;

/** uPlot's minified code and style sheet, from the pinned package in node_modules, and dscheck's browser code. */
export function loadAssets(): Promise<ReportAssets> {
  assets ??= (async () => {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('uplot/package.json'));
    const [uplotJs, uplotCss, scripts] = await Promise.all([
      readFile(join(root, 'dist', 'uPlot.iife.min.js'), 'utf8'),
      readFile(join(root, 'dist', 'uPlot.min.css'), 'utf8'),
      readBrowserScripts(),
    ]);
    return { uplotJs, uplotCss, scripts };
  })();
  return assets;
}

/**
 * Reads a run folder (test.json, results.json, history.ndjson), writes its report as
 * `<runDir>/index.html` and returns that path. A run cut short before results.json was written
 * is checked here instead, so every run folder can get a page. `instead` reads another history or
 * results (a checkpoint's) in place of the folder's own.
 */
export async function writeRunReport(
  runDir: string,
  out = join(runDir, 'index.html'),
  instead: { historyFile?: string; resultsFile?: string } = {},
): Promise<string> {
  const test = await readJsonObject(join(runDir, 'test.json'));
  const historyFile = instead.historyFile ?? join(runDir, 'history.ndjson');
  const resultsFile = instead.resultsFile ?? join(runDir, 'results.json');
  const results = existsSync(resultsFile)
    ? storedResults(resultsFile, await readJsonObject(resultsFile))
    : undefined;
  let checkers = results?.checkers;
  let history: ReportInput['history'];
  if (checkers && large(historyFile)) {
    const streamed = await streamReportHistory(historyFile, checkers);
    history = streamed.history;
    checkers = streamed.checkers;
  } else {
    const whole = await readHistory(historyFile);
    history = whole;
    if (!checkers) {
      const model = modelOf(test) ?? inferModel(whole.operations);
      checkers = {
        [linearizableChecker.name]: await checkLinearizable(whole.operations, { model, timeoutMs: 60_000 }),
      };
    }
  }
  const options = record(test.options) ?? {};
  const store = record(test.store) ?? {};
  const meta: RunMeta = {
    title: text(test.name) ?? basename(runDir),
    store: text(store.name) ?? text(options.store),
    topology: text(store.topology) ?? text(options.topology),
    settings: runSettings(options, store),
    workload: text(record(test.workload)?.name) ?? text(options.workload),
    nemeses: nemesesOf(options),
    durationS: number(options.timeLimitS),
    seed: number(test.seed),
    concurrency: number(options.concurrency),
    startedAt: text(test.startedAt),
    command: text(test.command) ?? 'dscheck run',
    interrupted: results?.interrupted === true,
    checkpoint: results?.checkpoint,
    stoppedEarly: results?.stoppedEarly,
    nemesisErrors: results?.nemesisErrors ?? [],
    placement: placementOf(store.placement),
  };
  const files: string[] = [...RUN_FILES];
  if (existsSync(join(runDir, 'nodes'))) files.push('nodes');
  const links = files.map((f) => ({
    href: relativeHref(dirname(resolve(out)), join(runDir, f)),
    text: f === 'nodes' ? 'node logs' : f,
  }));
  const assets = await loadAssets();
  const html = await renderingStored(results && resultsFile, () =>
    renderReport({ meta, history, checkers, links, version: packageInfo().version }, assets),
  );
  await writeOutputFile(
    out,
    html,
    RUN_FILES.map((f) => join(runDir, f)),
  );
  return out;
}

/**
 * A run's history too long to hold, as the page needs it: two streaming passes (the first for the
 * time axis, the faults and the count; the second for the plots, the timeline's selection, the
 * counterexamples' operations and, if results.json lacks it, perf). Memory is bounded by the
 * page's budget, the processes and the keys, not by the history.
 */
async function streamReportHistory(
  file: string,
  stored: Record<string, CheckerResult>,
): Promise<{ history: ReportInput['history']; checkers: Record<string, CheckerResult> }> {
  const extent = new ExtentTally();
  const shape = await streamOperations(file, (op) => extent.add(op));
  const span = extent.finish(shape);
  const spans = faultSpans(shape.nemesis, span.end);
  const page = new PageTally({
    extent: span,
    spans,
    operations: shape.operations,
    moments: span.axis.unit === 's' ? anomalyMoments(stored).map((s) => s * span.axis.scale) : [],
  });
  const linearizable = resultOf(linearizableChecker, stored);
  const counterexamples = linearizable && new CounterexampleTally(linearizable);
  const perfTally = resultOf(perfChecker, stored) ? undefined : new PerfTally(shape.nemesis);
  await streamOperations(file, (op) => {
    page.add(op);
    counterexamples?.add(op);
    perfTally?.add(op);
  });
  const checkers = perfTally ? { ...stored, [perfChecker.name]: perfTally.finish() } : stored;
  const history = {
    operations: [],
    nemesis: shape.nemesis,
    events: shape.events,
    warnings: shape.warnings,
    digest: page.finish(),
    keyOperations: counterexamples?.finish(),
  };
  return { history, checkers };
}

function linearizableEntry(): CheckerEntry {
  const entry = checkerNamed(linearizableChecker.name);
  if (!entry) throw new Error('the table of checkers has no linearizable checker');
  return entry;
}

/** test.json's `store.placement` (node -> host), written by runs over several hosts. */
function placementOf(value: unknown): Record<string, string> | undefined {
  const placement = record(value);
  if (!placement) return undefined;
  return Object.fromEntries(Object.entries(placement).map(([node, host]) => [node, String(host)]));
}

export interface HistoryReportOptions {
  model?: ModelName;
  initialValue?: Json;
  /** Where the page goes (default: beside the history, with .html for its extension). */
  out?: string;
  format?: string;
  timeoutMs?: number;
}

/**
 * Checks any history file (dscheck NDJSON, Porcupine JSONL, Jepsen EDN) and writes its report.
 * Returns the page's path and the verdict.
 */
export async function writeHistoryReport(
  file: string,
  options: HistoryReportOptions = {},
): Promise<{ path: string; valid: Validity }> {
  const context = { timeoutMs: options.timeoutMs ?? 300_000, firstFailure: true };
  let history: ReportInput['history'];
  let linearizable: LinearizabilityResult;
  let checkers: Record<string, CheckerResult>;
  if (file !== STDIN && formatOf(file, options.format) === 'ndjson' && large(file)) {
    // Too long to hold: checked and drawn in streaming passes, as a long run's page is.
    const planned = linearizableEntry().plan(
      { model: options.model, 'initial-value': options.initialValue },
      (what) => new UsageError(what),
    );
    const streamed = await checkStreaming(file, [planned], context);
    linearizable = typedResult(linearizableChecker, streamed.outcomes[0].result);
    ({ history, checkers } = await streamReportHistory(file, {
      [linearizableChecker.name]: linearizable,
      [perfChecker.name]: streamed.perf,
    }));
  } else {
    const whole = await readHistory(file, { format: options.format });
    history = whole;
    // Through the checker, as `dscheck check` does, so both give the same verdict (an empty file: unknown).
    linearizable = await linearizableChecker.check(
      whole,
      { model: options.model ?? inferModel(whole.operations), initialValue: options.initialValue },
      context,
    );
    checkers = { [linearizableChecker.name]: linearizable };
  }
  const model = linearizable.model;
  const command = [
    'dscheck',
    'report',
    file,
    '--model',
    model,
    ...(options.format === undefined ? [] : ['--format', options.format]),
    ...(options.initialValue === undefined ? [] : ['--initial-value', JSON.stringify(options.initialValue)]),
  ]
    .map(shellWord)
    .join(' ');
  const meta: RunMeta = {
    title: basename(file),
    workload: `${model} history${options.model ? '' : ' (model inferred)'}`,
    nemeses: [...new Set(history.nemesis.map((e) => e.f.replace(/^(start|stop)-/, '')))],
    command,
  };
  const out = resolve(options.out ?? join(dirname(file), `${basename(file, extname(file))}.html`));
  const html = renderReport({ meta, history, checkers, version: packageInfo().version }, await loadAssets());
  await writeOutputFile(out, html, [file]);
  return { path: out, valid: linearizable.valid };
}

/**
 * Regenerates `<reportsRoot>/index.html` from the run folders below it
 * (`<run-name>/<timestamp>/test.json`) and returns its path.
 */
export async function writeReportsIndex(reportsRoot: string): Promise<string> {
  const runs: RunListing[] = [];
  for (const name of listDirs(reportsRoot)) {
    for (const stamp of listDirs(join(reportsRoot, name))) {
      const dir = join(reportsRoot, name, stamp);
      if (!existsSync(join(dir, 'test.json'))) continue;
      const listing = await runListing(reportsRoot, dir).catch(() => undefined);
      if (listing) runs.push(listing);
    }
  }
  const out = join(reportsRoot, 'index.html');
  await writeOutputFile(out, renderReportsIndex(runs));
  return out;
}

async function runListing(root: string, dir: string): Promise<RunListing> {
  const test = await readJsonObject(join(dir, 'test.json'));
  const resultsFile = join(dir, 'results.json');
  // The index lists every run: one whose results cannot be read shows without a verdict.
  const results = existsSync(resultsFile)
    ? await readJsonObject(resultsFile)
        .then((parsed) => storedResults(resultsFile, parsed))
        .catch(() => undefined)
    : undefined;
  const options = record(test.options) ?? {};
  const page = existsSync(join(dir, 'index.html')) ? join(dir, 'index.html') : dir;
  return {
    href: relativeHref(root, page),
    name: text(test.name) ?? basename(dirname(dir)),
    startedAt: text(test.startedAt),
    store: text(record(test.store)?.name) ?? text(options.store),
    topology: text(record(test.store)?.topology) ?? text(options.topology),
    workload: text(record(test.workload)?.name) ?? text(options.workload),
    nemeses: nemesesOf(options),
    valid: results?.valid ?? null,
    ops: number(record(results?.stats)?.ops),
    interrupted: results?.interrupted === true,
    stoppedEarly: results?.stoppedEarly !== undefined,
  };
}

/** Run folders only: `latest` is a link to one of them and dot-folders are scratch. */
function listDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'latest')
    .map((e) => e.name)
    .filter((name) => statSync(join(dir, name)).isDirectory());
}

function nemesesOf(options: Record<string, unknown>): string[] {
  const kinds = Array.isArray(options.nemesis) ? options.nemesis.map(String) : [];
  const partition = text(options.partition);
  return kinds.map((k) => (k === 'partition' && partition ? `partition (${partition})` : k));
}

function modelOf(test: Record<string, unknown>): ModelName | undefined {
  const definition = record(record(test.workload)?.definition);
  const model = record(record(definition?.checkers)?.linearizable)?.model;
  return typeof model === 'string' ? (model as ModelName) : undefined;
}

export async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not valid JSON';
    throw new UsageError(`${file}: ${why}`);
  }
  const object = record(parsed);
  if (!object) throw new UsageError(`${file}: expected a JSON object`);
  return object;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
