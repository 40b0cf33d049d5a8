import { describe, expect, it } from 'vitest';
import { classifyMysqlError, NotConnectedError } from './errors.js';

/** An error shaped as mysql2 makes them: a server error carries errno and a symbolic code. */
function mysqlError(message: string, fields: { code?: string; errno?: number; fatal?: boolean }): Error {
  return Object.assign(new Error(message), fields);
}

const serverError = (errno: number, code: string) => mysqlError(`${code}: server said no`, { errno, code });

describe('classifyMysqlError', () => {
  it.each([
    [serverError(1213, 'ER_LOCK_DEADLOCK'), 'deadlock'],
    [serverError(1047, 'ER_UNKNOWN_COM_ERROR'), 'wsrep-not-ready'],
    [serverError(1062, 'ER_DUP_ENTRY'), 'duplicate-key'],
    [serverError(1290, 'ER_OPTION_PREVENTS_STATEMENT'), 'read-only'],
    [serverError(1836, 'ER_READ_ONLY_MODE'), 'read-only'],
    [
      new NotConnectedError('n1', mysqlError('connect ECONNREFUSED 10.0.0.2:3306', { code: 'ECONNREFUSED' })),
      'refused',
    ],
    [new NotConnectedError('n1', mysqlError('connect ETIMEDOUT', { code: 'ETIMEDOUT' })), 'not-connected'],
    [
      mysqlError("Can't add new command when connection is in closed state", { fatal: true }),
      'not-connected',
    ],
  ])('a write that got %s definitely failed (%s)', (error, reason) => {
    expect(classifyMysqlError(error, 'write')).toEqual({ type: 'fail', error: reason });
    expect(classifyMysqlError(error, 'cas').type).toBe('fail');
  });

  it.each([
    [mysqlError('Query inactivity timeout', { code: 'PROTOCOL_SEQUENCE_TIMEOUT' }), 'timeout'],
    [
      mysqlError('Connection lost: The server closed the connection.', {
        code: 'PROTOCOL_CONNECTION_LOST',
        fatal: true,
      }),
      'connection-lost',
    ],
    [mysqlError('read ECONNRESET', { code: 'ECONNRESET' }), 'connection-lost'],
    [serverError(2013, 'CR_SERVER_LOST'), 'connection-lost'],
    [serverError(1053, 'ER_SERVER_SHUTDOWN'), 'server-shutdown'],
  ])('a write or COMMIT cut off after sending (%s) may have applied: info', (error, reason) => {
    expect(classifyMysqlError(error, 'write')).toEqual({ type: 'info', error: reason });
    expect(classifyMysqlError(error, 'add')).toEqual({ type: 'info', error: reason });
  });

  it('a read that errs is always a failure, whatever the error', () => {
    const timeout = mysqlError('Query inactivity timeout', { code: 'PROTOCOL_SEQUENCE_TIMEOUT' });
    expect(classifyMysqlError(timeout, 'read')).toEqual({ type: 'fail', error: 'timeout' });
    expect(classifyMysqlError(new Error('something new'), 'read-all').type).toBe('fail');
  });

  it('an unknown error during a write is indeterminate, named by its code and number', () => {
    expect(classifyMysqlError(serverError(1205 + 1000, 'ER_SOMETHING_NEW'), 'write')).toEqual({
      type: 'info',
      error: 'ER_SOMETHING_NEW (2205)',
    });
    expect(classifyMysqlError('a string', 'write')).toEqual({ type: 'info', error: 'unknown' });
  });
});
