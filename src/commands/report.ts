import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelName } from '../checker/linearizable/models.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import { shownPath } from '../io/files.js';
import { writeHistoryReport, writeRunReport } from '../report/writer.js';
import { finishRun, unfinished } from '../run/finish.js';
import { parseInitialValue } from './check.js';

export interface ReportOptions {
  model?: ModelName;
  initialValue?: string;
  format?: string;
  out?: string;
}

/**
 * `dscheck report <run-dir | history-file>`: the HTML report of a run folder, or of any history
 * file (checked on the fly), so a history from another tool can be seen too. A history file's
 * verdict is the exit code, as with `dscheck check` (an empty history: 2, unknown, from both).
 */
export async function report(
  target: string,
  options: ReportOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  if (!existsSync(target)) throw new UsageError(`no such run folder or history file: ${target}`);
  if (statSync(target).isDirectory()) {
    if (!existsSync(join(target, 'test.json')) || !existsSync(join(target, 'history.ndjson'))) {
      throw new UsageError(
        `${target} is not a run folder: it needs test.json and history.ndjson (and results.json once the run finished)`,
      );
    }
    if (options.model !== undefined || options.initialValue !== undefined || options.format !== undefined) {
      throw new UsageError(
        '--model, --initial-value and --format apply to history files; a run folder has its own',
      );
    }
    if (unfinished(target)) {
      out.write('the run did not finish: checking everything it recorded...\n');
      await finishRun(target);
    }
    const page = await writeRunReport(target, options.out === undefined ? undefined : resolve(options.out));
    out.write(`report: ${shownPath(page)}\n`);
    return;
  }
  const { path, valid } = await writeHistoryReport(target, {
    model: options.model,
    initialValue: parseInitialValue(options.initialValue),
    format: options.format,
    out: options.out,
  });
  out.write(`report: ${shownPath(path)}\n`);
  if (valid === false) throw new ExitError(EXIT.invalid);
  if (valid === 'unknown') throw new ExitError(EXIT.unknown);
}
