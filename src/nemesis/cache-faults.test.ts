import { describe, expect, it } from 'vitest';
import { Random } from '../generator/random.js';
import type { CacheTier, ClusterNode, Db } from '../stores/types.js';
import { flushCacheFault } from './flush-cache.js';
import { reshardFault } from './reshard.js';
import { restartCacheFault } from './restart-cache.js';

/** A cache tier that records what the faults did to it. */
function fakeTier(restartMode: string, spare = true) {
  const names = spare ? ['c1', 'c2', 'c3', 'c4'] : ['c1', 'c2', 'c3'];
  const actions: string[] = [];
  let shards = ['c1', 'c2', 'c3'];
  const node = (name: string): ClusterNode => ({ name, ip: '10.0.0.1', containerId: name });
  const db = {
    store: 'redis+mysql',
    topology: 'cache-aside',
    nodes: [...names, 'db1'].map(node),
    cacheNodes: names.map(node),
    get shards() {
      return shards;
    },
    restartMode,
    registerClient: () => Promise.reject(new Error('no')),
    classify: () => ({ type: 'fail' as const, error: 'x' }),
    teardown: async () => {},
    kill: async (n: string) => void actions.push(`kill ${n}`),
    restart: async (n: string) => void actions.push(`restart ${n}`),
    flush: async (n: string) => void actions.push(`flush ${n}`),
    reshard(after: readonly string[]) {
      const before = shards;
      shards = [...after];
      return { sharding: 'consistent', before, after: [...after], keyspace: 10 };
    },
  } satisfies Db & CacheTier;
  const options = {
    db,
    random: Random.fromSeed(1),
    partition: 'one' as const,
    loss: 0,
    clock: { kind: 'bump' as const, skewMs: 1000, windowMs: 1000 },
    log: () => {},
  };
  return { db, actions, options };
}

describe('the cache faults', () => {
  it('restart-cache all kills and restarts every node of the shard map, not the spare', async () => {
    const { actions, options } = fakeTier('all');
    const fault = restartCacheFault(options);
    expect(await fault.start()).toEqual({ mode: 'all', nodes: ['c1', 'c2', 'c3'] });
    expect(actions.sort()).toEqual([
      'kill c1',
      'kill c2',
      'kill c3',
      'restart c1',
      'restart c2',
      'restart c3',
    ]);
    expect(fault.startF).toBe('restart-cache');
  });

  it('restart-cache one restarts a single seeded node; rolling restarts them in turn and stop waits', async () => {
    const one = fakeTier('one');
    const value = (await restartCacheFault(one.options).start()) as { nodes: string[] };
    expect(value.nodes).toHaveLength(1);
    expect(one.actions).toEqual([`kill ${value.nodes[0]}`, `restart ${value.nodes[0]}`]);

    const rolling = fakeTier('rolling');
    const fault = restartCacheFault(rolling.options);
    expect(await fault.start()).toMatchObject({ mode: 'rolling', first: 'c1' });
    expect(rolling.actions).toEqual(['kill c1', 'restart c1']);
    expect(await fault.stop()).toEqual({ mode: 'rolling', restarted: ['c1', 'c2', 'c3'] });
    expect(rolling.actions).toEqual([
      'kill c1',
      'restart c1',
      'kill c2',
      'restart c2',
      'kill c3',
      'restart c3',
    ]);
  }, 20_000);

  it('flush-cache empties every node of the shard map', async () => {
    const { actions, options } = fakeTier('all');
    expect(await flushCacheFault(options).start()).toEqual({ nodes: ['c1', 'c2', 'c3'] });
    expect(actions).toEqual(['flush c1', 'flush c2', 'flush c3']);
  });

  it('reshard adds the emptied spare and removes it again, recording both maps', async () => {
    const { db, actions, options } = fakeTier('all');
    const fault = reshardFault(options);
    expect(await fault.start()).toMatchObject({
      before: ['c1', 'c2', 'c3'],
      after: ['c1', 'c2', 'c3', 'c4'],
      change: 'add',
      node: 'c4',
    });
    expect(actions).toEqual(['flush c4']);
    expect(await fault.stop()).toMatchObject({
      before: ['c1', 'c2', 'c3', 'c4'],
      after: ['c1', 'c2', 'c3'],
      change: 'remove',
      node: 'c4',
    });
    expect(db.shards).toEqual(['c1', 'c2', 'c3']);
  });

  it('reshard without a spare takes a node out and puts it back', async () => {
    const { db, options } = fakeTier('all', false);
    const fault = reshardFault(options);
    const started = (await fault.start()) as { after: string[]; node: string; change: string };
    expect(started.change).toBe('remove');
    expect(started.after).toHaveLength(2);
    expect(started.after).not.toContain(started.node);
    expect(await fault.stop()).toMatchObject({ change: 'add', node: started.node });
    expect(db.shards).toEqual(['c1', 'c2', 'c3']);
  });

  it('refuses a cluster without a cache tier, naming the workload that has one', () => {
    const { options } = fakeTier('all');
    const plain = { ...options, db: { ...options.db, reshard: undefined } as unknown as Db };
    expect(() => reshardFault(plain)).toThrow(
      /--nemesis reshard needs a cache tier: use --workload cache-aside/,
    );
  });
});
