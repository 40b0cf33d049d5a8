import { UsageError } from '../errors.js';
import { shownPath } from '../io/files.js';
import { writeComparePage } from '../report/compare/writer.js';

export interface CompareOptions {
  out: string;
  title?: string;
}

/**
 * `dscheck compare <run-dir...>`: one page with a row per run, their time plots on shared axes and
 * a reading of each in CAP and PACELC terms. Like `dscheck report` on a run folder it judges
 * nothing new, so the exit code is 0 once the page is written.
 */
export async function compare(
  dirs: readonly string[],
  options: CompareOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  if (dirs.length === 0) throw new UsageError('compare needs at least one run folder');
  const { path, runs } = await writeComparePage(
    dirs.map((dir) => ({ dir })),
    options.out,
    { title: options.title ?? `Comparison of ${dirs.length} run${dirs.length === 1 ? '' : 's'}` },
  );
  out.write(`${runs.length} runs compared\ncomparison: ${shownPath(path)}\n`);
}
