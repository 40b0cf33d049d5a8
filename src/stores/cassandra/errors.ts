import { READ_OPERATIONS } from '../errors.js';
import type { ErrorVerdict } from '../types.js';

/**
 * Cassandra's error-classification table (like `remap-errors` in Jepsen's clients): a client
 * error becomes `info` (may have taken effect) unless it is known to be definite. Pure: it reads
 * the shape of cassandra-driver's errors (name, code, innerErrors) without loading the driver.
 */

/** Native-protocol error codes (cassandra-driver's types.responseErrorCodes, plus v5's CAS_WRITE_UNKNOWN). */
export const CODES = {
  serverError: 0x0000,
  protocolError: 0x000a,
  badCredentials: 0x0100,
  unavailable: 0x1000,
  overloaded: 0x1001,
  isBootstrapping: 0x1002,
  truncateError: 0x1003,
  writeTimeout: 0x1100,
  readTimeout: 0x1200,
  readFailure: 0x1300,
  functionFailure: 0x1400,
  writeFailure: 0x1500,
  casWriteUnknown: 0x1700,
  syntaxError: 0x2000,
  unauthorized: 0x2100,
  invalid: 0x2200,
  configError: 0x2300,
  alreadyExists: 0x2400,
  unprepared: 0x2500,
  clientWriteFailure: 0x8000,
} as const;

/**
 * Thrown by the read half of a read-then-write cas (no LWT): nothing was written yet, so the
 * operation is judged like a read, whatever went wrong.
 */
export class ReadPhaseError extends Error {
  override name = 'ReadPhaseError';
  constructor(override readonly cause: unknown) {
    super(`the read before the write failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** An LWT write (`IF v != new`) that the server did not apply: definitely no effect. */
export class NotAppliedError extends Error {
  override name = 'NotAppliedError';
}

const fail = (error: string): ErrorVerdict => ({ type: 'fail', error });
const info = (error: string): ErrorVerdict => ({ type: 'info', error });

/**
 * Server answers that say the coordinator rejected the request before any replica applied it:
 * not enough live replicas, overloaded or bootstrapping coordinator, a request the server
 * refused to run (syntax, schema, permissions, an unprepared statement).
 */
const REJECTED: ReadonlyMap<number, string> = new Map([
  [CODES.unavailable, 'unavailable'],
  [CODES.overloaded, 'overloaded'],
  [CODES.isBootstrapping, 'bootstrapping'],
  [CODES.protocolError, 'protocol-error'],
  [CODES.badCredentials, 'bad-credentials'],
  [CODES.functionFailure, 'function-failure'],
  [CODES.syntaxError, 'syntax-error'],
  [CODES.unauthorized, 'unauthorized'],
  [CODES.invalid, 'invalid'],
  [CODES.configError, 'config-error'],
  [CODES.alreadyExists, 'already-exists'],
  [CODES.unprepared, 'unprepared'],
]);

/**
 * Answers after which a write may have been applied by some replica, or may still be: a write
 * timeout of any write type (a timed-out LWT can be completed by a later Paxos round), write
 * failures, CAS_WRITE_UNKNOWN, and a server error or timeout in the middle of a write.
 */
const MAYBE_APPLIED: ReadonlyMap<number, string> = new Map([
  [CODES.writeTimeout, 'write-timeout'],
  [CODES.writeFailure, 'write-failure'],
  [CODES.casWriteUnknown, 'cas-write-unknown'],
  [CODES.readTimeout, 'read-timeout'],
  [CODES.readFailure, 'read-failure'],
  [CODES.truncateError, 'truncate-error'],
  [CODES.serverError, 'server-error'],
  [CODES.clientWriteFailure, 'client-write-failure'],
]);

/** Consistency levels of Paxos's own phases (the protocol's SERIAL and LOCAL_SERIAL). */
const SERIAL_LEVELS: ReadonlySet<number> = new Set([0x08, 0x09]);

/**
 * `lwt`: writes and cas are lightweight transactions. Their Unavailable is definite only when a
 * Paxos phase (at SERIAL) refused to start; at the commit level it comes after a quorum accepted
 * the proposal, which the next Paxos round on that key completes (Cassandra 5.0, Paxos v1,
 * commitPaxos checks live replicas after the propose phase), so the write may still happen.
 */
export function classifyCassandraError(error: unknown, f: string, lwt = false): ErrorVerdict {
  if (error instanceof ReadPhaseError) return classifyCassandraError(error.cause, 'read', lwt);
  if (error instanceof NotAppliedError) return fail('not-applied');
  const reason = reasonOf(error);
  if (READ_OPERATIONS.has(f)) return fail(reason.error);
  if (lwt && reason.error === 'unavailable' && !SERIAL_LEVELS.has(levelOf(error)))
    return info('unavailable-after-propose');
  return reason.definite ? fail(reason.error) : info(reason.error);
}

const levelOf = (error: unknown): number => {
  const level = (error as { consistencies?: unknown } | null)?.consistencies;
  return typeof level === 'number' ? level : -1;
};

interface Reason {
  error: string;
  /** True when the request certainly did not take effect, whatever the operation. */
  definite: boolean;
}

function reasonOf(error: unknown): Reason {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    requestNotWritten?: unknown;
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (e.name === 'ResponseError' && typeof e.code === 'number') {
    const rejected = REJECTED.get(e.code);
    if (rejected) return { error: rejected, definite: true };
    return { error: MAYBE_APPLIED.get(e.code) ?? `server-${e.code.toString(16)}`, definite: false };
  }
  if (e.name === 'OperationTimedOutError') return { error: 'timeout', definite: false };
  // No host of the query plan gave a connection, so nothing was sent: with the never-retry policy
  // (client.ts) an error after sending is rethrown as it is, never folded into this one.
  if (e.name === 'NoHostAvailableError') return { error: 'no-host', definite: true };
  if (e.name === 'BusyConnectionError') return { error: 'busy', definite: true };
  // The driver marks a socket error that struck before the request was written out.
  if (e.requestNotWritten === true) return { error: 'not-sent', definite: true };
  if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|not connected|connection was closed before/i.test(message))
    return { error: 'not-connected', definite: true };
  if (/socket was closed|ECONNRESET|EPIPE|connection.*(closed|lost|reset)/i.test(message))
    return { error: 'connection-lost', definite: false };
  return { error: 'unknown', definite: false };
}
