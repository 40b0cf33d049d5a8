/**
 * A server process whose clock can be skewed alone. Containers share the host's clock, so the
 * skew lives inside the process: Debian's libfaketime is preloaded into the server
 * (LD_PRELOAD=FAKETIME_LIBRARY) and reads its offset from a file (FAKETIME_TIMESTAMP_FILE);
 * FAKETIME_NO_CACHE=1 makes every clock read look at the file again, so rewriting it takes effect
 * at once. Tried here: MariaDB's NOW(6) follows the file; Debian's redis-server hangs under it.
 * The JVM (Cassandra's Java 17, with FAKETIME_DONT_FAKE_MONOTONIC=1 so its timers keep running)
 * did not hang, but System.currentTimeMillis() did not follow the file: off by an amount that was
 * neither the file's offset nor 0, and unchanged when the file was rewritten mid-run. So only
 * MariaDB's servers run under it; Cassandra's clock ability lives in its clients instead (the
 * driver stamps the writes last-write-wins compares: src/stores/cassandra/clock.ts).
 */

export const FAKETIME_PACKAGE = 'libfaketime';
export const FAKETIME_LIBRARY = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
export const FAKETIME_FILE = '/var/lib/dscheck/faketime';

/** Environment of a server process whose clock the nemesis may skew. */
export function faketimeEnvironment(jvm: boolean): Record<string, string> {
  return {
    LD_PRELOAD: FAKETIME_LIBRARY,
    FAKETIME_TIMESTAMP_FILE: FAKETIME_FILE,
    FAKETIME_NO_CACHE: '1',
    ...(jvm ? { FAKETIME_DONT_FAKE_MONOTONIC: '1' } : {}),
  };
}

/** libfaketime's relative offset in seconds: "+1.500", "-5.000", "+0.000". */
export function faketimeOffset(offsetMs: number): string {
  const seconds = (Math.abs(offsetMs) / 1000).toFixed(3);
  return `${offsetMs < 0 ? '-' : '+'}${seconds}`;
}

/**
 * The argument words that replace the offset file in one step (write aside, rename), so the
 * server never reads a half-written file: run them in the node's container.
 */
export function faketimeCommand(offsetMs: number): string[] {
  return [
    'sh',
    '-c',
    'mkdir -p "$(dirname "$1")" && printf %s "$0" > "$1.new" && mv "$1.new" "$1"',
    faketimeOffset(offsetMs),
    FAKETIME_FILE,
  ];
}
