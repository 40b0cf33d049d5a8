import { classifyByRules, type ErrorRule } from '../errors.js';
import type { ErrorVerdict } from '../types.js';

/**
 * How a Redis client error ends an operation, after Jepsen's remap-errors: an error is `info`
 * (it may have taken effect) unless it is known to be definite. A read that errs has no effect,
 * so it is always `fail`.
 *
 * One table: the first rule that matches decides. `definite` says whether the command surely did
 * not take effect.
 */
type Rule = ErrorRule<ClientError>;

interface ClientError {
  name: string;
  message: string;
  code: string;
}

const replyPrefix = (prefix: string) => (e: ClientError) =>
  e.name === 'ReplyError' && e.message.startsWith(`${prefix} `);

const RULES: readonly Rule[] = [
  // WAIT (--wait-replicas) fell short: the primary applied the write; whether it survives is unknown.
  { reason: 'wait-timeout', definite: false, matches: (e) => e.name === 'WaitShortfall' },
  // Refused by the server before executing: nothing was written.
  { reason: 'READONLY', definite: true, matches: replyPrefix('READONLY') },
  { reason: 'NOREPLICAS', definite: true, matches: replyPrefix('NOREPLICAS') },
  { reason: 'LOADING', definite: true, matches: replyPrefix('LOADING') },
  { reason: 'MASTERDOWN', definite: true, matches: replyPrefix('MASTERDOWN') },
  { reason: 'BUSY', definite: true, matches: replyPrefix('BUSY') },
  { reason: 'OOM', definite: true, matches: replyPrefix('OOM') },
  { reason: 'NOSCRIPT', definite: true, matches: replyPrefix('NOSCRIPT') },
  { reason: 'TRYAGAIN', definite: true, matches: replyPrefix('TRYAGAIN') },
  { reason: 'CLUSTERDOWN', definite: true, matches: replyPrefix('CLUSTERDOWN') },
  { reason: 'MOVED', definite: true, matches: replyPrefix('MOVED') },
  { reason: 'ASK', definite: true, matches: replyPrefix('ASK') },
  // The client never sent the command: not connected, and the offline queue is off on purpose.
  {
    reason: 'not-connected',
    definite: true,
    matches: (e) => /enableOfflineQueue options is false|Stream isn't writeable/i.test(e.message),
  },
  { reason: 'refused', definite: true, matches: (e) => e.code === 'ECONNREFUSED' },
  {
    reason: 'unreachable',
    definite: true,
    matches: (e) => e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH',
  },
  {
    reason: 'no-primary',
    definite: true,
    matches: (e) => /All sentinels are unreachable|failed to connect to sentinel|No master/i.test(e.message),
  },
  // Sent, then no answer: it may have been applied, now or later.
  { reason: 'timeout', definite: false, matches: (e) => /Command timed out/i.test(e.message) },
  {
    reason: 'connection-lost',
    definite: false,
    matches: (e) =>
      e.name === 'MaxRetriesPerRequestError' ||
      /Connection is closed/i.test(e.message) ||
      ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED'].includes(e.code),
  },
];

export function classifyRedisError(error: unknown, f: string): ErrorVerdict {
  return classifyByRules(RULES, asClientError(error), f, unknownReason);
}

function asClientError(error: unknown): ClientError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, code: typeof code === 'string' ? code : '' };
  }
  return { name: '', message: String(error), code: '' };
}

/** An unknown server reply is named by its error code (ERR, WRONGTYPE, ...) so reports can group it. */
function unknownReason(e: ClientError): string {
  if (e.name === 'ReplyError') {
    const code = /^([A-Z][A-Z_-]+)\b/.exec(e.message)?.[1];
    if (code) return code;
  }
  return e.code || 'unknown';
}
