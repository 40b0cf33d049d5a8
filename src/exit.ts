import { CommanderError } from 'commander';
import { EXIT, ExitError, UsageError } from './errors.js';
import { HistoryError } from './history/types.js';
import { fileErrorMessage } from './io/files.js';

/**
 * An error as its exit code and the message for stderr (empty when there is nothing to add):
 * the one mapping, shared by `exitCodeOf` and the commands that also answer in JSON.
 */
export function describeError(err: unknown): { code: number; message: string } {
  if (err instanceof ExitError) return { code: err.code, message: err.message };
  if (err instanceof CommanderError) {
    // Commander already printed its message (or the help/version text).
    // Help asked for (`--help`, `help`) is a success; help shown because no command was given is not.
    return { code: err.exitCode === 0 ? EXIT.valid : EXIT.usage, message: '' };
  }
  if (err instanceof UsageError || err instanceof HistoryError) {
    return { code: EXIT.usage, message: `dscheck: ${err.message}` };
  }
  const fileError = fileErrorMessage(err);
  if (fileError !== undefined) return { code: EXIT.usage, message: `dscheck: ${fileError}` };
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { code: EXIT.crash, message: `dscheck crashed: ${detail}` };
}

/** The exit code for what a command threw, after writing its message to stderr. */
export function exitCodeOf(err: unknown): number {
  const { code, message } = describeError(err);
  if (message) process.stderr.write(`${message}\n`);
  return code;
}
