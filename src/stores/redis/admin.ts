import { redisClass } from './client.js';

/**
 * One-shot administrative commands (PING, INFO, ROLE, SENTINEL ...) from the host. A fresh
 * connection each time: no state survives a kill, pause or partition to confuse the next call.
 */
export async function adminCall(
  host: string,
  port: number,
  args: readonly (string | number)[],
  timeoutMs = 2000,
): Promise<unknown> {
  const connection = new (redisClass())({
    host,
    port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    retryStrategy: () => null,
  });
  connection.on('error', () => {});
  try {
    await connection.connect();
    const [command, ...rest] = args;
    return await connection.call(String(command), ...rest);
  } finally {
    connection.disconnect();
  }
}

/** Polls `probe` until it returns true; rejects after `timeoutMs` with the last reason, or on abort. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; signal?: AbortSignal; intervalMs?: number },
): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      if (await probe()) return;
      lastError = '';
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

/** `field:value` lines of an INFO reply. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n').flatMap((l) => l.split('\n'))) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}
