import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadMatrixPreset } from '../matrix/plan.js';
import { writeComparePage } from '../report/compare/writer.js';
import { runOptionSpecs } from '../run/options.js';

/**
 * Run folders recorded by real runs of the matrix presets (src/report/compare/fixtures/README.md
 * has the commands), one folder per variant: test.json, results.json and, where the readings need
 * it, history.ndjson (files over 20 KB gzipped). For tests only.
 */
export const FIXTURES = join(import.meta.dirname, '..', 'report', 'compare', 'fixtures');

/** A fixture's run folder as the run left it: a copy with its gzipped files unpacked. */
function unpacked(preset: string, variant: string): string {
  const from = join(FIXTURES, preset, variant);
  const to = join(mkdtempSync(join(tmpdir(), 'dscheck-fixture-')), variant);
  mkdirSync(to);
  for (const file of readdirSync(from)) {
    const bytes = readFileSync(join(from, file));
    if (file.endsWith('.gz')) writeFileSync(join(to, file.slice(0, -3)), gunzipSync(bytes));
    else writeFileSync(join(to, file), bytes);
  }
  return to;
}

/**
 * The page `dscheck matrix <preset>` writes, on the preset's recorded runs: its variants' labels,
 * title, explanation and "look for", so the test reads what a student would.
 */
export async function presetPage(name: string, out?: string) {
  const preset = loadMatrixPreset(name, runOptionSpecs());
  const folders = preset.variants.map((v) => ({ dir: unpacked(name, v.name), label: v.label }));
  const page = out ?? join(mkdtempSync(join(tmpdir(), 'dscheck-preset-')), 'index.html');
  const { runs } = await writeComparePage(folders, page, {
    title: preset.title,
    explanation: preset.explanation,
    lookFor: preset.lookFor,
  });
  const html = readFileSync(page, 'utf8');
  const readings = [...html.matchAll(/<li class="reading[^"]*">(.*?)<\/li>/gs)].map((m) => plain(m[1]));
  const closing = plain(/<p class="closing">(.*?)<\/p>/s.exec(html)?.[1] ?? '');
  const byLabel = (label: string) => {
    const i = preset.variants.findIndex((v) => v.label === label);
    if (i < 0) throw new Error(`no variant labelled ${label} in ${name}`);
    return { run: runs[i], reading: readings[i] };
  };
  return { preset, runs, path: page, html, readings, closing, byLabel };
}

/** Text of a page fragment, without tags and with the entities the page escapes undone. */
function plain(fragment: string): string {
  return fragment
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
