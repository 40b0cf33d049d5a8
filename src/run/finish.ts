import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRun, type RunResults } from '../checker/analyze.js';
import { checkerNamed, type PlannedCheck } from '../checkers.js';
import { UsageError } from '../errors.js';
import { record } from '../report/json-fields.js';
import { writeJson } from './folder.js';

/** The linearizability search's budget when a run is finished from its folder. */
const CHECK_TIMEOUT_MS = 300_000;

/**
 * The checks a run folder's workload asked for, as test.json records its definition, planned as
 * the run planned them.
 */
export function plannedChecksOf(dir: string): PlannedCheck[] {
  const file = join(dir, 'test.json');
  const test = record(JSON.parse(readFileSync(file, 'utf8')));
  const checkers = record(record(record(test?.workload)?.definition)?.checkers);
  if (!checkers) throw new UsageError(`${file}: no workload.definition.checkers to check the history with`);
  return Object.entries(checkers).map(([name, options]) => {
    const entry = checkerNamed(name);
    if (!entry) throw new UsageError(`${file}: unknown checker '${name}'`);
    return entry.plan(record(options) ?? {}, (what) => new UsageError(`${file}: ${what}`));
  });
}

/**
 * Whether a run folder still needs its verdict: the run died before writing results.json, or the
 * one there is a checkpoint's (the run was killed after it).
 */
export function unfinished(dir: string): boolean {
  const file = join(dir, 'results.json');
  if (!existsSync(file)) return true;
  try {
    return record(JSON.parse(readFileSync(file, 'utf8')))?.checkpoint !== undefined;
  } catch {
    return false;
  }
}

/**
 * Checks everything a run that died recorded, with its workload's checkers, and writes
 * results.json: the verdict covers what was recorded (no final reads), so it says interrupted.
 */
export async function finishRun(dir: string): Promise<RunResults> {
  const results = await analyzeRun(join(dir, 'history.ndjson'), plannedChecksOf(dir), {
    checkTimeoutMs: CHECK_TIMEOUT_MS,
    interrupted: true,
    nemesisErrors: [],
    faultDelays: {},
  });
  writeJson(join(dir, 'results.json'), results);
  return results;
}
