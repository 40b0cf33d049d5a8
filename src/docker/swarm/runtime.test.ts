import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { HOSTS_OPTION } from '../../run/options.js';
import { runtimeFor } from './runtime.js';

describe('runtimeFor', () => {
  it('is the local engine without --hosts', async () => {
    const runtime = await runtimeFor(undefined);
    expect(runtime.kind).toBe('local');
    expect(runtime.hosts).toEqual(['local']);
  });

  it('refuses an engine that does not answer, naming it, before anything starts', async () => {
    const host = 'tcp://127.0.0.1:1';
    const refused = runtimeFor(host);
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(`${host}: reachable: does not answer`);
  });
});

describe('--hosts', () => {
  it('keeps the endpoints as written, so the reproduce command repeats them', () => {
    expect(HOSTS_OPTION.read('ssh://me@a, tcp://b:2376')).toBe('ssh://me@a,tcp://b:2376');
    expect(HOSTS_OPTION.read(undefined)).toBeUndefined();
  });

  it('names a bad endpoint and the valid forms', () => {
    expect(() => HOSTS_OPTION.read('http://a')).toThrow(/unknown scheme 'http'.*ssh:\/\/user@host/);
  });
});
