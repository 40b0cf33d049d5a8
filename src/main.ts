import { CommanderError } from 'commander';
import { addCheckCommand, baseProgram } from './cli-check.js';
import { EXIT, ExitError, UsageError } from './errors.js';
import { HistoryError } from './history/types.js';
import { fileErrorMessage } from './io/files.js';

/** Runs the CLI and returns the exit code: the one place where errors become exit codes. */
export async function main(argv: string[]): Promise<number> {
  // `check` is the command users run in loops and CI: it gets a program without the other
  // commands, whose declarations load the store and Docker modules.
  const program =
    argv[2] === 'check' ? addCheckCommand(baseProgram()) : (await import('./cli.js')).buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.valid;
  } catch (err) {
    return exitCodeOf(err);
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof ExitError) {
    if (err.message) process.stderr.write(`${err.message}\n`);
    return err.code;
  }
  if (err instanceof CommanderError) {
    // Commander already printed its message (or the help/version text).
    // Help asked for (`--help`, `help`) is a success; help shown because no command was given is not.
    return err.exitCode === 0 ? EXIT.valid : EXIT.usage;
  }
  if (err instanceof UsageError || err instanceof HistoryError) {
    process.stderr.write(`dscheck: ${err.message}\n`);
    return EXIT.usage;
  }
  const fileError = fileErrorMessage(err);
  if (fileError !== undefined) {
    process.stderr.write(`dscheck: ${fileError}\n`);
    return EXIT.usage;
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`dscheck crashed: ${detail}\n`);
  return EXIT.crash;
}
