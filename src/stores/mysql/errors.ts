import { classifyByRules, type ErrorRule } from '../errors.js';
import type { ErrorVerdict } from '../types.js';

/**
 * How a MariaDB client error ends an operation, after Jepsen's remap-errors: an error is `info`
 * (it may have taken effect) unless it is known to be definite. A read that errs has no effect,
 * so it is always `fail`.
 *
 * One table: the first rule that matches decides. `definite` says whether the statement surely
 * did not take effect.
 */
type Rule = ErrorRule<ClientError>;

interface ClientError {
  name: string;
  message: string;
  /** mysql2's symbolic code: ER_LOCK_DEADLOCK, PROTOCOL_CONNECTION_LOST, ECONNREFUSED ... */
  code: string;
  /** The server's error number (1213 ...), 0 when the error did not come from the server. */
  errno: number;
}

/**
 * Thrown by the store's clients when no connection to the server could be made: nothing was sent,
 * so nothing can have taken effect, whatever the underlying network error says.
 */
export class NotConnectedError extends Error {
  override name = 'NotConnectedError';
  readonly code: string;
  constructor(node: string, cause: unknown) {
    const code = (cause as { code?: unknown })?.code;
    super(`could not connect to ${node}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.code = typeof code === 'string' ? code : '';
  }
}

const serverError =
  (...errnos: number[]) =>
  (e: ClientError) =>
    errnos.includes(e.errno);

const RULES: readonly Rule[] = [
  // Refused by the server before or instead of executing: nothing was written.
  { reason: 'deadlock', definite: true, matches: serverError(1213) },
  { reason: 'lock-wait-timeout', definite: true, matches: serverError(1205) },
  // Galera: the node is not part of the Primary component (or not yet synced).
  { reason: 'wsrep-not-ready', definite: true, matches: serverError(1047) },
  { reason: 'duplicate-key', definite: true, matches: serverError(1062) },
  // --read-only (1290) and a transaction in a read-only server (1836).
  { reason: 'read-only', definite: true, matches: serverError(1290, 1836) },
  { reason: 'too-many-connections', definite: true, matches: serverError(1040) },
  { reason: 'server-shutdown', definite: false, matches: serverError(1053) },
  { reason: 'no-such-table', definite: true, matches: serverError(1146) },
  // Never sent: no connection could be made, or the connection was already closed.
  {
    reason: 'not-connected',
    definite: true,
    matches: (e) =>
      e.name === 'NotConnectedError' && !['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH'].includes(e.code),
  },
  { reason: 'refused', definite: true, matches: (e) => e.code === 'ECONNREFUSED' },
  {
    reason: 'unreachable',
    definite: true,
    matches: (e) => e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH',
  },
  {
    reason: 'not-connected',
    definite: true,
    matches: (e) => /Can't add new command when connection is in closed state/i.test(e.message),
  },
  // Sent, then no answer: it may have been applied, now or later.
  { reason: 'timeout', definite: false, matches: (e) => e.code === 'PROTOCOL_SEQUENCE_TIMEOUT' },
  {
    reason: 'connection-lost',
    definite: false,
    matches: (e) =>
      e.code === 'PROTOCOL_CONNECTION_LOST' ||
      serverError(2006, 2013)(e) ||
      ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED'].includes(e.code),
  },
];

export function classifyMysqlError(error: unknown, f: string): ErrorVerdict {
  return classifyByRules(RULES, asClientError(error), f, unknownReason);
}

function asClientError(error: unknown): ClientError {
  if (error instanceof Error) {
    const { code, errno } = error as { code?: unknown; errno?: unknown };
    return {
      name: error.name,
      message: error.message,
      code: typeof code === 'string' ? code : '',
      errno: typeof errno === 'number' ? errno : 0,
    };
  }
  return { name: '', message: String(error), code: '', errno: 0 };
}

/** An unknown server error is named by its number (ER_... code and errno) so reports can group it. */
function unknownReason(e: ClientError): string {
  if (e.errno > 0) return e.code ? `${e.code} (${e.errno})` : `error ${e.errno}`;
  return e.code || 'unknown';
}
