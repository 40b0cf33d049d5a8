import { Command, Option } from 'commander';
import { MODEL_NAMES } from './checker/linearizable/models.js';
import { CHECKER_NAMES } from './checkers.js';
import { limitsInWords } from './history/limits.js';

/** The program with its name, version and error handling, before any command. */
export function baseProgram(): Command {
  return new Command('dscheck')
    .description('What a real data store does to your data when the network breaks or nodes die.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run dscheck --help for usage)');
}

/**
 * The `check` command's declaration, apart from the rest of the command table: `dscheck check`
 * builds only this (src/main.ts), so checking a file does not load Docker, store clients and
 * the run machinery at start-up.
 */
export function addCheckCommand(program: Command): Command {
  program
    .command('check')
    .description(
      'check stored histories (dscheck NDJSON or Jepsen EDN): linearizability, and any other checker',
    )
    .argument('<file...>', 'history files (.ndjson, .jsonl, .edn); - reads NDJSON from standard input')
    // A function: the limits' number formatting loads ICU, which a check never needs.
    .addHelpText(
      'after',
      () =>
        `\nLimits (refused with exit 254, naming the file and line): ${limitsInWords()}. See docs/HISTORY-LIMITS.md.`,
    )
    .option(
      '--checker <names>',
      `checkers to run, comma-separated: ${CHECKER_NAMES.join(', ')} (default: those the operations call for)`,
    )
    .addOption(new Option('--model <model>', 'the object the history operates on').choices(MODEL_NAMES))
    .option(
      '--initial-value <json>',
      'the object\'s initial value, as JSON (Knossos\'s histories need 0; multi-register e.g. {"x":0,"y":0})',
    )
    .addOption(
      new Option('--format <format>', 'history format (default: from the extension)').choices([
        'ndjson',
        'edn',
      ]),
    )
    .option('--timeout <seconds>', 'give up on a file after this long and call it unknown', '300')
    .option('--all-keys', 'search every key to its verdict (default: stop at the first key that fails)')
    .option('--independent', "split EDN values that are Jepsen's [key value] tuples into keys")
    .option('--json', 'one JSON object per file per line')
    .action(async (files: string[], opts) => {
      await (await import('./commands/check.js')).check(files, opts);
    });
  return program;
}
