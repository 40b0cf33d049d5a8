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

/** `field:value` lines of an INFO reply. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n').flatMap((l) => l.split('\n'))) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}
