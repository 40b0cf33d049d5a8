import { addCheckCommand, baseProgram } from './cli-check.js';
import { EXIT } from './errors.js';
import { exitCodeOf } from './exit.js';

/** Runs the CLI and returns the exit code: the one place where errors become exit codes. */
export async function main(argv: string[]): Promise<number> {
  // `check` is the command users run in loops and CI: it gets a program without the other
  // commands, whose declarations load the store and Docker modules. (bin/dscheck.js loads
  // `check` from its bundle, src/main-check.ts, and comes here for every other command.)
  const program =
    argv[2] === 'check' ? addCheckCommand(baseProgram()) : (await import('./cli.js')).buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.valid;
  } catch (err) {
    return exitCodeOf(err);
  }
}
