import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { readHistory } from '../../history/reader.js';
import { relativeHref, writeOutputFile } from '../../io/files.js';
import { packageInfo } from '../../run/package.js';
import { renderingStored, storedResults } from '../json-fields.js';
import { loadAssets, readJsonObject } from '../writer.js';
import { type CompareRun, digestRun } from './data.js';
import { type CompareIntro, renderComparePage } from './page.js';

export interface CompareFolder {
  dir: string;
  /** The row's name (a matrix variant's label); the run's name when absent. */
  label?: string;
}

/**
 * A run folder as given, or the run that `<dir>/latest` points at, so `reports/<run-name>` works
 * as well as `reports/<run-name>/<timestamp>`.
 */
export function resolveRunFolder(dir: string): string {
  if (existsSync(join(dir, 'test.json'))) return dir;
  if (existsSync(join(dir, 'latest', 'test.json'))) return join(dir, 'latest');
  const why = existsSync(dir) && statSync(dir).isDirectory() ? 'has no test.json' : 'does not exist';
  throw new UsageError(
    `${dir} is not a run folder: it ${why} (give reports/<run>/<timestamp>, or reports/<run> for its latest run)`,
  );
}

/**
 * Reads every run folder (test.json, and results.json and history.ndjson when they are there),
 * writes the comparison page to `out` and returns its path and the rows it shows.
 */
export async function writeComparePage(
  folders: readonly CompareFolder[],
  out: string,
  intro: CompareIntro,
): Promise<{ path: string; runs: CompareRun[] }> {
  const page = resolve(out);
  const runs: CompareRun[] = [];
  for (const folder of folders) {
    const dir = resolve(resolveRunFolder(folder.dir));
    const test = await readJsonObject(join(dir, 'test.json'));
    const resultsFile = join(dir, 'results.json');
    const results = existsSync(resultsFile) ? await readJsonObject(resultsFile) : undefined;
    // Refuses wrong types in the fields every page relies on, naming the file.
    if (results) storedResults(resultsFile, results);
    const historyFile = join(dir, 'history.ndjson');
    const history = existsSync(historyFile) ? await readHistory(historyFile) : undefined;
    const report = join(dir, 'index.html');
    runs.push(
      await renderingStored(results && resultsFile, () =>
        digestRun({
          test,
          results,
          history,
          label: folder.label,
          href: existsSync(report) ? relativeHref(dirname(page), report) : undefined,
        }),
      ),
    );
  }
  const assets = await loadAssets();
  // The page reads each run's checker results again (readings, columns): the same boundary.
  const html = await renderingStored(folders.length > 0 ? 'a results.json of these runs' : undefined, () =>
    renderComparePage(runs, intro, assets, packageInfo().version),
  );
  // A run's own files, its report page included, are inputs: the comparison never replaces them.
  const inputs = folders.flatMap(({ dir }) =>
    ['test.json', 'results.json', 'history.ndjson', 'index.html'].map((f) => join(resolveRunFolder(dir), f)),
  );
  await writeOutputFile(page, html, inputs);
  return { path: page, runs };
}
