import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { WaitShortfall } from './client.js';
import { classifyRedisError } from './errors.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const maxRetries = Object.assign(new Error('Reached the max retries per request limit (which is 0).'), {
  name: 'MaxRetriesPerRequestError',
});

describe('classifyRedisError', () => {
  const table: [string, unknown, string, 'fail' | 'info', string][] = [
    [
      'READONLY reply',
      new ReplyError("READONLY You can't write against a read only replica."),
      'write',
      'fail',
      'READONLY',
    ],
    [
      'NOREPLICAS reply',
      new ReplyError('NOREPLICAS Not enough good replicas to write.'),
      'cas',
      'fail',
      'NOREPLICAS',
    ],
    [
      'LOADING reply',
      new ReplyError('LOADING Redis is loading the dataset in memory'),
      'write',
      'fail',
      'LOADING',
    ],
    [
      'MASTERDOWN reply',
      new ReplyError('MASTERDOWN Link with MASTER is down'),
      'write',
      'fail',
      'MASTERDOWN',
    ],
    [
      'offline queue off',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      'write',
      'fail',
      'not-connected',
    ],
    ['refused', withCode('connect ECONNREFUSED 10.213.1.11:6379', 'ECONNREFUSED'), 'cas', 'fail', 'refused'],
    ['timeout', new Error('Command timed out'), 'write', 'info', 'timeout'],
    ['timeout on cas', new Error('Command timed out'), 'cas', 'info', 'timeout'],
    ['closed after send', new Error('Connection is closed.'), 'write', 'info', 'connection-lost'],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET'), 'cas', 'info', 'connection-lost'],
    ['flushed queue', maxRetries, 'write', 'info', 'connection-lost'],
    ['unknown reply', new ReplyError('ERR something new'), 'write', 'info', 'ERR'],
    ['not an Error', 'boom', 'write', 'info', 'unknown'],
    ['read timeout', new Error('Command timed out'), 'read', 'fail', 'timeout'],
    ['read lost', new Error('Connection is closed.'), 'read', 'fail', 'connection-lost'],
    ['read unknown', new Error('strange'), 'read', 'fail', 'unknown'],
    // --wait-replicas: the primary applied the write; only whether it survives is unknown.
    ['WAIT shortfall on write', new WaitShortfall(0, 1), 'write', 'info', 'wait-timeout'],
    ['WAIT shortfall on cas', new WaitShortfall(1, 2), 'cas', 'info', 'wait-timeout'],
    ['WAIT shortfall on add', new WaitShortfall(0, 2), 'add', 'info', 'wait-timeout'],
  ];

  it.each(table)('%s', (_name, error, f, type, reason) => {
    expect(classifyRedisError(error, f)).toEqual({ type, error: reason });
  });
});
