import { describe, expect, it } from 'vitest';
import { CODES, classifyCassandraError, NotAppliedError, ReadPhaseError } from './errors.js';

/** Errors shaped like cassandra-driver's (the table reads names and codes, not classes). */
const response = (code: number, message = 'server says no') =>
  Object.assign(new Error(message), { name: 'ResponseError', code });
const named = (name: string, message = name) => Object.assign(new Error(message), { name });

describe('classifyCassandraError', () => {
  it.each([
    ['write-timeout (SIMPLE or CAS)', response(CODES.writeTimeout), 'write', 'info', 'write-timeout'],
    ['a CAS write-timeout on cas', response(CODES.writeTimeout), 'cas', 'info', 'write-timeout'],
    ['CAS_WRITE_UNKNOWN', response(CODES.casWriteUnknown), 'cas', 'info', 'cas-write-unknown'],
    ['write failure', response(CODES.writeFailure), 'write', 'info', 'write-failure'],
    ['server error', response(CODES.serverError), 'write', 'info', 'server-error'],
    ['client timeout', named('OperationTimedOutError'), 'write', 'info', 'timeout'],
    [
      'socket closed after sending',
      named('DriverError', 'Socket was closed'),
      'cas',
      'info',
      'connection-lost',
    ],
    ['a read timeout inside a Paxos write', response(CODES.readTimeout), 'cas', 'info', 'read-timeout'],
    ['an unknown error', new Error('???'), 'add', 'info', 'unknown'],
    ['Unavailable', response(CODES.unavailable), 'write', 'fail', 'unavailable'],
    ['Unavailable on cas', response(CODES.unavailable), 'cas', 'fail', 'unavailable'],
    ['overloaded coordinator', response(CODES.overloaded), 'write', 'fail', 'overloaded'],
    ['an invalid query', response(CODES.invalid), 'write', 'fail', 'invalid'],
    ['NoHostAvailable (nothing sent)', named('NoHostAvailableError'), 'write', 'fail', 'no-host'],
    ['a busy connection', named('BusyConnectionError'), 'add', 'fail', 'busy'],
    ['refused connection', new Error('connect ECONNREFUSED 10.0.0.2:9042'), 'write', 'fail', 'not-connected'],
    [
      'a socket error before the request was written',
      Object.assign(new Error('Socket was closed'), { requestNotWritten: true }),
      'write',
      'fail',
      'not-sent',
    ],
    ['read timeout on a read', response(CODES.readTimeout), 'read', 'fail', 'read-timeout'],
    ['read failure on a read', response(CODES.readFailure), 'read', 'fail', 'read-failure'],
    ['client timeout on a read', named('OperationTimedOutError'), 'read', 'fail', 'timeout'],
    ['a write timeout on a SERIAL read', response(CODES.writeTimeout), 'read', 'fail', 'write-timeout'],
    ['client timeout on a set read', named('OperationTimedOutError'), 'read-all', 'fail', 'timeout'],
  ] as const)('%s on %s -> %s', (_, error, f, type, reason) => {
    expect(classifyCassandraError(error, f)).toEqual({ type, error: reason });
  });

  it('judges the read half of a read-then-write cas as a read: nothing was written yet', () => {
    expect(classifyCassandraError(new ReadPhaseError(named('OperationTimedOutError')), 'cas')).toEqual({
      type: 'fail',
      error: 'timeout',
    });
  });

  it('a conditional write the server did not apply is a definite non-effect', () => {
    expect(classifyCassandraError(new NotAppliedError('no'), 'write')).toEqual({
      type: 'fail',
      error: 'not-applied',
    });
  });

  it('under LWT, Unavailable is definite at SERIAL (Paxos never started), not at the commit level', () => {
    const atSerial = Object.assign(response(CODES.unavailable), { consistencies: 0x08 });
    const atCommit = Object.assign(response(CODES.unavailable), { consistencies: 0x05 });
    expect(classifyCassandraError(atSerial, 'cas', true)).toEqual({ type: 'fail', error: 'unavailable' });
    expect(classifyCassandraError(atCommit, 'cas', true)).toEqual({
      type: 'info',
      error: 'unavailable-after-propose',
    });
    expect(classifyCassandraError(atCommit, 'write', false)).toEqual({ type: 'fail', error: 'unavailable' });
    expect(classifyCassandraError(atCommit, 'read', true)).toEqual({ type: 'fail', error: 'unavailable' });
  });

  it('never throws on odd values', () => {
    for (const odd of [undefined, null, 42, 'text', {}]) {
      expect(classifyCassandraError(odd, 'write').type).toBe('info');
      expect(classifyCassandraError(odd, 'read').type).toBe('fail');
    }
  });
});
