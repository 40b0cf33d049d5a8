import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import {
  RUN_DEFAULTS,
  type RunCliOptions,
  reproduceCommand,
  resolveRunConfig,
  withoutIdleOptions,
} from './options.js';
import { resolveRun } from './resolve.js';

const defaults: RunCliOptions = { ...RUN_DEFAULTS };

describe('resolveRunConfig', () => {
  it('the defaults are the main job: redis, register, partition, 60 s, a random seed', () => {
    const config = resolveRunConfig(defaults, () => 1234);
    expect(config).toMatchObject({
      store: 'redis',
      workload: 'register',
      nemesis: ['partition'],
      timeLimitS: 60,
      seed: 1234,
      concurrency: 10,
      rate: 500,
      nemesisIntervalS: 10,
      partition: 'random-halves',
      loss: 0.2,
      recoveryS: 5,
      timeoutMs: 1000,
      out: 'reports',
      name: 'redis-register-partition',
    });
  });
  it('takes a given seed and a nemesis combination', () => {
    const config = resolveRunConfig({ ...defaults, seed: '42', nemesis: 'kill,partition' }, () => 1);
    expect(config.seed).toBe(42);
    expect(config.nemesis).toEqual(['kill', 'partition']);
    expect(config.name).toBe('redis-register-kill+partition');
    expect(resolveRunConfig({ ...defaults, nemesis: 'none' }, () => 1).name).toBe('redis-register-none');
  });
  it.each([
    [{ nemesis: 'flood' }, /--nemesis 'flood'.*partition, kill, pause, loss/],
    [
      { partition: 'thirds' },
      /--partition 'thirds'.*random-halves, halves, one, primary, majorities-ring, bridge/,
    ],
    [{ timeLimit: 'soon' }, /--time-limit must be a number >= 1, not 'soon'/],
    [{ concurrency: '2.5' }, /--concurrency must be a whole number/],
    [{ loss: '1.5' }, /--loss must be a number >= 0 and <= 1/],
    [{ seed: '-1' }, /--seed/],
    [{ name: '../x' }, /--name/],
  ])('rejects %o with a message naming the choices', (bad, message) => {
    expect(() => resolveRunConfig({ ...defaults, ...bad }, () => 1)).toThrow(UsageError);
    expect(() => resolveRunConfig({ ...defaults, ...bad }, () => 1)).toThrow(message);
  });
});

describe('reproduceCommand', () => {
  it('spells out every setting, the seed included', () => {
    const config = resolveRunConfig({ ...defaults, name: 'mine' }, () => 77);
    const command = reproduceCommand(config, {
      topology: 'replicated',
      readFrom: 'primary',
      keys: 8,
      nodes: 3,
      store: { options: {} },
      storeValues: {},
    });
    expect(command).toBe(
      'dscheck run --store redis --workload register --nemesis partition --time-limit 60 --seed 77 --concurrency 10 --rate 500 --keys 8 --topology replicated --read-from primary --nodes 3 --nemesis-interval 10 --partition random-halves --recovery 5 --timeout 1000 --out reports --name mine',
    );
  });

  it('records the consistency level and --lwt of a store that has levels', () => {
    const resolved = resolveRun({ ...defaults, store: 'cassandra', lwt: true, nodes: '5' }, () => 1);
    const command = reproduceCommand(resolved.config, { ...resolved, keys: 8 });
    expect(command).toContain('--nodes 5 --consistency quorum --lwt --nemesis-interval');
  });
});

describe('a store option (--consistency, --lwt)', () => {
  const resolve = (over: RunCliOptions) => resolveRun({ ...defaults, ...over }, () => 1);

  it("takes the store's default, or the level asked for", () => {
    expect(resolve({ store: 'cassandra' }).storeValues.consistency).toBe('quorum');
    expect(resolve({ store: 'cassandra', consistency: 'one' }).storeValues.consistency).toBe('one');
    expect(resolve({}).storeValues.consistency).toBeUndefined();
  });

  it('names the valid levels, or the stores that have levels', () => {
    expect(() => resolve({ store: 'cassandra', consistency: 'two' })).toThrow(
      "unknown --consistency 'two'; valid choices: one, quorum, all, serial",
    );
    expect(() => resolve({ consistency: 'one' })).toThrow(
      '--consistency is not offered by redis; stores that have it: cassandra',
    );
    expect(() => resolve({ lwt: true })).toThrow(UsageError);
  });
});

describe('the cache-aside options', () => {
  const cacheAside: RunCliOptions = {
    ...defaults,
    workload: 'cache-aside',
    nemesis: 'reshard',
    sharding: 'modulo',
    ttlJitter: '0.2',
    cacheNodes: '4',
  };

  it('are kept by name and repeated in the reproduce command', () => {
    const config = resolveRunConfig(cacheAside, () => 9);
    expect(config.workloadOptions).toEqual({ 'cache-nodes': '4', sharding: 'modulo', 'ttl-jitter': '0.2' });
    const command = reproduceCommand(config, {
      topology: 'cache-aside',
      readFrom: 'cache',
      keys: 1000,
      nodes: 4,
      store: { options: {} },
      storeValues: {},
    });
    expect(command).toContain('--nemesis reshard');
    expect(command).toContain('--cache-nodes 4 --sharding modulo --ttl-jitter 0.2');
  });

  it('run on the cache-aside cluster, and only with --store redis', () => {
    const resolved = resolveRun(cacheAside, () => 9);
    expect(resolved.store.name).toBe('redis+mysql');
    expect(resolved.topology).toBe('cache-aside');
    expect(resolved.nodes).toBe(4);
    expect(() => resolveRun({ ...cacheAside, store: 'mysql' }, () => 9)).toThrow(
      /--store must be redis \(or left out\), not 'mysql'/,
    );
    expect(() => resolveRun({ ...cacheAside, restart: 'sometimes' }, () => 9)).toThrow(
      "unknown --restart 'sometimes'; valid choices: all, one, rolling",
    );
    // Refused before any container starts (issue 11): a cache fault needs the cache-aside cluster.
    expect(() => resolveRun({ ...defaults, nemesis: 'flush-cache,partition' }, () => 9)).toThrow(
      /--nemesis flush-cache needs a store with a cache tier/,
    );
  });
});

describe('withoutIdleOptions', () => {
  it("drops the options of nemeses the run does not have, keeping the others' values", () => {
    const words = [
      '--nemesis',
      'reshard',
      '--partition',
      'random-halves',
      '--loss',
      '0.2',
      '--recovery',
      '5',
    ];
    expect(withoutIdleOptions(words, ['reshard'])).toEqual(['--nemesis', 'reshard', '--recovery', '5']);
    expect(withoutIdleOptions(words, ['loss', 'partition'])).toEqual(words);
  });
  it('drops the fault schedule of a run with no nemesis at all', () => {
    const words = ['--nemesis', 'none', '--nemesis-interval', '10', '--recovery', '5'];
    expect(withoutIdleOptions(words, [])).toEqual(['--nemesis', 'none', '--recovery', '5']);
    expect(withoutIdleOptions(words, ['kill'])).toEqual(words);
  });
});
