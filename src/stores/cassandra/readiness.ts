/**
 * Readiness from system.log (DESIGN.md: ready when the log says it listens for CQL clients and
 * all peers are up). Pure, so the parsing is unit-tested on real log lines.
 */

/** grep -E pattern for the lines that matter: CQL listening, and the failure detector's verdicts. */
export const LOG_EVENTS_PATTERN = 'Starting listening for CQL clients|is now (UP|DOWN)|has restarted, now UP';

export interface LogState {
  /** The native transport listens for CQL clients. */
  cql: boolean;
  /** IPs of the peers whose last verdict is UP. */
  up: Set<string>;
}

/** Folds the matching lines, oldest first, into the node's latest view. */
export function readLogEvents(lines: readonly string[]): LogState {
  const state: LogState = { cql: false, up: new Set() };
  for (const line of lines) {
    if (line.includes('Starting listening for CQL clients')) {
      state.cql = true;
      continue;
    }
    const ip = /\/(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?\b/.exec(line)?.[1];
    if (!ip) continue;
    if (/is now DOWN/.test(line)) state.up.delete(ip);
    else if (/now UP/.test(line)) state.up.add(ip);
  }
  return state;
}
