import { describe, expect, it } from 'vitest';
import { lockUsed } from './lock.js';

describe('lockUsed', () => {
  it('is the implementation a run named, else its store’s own', () => {
    expect(lockUsed('cassandra-lwt', 'cassandra', 'ring')).toBe('cassandra-lwt');
    expect(lockUsed('mysql-lease', 'mysql', 'replicated')).toBe('mysql-lease');
    expect(lockUsed(undefined, 'cassandra', 'ring')).toBe('cassandra-lwt');
    expect(lockUsed(undefined, 'mysql', 'replicated')).toBe('mysql-get-lock');
    expect(lockUsed(undefined, 'redis', 'replicated')).toBe('redis');
  });
  it('is Redlock on independent Redis primaries, as the Redis store chooses', () => {
    expect(lockUsed(undefined, 'redis', 'independent')).toBe('redlock');
  });
  it('is undefined for a name it does not know or a store without locks', () => {
    expect(lockUsed('zookeeper', 'redis', 'replicated')).toBeUndefined();
    expect(lockUsed(undefined, 'etcd', undefined)).toBeUndefined();
    expect(lockUsed(undefined, undefined, undefined)).toBeUndefined();
  });
});
