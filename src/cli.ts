import { Command, Option } from 'commander';
import { check } from './commands/check.js';
import { MODEL_NAMES } from './checker/linearizable/models.js';

/** The command table only: each command is a typed function in src/commands/. */
export function buildProgram(): Command {
  const program = new Command('dscheck')
    .description('What a real data store does to your data when the network breaks or nodes die.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run dscheck --help for usage)');

  program
    .command('check')
    .description('check stored histories (dscheck NDJSON or Jepsen EDN) for linearizability')
    .argument('<file...>', 'history files (.ndjson, .jsonl, .edn)')
    .addOption(new Option('--model <model>', 'the object the history operates on').choices(MODEL_NAMES))
    .option('--initial-value <json>', "the object's initial value, as JSON (Knossos's histories need 0)")
    .addOption(new Option('--format <format>', 'history format (default: from the extension)').choices(['ndjson', 'edn']))
    .option('--timeout <seconds>', 'give up on a file after this long and call it unknown', '300')
    .option('--json', 'one JSON object per file per line')
    .action(async (files: string[], opts) => {
      await check(files, opts);
    });

  return program;
}
