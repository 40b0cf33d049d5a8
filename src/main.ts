import { addCheckCommand, baseProgram } from './cli-check.js';
import { EXIT } from './errors.js';
import { describeError } from './exit.js';

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
  const { code, message } = describeError(err);
  if (message) process.stderr.write(`${message}\n`);
  return code;
}
