import { describe, expect, it } from 'vitest';
import { Random } from '../generator/random.js';
import type { Json } from '../history/types.js';
import type { Db, HasFailover } from '../stores/types.js';
import { failoverMonitor } from './failover.js';
import { planSchedule } from './schedule.js';

/** A cluster whose primary fails when told; records what the tool asked of it. */
function fakeCluster(unsupported: string | null = null) {
  const state = { failure: null as string | null, promotions: 0, waiting: [] as string[] };
  const db: Db & HasFailover = {
    store: 'fake',
    topology: 'async',
    nodes: [],
    registerClient: () => Promise.reject(new Error('no clients')),
    classify: () => ({ type: 'info', error: 'unknown' }),
    teardown: async () => {},
    failoverUnsupported: () => unsupported,
    primaryFailure: async () => state.failure,
    async promote(reason) {
      state.promotions++;
      state.failure = null;
      state.waiting = ['n1'];
      return { from: 'n1', to: 'n2', reason };
    },
    async rejoin() {
      if (state.waiting.length > 0 && state.failure === 'healed') {
        state.waiting = [];
        return { done: [{ node: 'n1' }], waiting: [] };
      }
      return { done: [], waiting: state.waiting };
    },
  };
  return { db, state };
}

describe('failoverMonitor', () => {
  it('promotes only after the primary looked failed for the detection delay, and records it', async () => {
    const { db, state } = fakeCluster();
    const events: [string, Json][] = [];
    const monitor = failoverMonitor({
      db,
      recorder: { nemesis: (f, value) => events.push([f, value]) },
      log: () => {},
      pollMs: 10,
      detectionMs: 100,
    });
    const running = monitor.run();
    state.failure = 'no replica is connected to n1';
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(state.promotions).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(state.promotions).toBe(1);
    expect(events[0]).toEqual([
      'failover',
      { from: 'n1', to: 'n2', reason: 'no replica is connected to n1' },
    ]);
    monitor.stop();
    await running;
    state.failure = 'healed';
    await monitor.settle();
    expect(events[1]).toEqual(['rejoin', { node: 'n1' }]);
  });

  it('is a usage error where the cluster cannot fail over', () => {
    const { db } = fakeCluster('galera has no primary');
    expect(() => failoverMonitor({ db, recorder: { nemesis: () => 0 }, log: () => {} })).toThrow(
      /--nemesis failover: galera has no primary/,
    );
    const { promote: _, ...noTool } = fakeCluster().db;
    expect(() =>
      failoverMonitor({ db: noTool as Db, recorder: { nemesis: () => 0 }, log: () => {} }),
    ).toThrow(/needs a store with a replaceable primary/);
  });

  it('takes no faulty periods of its own in the schedule', () => {
    const steps = planSchedule({
      kinds: ['partition', 'failover'],
      intervalMs: 10,
      timeLimitMs: 100,
      random: Random.fromSeed(1),
    });
    expect(new Set(steps.map((s) => s.kind))).toEqual(new Set(['partition']));
  });
});
