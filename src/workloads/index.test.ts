import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { Random } from '../generator/random.js';
import { loadWorkload } from './index.js';
import type { Workload } from './types.js';

/** The workload's checkers and their options, by name. */
const optionsByName = (w: Workload) => Object.fromEntries(w.checkers.map((c) => [c.name, c.options]));

function preset(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dscheck-workload-')), 'mine.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadWorkload', () => {
  it('loads the register preset: 8 keys, cas-register from null, stale reads, perf, final reads of every key', () => {
    const w = loadWorkload('register');
    expect(w.name).toBe('register');
    expect(w.keys).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
    expect(optionsByName(w)).toEqual({
      linearizable: { model: 'cas-register', initialValue: null },
      'stale-reads': {},
      perf: {},
    });
    expect(w.finalOps()).toEqual(w.keys.map((key) => ({ f: 'read', key, value: null })));
  });
  it('loads the set preset: adds and whole-set reads, lost writes, final reads of every set', () => {
    const w = loadWorkload('set');
    expect(w.name).toBe('set');
    expect(optionsByName(w)).toEqual({ 'lost-writes': {}, perf: {} });
    expect(w.finalOps()).toEqual(w.keys.map((key) => ({ f: 'read-all', key, value: null })));
    const source = w.generator(1, 4, Random.fromSeed(3));
    const ops = Array.from({ length: 400 }, () => source.next());
    const added = ops.filter((o) => o.f === 'add').map((o) => o.value as number);
    expect(new Set(ops.map((o) => o.f))).toEqual(new Set(['add', 'read-all']));
    expect(new Set(added).size).toBe(added.length);
    expect(added.every((e) => e % 4 === 2)).toBe(true);
  });
  it('--keys overrides the preset', () => {
    expect(loadWorkload('register', { keys: 3 }).keys).toEqual(['k0', 'k1', 'k2']);
  });
  it('reads an edited copy from a path', () => {
    const w = loadWorkload(preset('client: register\nkeys: 2\nmix: {read: 0, write: 1, cas: 0}\n'));
    const source = w.generator(0, 1, Random.fromSeed(1));
    for (let i = 0; i < 20; i++) expect(source.next().f).toBe('write');
  });
  it.each([
    ['zookeeper', /unknown --workload 'zookeeper'; valid choices: register, set/],
    [preset('mix: {read: 1, scan: 2}\n'), /unknown operation 'scan' in mix; valid choices: read, write, cas/],
    [
      preset('checkers: {lost-writes: {}}\n'),
      /unknown checker 'lost-writes'; valid choices: linearizable, stale-reads, perf/,
    ],
    [
      preset('client: set\nmix: {add: 1, read: 1}\n'),
      /unknown operation 'read' in mix; valid choices: add, read-all/,
    ],
    [
      preset('checkers: {linearizable: {model: queue}}\n'),
      /unknown linearizable model 'queue'; valid choices/,
    ],
    [preset('keys: many\n'), /keys must be a whole number/],
    [preset('client: [\n'), /not valid YAML/],
  ])('rejects %s with a usage error naming the choices', (input, message) => {
    expect(() => loadWorkload(input)).toThrow(UsageError);
    expect(() => loadWorkload(input)).toThrow(message);
  });
});

describe('the cache-aside preset', () => {
  it('loads with its settings, and the command line wins over the preset', () => {
    const w = loadWorkload('cache-aside', { options: { 'ttl-jitter': '0.2', sharding: 'modulo' } });
    expect(w.name).toBe('cache-aside');
    expect(w.keys).toHaveLength(1000);
    expect(w.store?.name).toBe('redis+mysql');
    expect(w.warmUpS).toBe(10);
    expect(w.checkers.find((c) => c.name === 'cold-cache')?.options).toMatchObject({
      maxTtlMs: 36_000,
      maxErrorRate: 0.05,
      dbCapacity: null,
    });
    expect(w.definition).toMatchObject({ 'cache-aside': { ttlJitter: 0.2, sharding: 'modulo', ttlS: 30 } });
    expect(loadWorkload('cache-aside', { keys: 50 }).keys).toHaveLength(50);
  });

  it('names the option and its valid choices when one is wrong', () => {
    expect(() => loadWorkload('cache-aside', { options: { sharding: 'rendezvous' } })).toThrow(
      "unknown --sharding 'rendezvous'; valid choices: modulo, consistent",
    );
    expect(() => loadWorkload('cache-aside', { options: { 'write-policy': 'behind' } })).toThrow(
      /valid choices: invalidate, write-through/,
    );
    expect(() => loadWorkload('cache-aside', { options: { 'ttl-jitter': '2' } })).toThrow(
      /--ttl-jitter must be a number >= 0 and <= 0.9/,
    );
    expect(() => loadWorkload('register', { options: { ttl: '5' } })).toThrow(
      /--ttl only apply to --workload cache-aside/,
    );
  });
});
