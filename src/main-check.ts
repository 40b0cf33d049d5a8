import { addCheckCommand, baseProgram } from './cli-check.js';
import { EXIT } from './errors.js';
import { exitCodeOf } from './exit.js';

/**
 * `dscheck check`'s entry point. bin/build.mjs bundles it, with everything `check` needs
 * (commander included), into dist/check.js, which bin/dscheck.js loads for `check`: one module
 * to read and compile instead of some sixty. It must not import src/main.ts, whose dynamic import
 * of the whole CLI would pull every store and Docker module into the bundle.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await addCheckCommand(baseProgram()).parseAsync(argv);
    return EXIT.valid;
  } catch (err) {
    return exitCodeOf(err);
  }
}
