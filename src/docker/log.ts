/**
 * Debug tracing of every Docker call, printed when DSCHECK_DEBUG=1. Calls are logged before, after
 * and on error (as testcontainers does), so a hung or failing run shows the last thing it asked for.
 */

const enabled = (): boolean => process.env.DSCHECK_DEBUG === '1';

export function debug(message: string): void {
  if (enabled()) process.stderr.write(`[dscheck docker ${new Date().toISOString()}] ${message}\n`);
}

/** Runs `call`, logging what it does, how long it took and how it failed. */
export async function traced<T>(what: string, call: () => Promise<T>): Promise<T> {
  if (!enabled()) return call();
  const started = performance.now();
  debug(`${what} ...`);
  try {
    const result = await call();
    debug(`${what} done in ${Math.round(performance.now() - started)} ms`);
    return result;
  } catch (err) {
    debug(`${what} failed after ${Math.round(performance.now() - started)} ms: ${errorText(err)}`);
    throw err;
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
