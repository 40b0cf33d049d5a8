import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { STORES } from '../stores/index.js';
import { loadWorkload } from '../workloads/index.js';
import { RUN_DEFAULTS, type RunCliOptions, resolveRunConfig } from './options.js';
import { validateRun } from './validate.js';

/** validateRun on the real registry and presets: each conflict refused before any container starts. */
function validate(over: RunCliOptions) {
  const config = resolveRunConfig({ ...RUN_DEFAULTS, ...over }, () => 1);
  const workload = loadWorkload(config.workload, { keys: config.keys, options: config.workloadOptions });
  const store = workload.store ?? STORES[config.store];
  return validateRun(config, store, workload, Object.values(STORES));
}

describe('validateRun', () => {
  it("settles the store's defaults and its own options", () => {
    expect(validate({})).toEqual({
      topology: 'replicated',
      readFrom: 'primary',
      nodes: 3,
      storeValues: { waitReplicas: undefined },
    });
    expect(validate({ store: 'cassandra', lwt: true }).storeValues).toEqual({
      consistency: 'quorum',
      lwt: true,
    });
    expect(validate({ store: 'mysql', nemesis: 'failover,kill', topology: 'semisync' }).topology).toBe(
      'semisync',
    );
    // Cassandra's clock lives in its clients (the driver stamps writes), so the clock nemesis runs there.
    expect(validate({ store: 'cassandra', nemesis: 'partition,clock' }).topology).toBe('ring');
  });

  it.each<[string, RunCliOptions, RegExp]>([
    [
      'failover on redis',
      { nemesis: 'failover' },
      /--nemesis failover needs a store with a replaceable primary; redis has none \(stores that have it: mysql --topology async, semisync\)/,
    ],
    [
      'clock on redis (libfaketime hangs its server; its clients stamp nothing)',
      { nemesis: 'clock' },
      /--nemesis clock needs a store with clocks to skew; redis has none \(stores that have it: mysql \(the clock lives in the server: .*\); cassandra \(the clock lives in the clients: .*\)\)/,
    ],
    [
      'a lock the store lacks',
      { store: 'mysql', workload: 'lock', lock: 'cassandra-lwt' },
      /--lock cassandra-lwt needs --store cassandra; mysql offers mysql-get-lock, mysql-lease/,
    ],
    [
      'GET_LOCK on galera',
      { store: 'mysql', topology: 'galera', workload: 'lock' },
      /--workload lock needs a store with a lease lock; mysql --topology galera has none/,
    ],
    [
      'failover on galera',
      { store: 'mysql', topology: 'galera', nemesis: 'failover' },
      /mysql --topology galera has none/,
    ],
    [
      'restart-cache without a cache',
      { nemesis: 'restart-cache' },
      /--nemesis restart-cache needs a store with a cache tier/,
    ],
    [
      'flush-cache without a cache',
      { workload: 'set', nemesis: 'flush-cache' },
      /flush-cache needs a store with a cache tier/,
    ],
    [
      'reshard without a cache',
      { store: 'mysql', nemesis: 'reshard' },
      /reshard needs a store with a cache tier/,
    ],
    [
      'pause on the cache-aside cluster',
      { workload: 'cache-aside', nemesis: 'pause' },
      /--nemesis pause needs a store with containers to pause; redis\+mysql has none/,
    ],
    [
      '--nodes against --cache-nodes',
      { workload: 'cache-aside', nodes: '2', cacheNodes: '3' },
      /--nodes 2 and --cache-nodes 3 disagree/,
    ],
    [
      'cache-aside on another store',
      { workload: 'cache-aside', store: 'mysql' },
      /--store must be redis \(or left out\), not 'mysql'/,
    ],
    [
      'consistency on a store without levels',
      { consistency: 'one' },
      /--consistency is not offered by redis; stores that have it: cassandra/,
    ],
    [
      'lwt on a store without it',
      { store: 'mysql', lwt: true },
      /--lwt is not offered by mysql; stores that have it: cassandra/,
    ],
    [
      'wait-replicas on cassandra',
      { store: 'cassandra', waitReplicas: '1' },
      /--wait-replicas is not offered by cassandra; stores that have it: redis/,
    ],
    [
      'a bad store option value',
      { waitReplicas: '9' },
      /--wait-replicas must be a whole number >= 0 and <= 8, not '9'/,
    ],
    [
      'an unknown topology',
      { store: 'cassandra', topology: 'star' },
      /unknown --topology 'star'; valid choices: ring/,
    ],
    [
      'an unknown read-from',
      { readFrom: 'any' },
      /unknown --read-from 'any'; valid choices: primary, replicas/,
    ],
    [
      'galera with replicas to read from',
      { store: 'mysql', topology: 'galera', readFrom: 'replicas' },
      /mysql galera has no primary or replicas/,
    ],
    [
      'sentinel with too few nodes',
      { topology: 'sentinel', nodes: '2' },
      /redis sentinel needs 3 to 9 nodes, not 2/,
    ],
    [
      'list-append on cassandra',
      { store: 'cassandra', workload: 'list-append' },
      /--workload list-append needs a store with multi-key transactions; cassandra has none \(stores that have it: redis; mysql\)/,
    ],
    [
      'isolation on redis',
      { workload: 'list-append', isolation: 'serializable' },
      /--isolation is not offered by redis; stores that have it: mysql/,
    ],
    [
      'an unknown isolation level',
      { store: 'mysql', workload: 'list-append', isolation: 'snapshot' },
      /unknown --isolation 'snapshot'; valid choices: read-uncommitted, read-committed, repeatable-read, serializable/,
    ],
    [
      'mysql single with more nodes',
      { store: 'mysql', topology: 'single', nodes: '3' },
      /mysql single is one node; leave out --nodes \(not 3\)/,
    ],
    [
      'a server option without a value',
      { serverOption: ['innodb_flush_log_at_trx_commit'] },
      /--server-option 'innodb_flush_log_at_trx_commit' must be NAME=VALUE/,
    ],
    [
      'a server option smuggling a second line',
      { store: 'mysql', serverOption: ['sync_binlog=0\nskip-grant-tables=1'] },
      /--server-option 'sync_binlog' needs a value on one line/,
    ],
    [
      'a workload option on another workload',
      { ttl: '5' },
      /--ttl only apply to --workload cache-aside, not to register/,
    ],
  ])('refuses %s, naming the conflict and the choices', (_, over, message) => {
    expect(() => validate(over)).toThrow(UsageError);
    expect(() => validate(over)).toThrow(message);
  });

  it('mysql single is one node with --isolation; server options are kept, each checked', () => {
    expect(
      validate({ store: 'mysql', topology: 'single', workload: 'list-append', isolation: 'serializable' }),
    ).toEqual({
      topology: 'single',
      readFrom: 'primary',
      nodes: 1,
      storeValues: { isolation: 'serializable' },
    });
    const config = resolveRunConfig(
      { ...RUN_DEFAULTS, serverOption: ['innodb_flush_log_at_trx_commit = 2', 'wsrep_sync_wait=0'] },
      () => 1,
    );
    expect(config.serverOptions).toEqual(['innodb_flush_log_at_trx_commit=2', 'wsrep_sync_wait=0']);
  });

  it('refuses the set workload on a store without sets', () => {
    const config = resolveRunConfig({ ...RUN_DEFAULTS, workload: 'set' }, () => 1);
    const workload = loadWorkload('set');
    const noSets = { ...STORES.redis, name: 'plain', abilities: {} };
    expect(() => validateRun(config, noSets, workload, Object.values(STORES))).toThrow(
      '--workload set needs a store with sets; plain has none (stores that have it: redis; mysql; cassandra)',
    );
  });
});
