import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.js';

/** A checker's result without `ms`, the time it took: the one field two checks of a history differ in. */
function findings(result: unknown): unknown {
  if (typeof result !== 'object' || result === null) return result;
  const { ms: _ms, ...rest } = result as Record<string, unknown>;
  return rest;
}

/**
 * For tests: `dscheck check --checker <checker> --json` on a run folder's history.ndjson, and the
 * run's own result of that checker in results.json, both as findings (without `ms`).
 */
export async function recheck(
  folder: string,
  checker: string,
): Promise<{ code: number | null; rechecked: unknown; stored: unknown }> {
  const finished = await runCli(['check', '--checker', checker, '--json', join(folder, 'history.ndjson')]);
  const line = JSON.parse(finished.stdout) as { checkers?: Record<string, unknown> };
  const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as {
    checkers: Record<string, unknown>;
  };
  return {
    code: finished.code,
    rechecked: findings(line.checkers?.[checker]),
    stored: findings(results.checkers[checker]),
  };
}
