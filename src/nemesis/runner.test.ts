import { describe, expect, it } from 'vitest';
import { Recorder } from '../history/recorder.js';
import type { HistoryEvent, Json } from '../history/types.js';
import type { Fault } from './fault.js';
import { NemesisRunner } from './runner.js';
import type { NemesisKind } from './schedule.js';

function fakeFault(kind: NemesisKind, calls: string[], failStart = false): Fault {
  return {
    kind,
    startF: `start-${kind}`,
    stopF: `stop-${kind}`,
    async start(): Promise<Json> {
      calls.push(`start ${kind}`);
      if (failStart) throw new Error('iptables said no');
      return [kind];
    },
    async stop(): Promise<Json> {
      calls.push(`stop ${kind}`);
      return null;
    },
  };
}

function setup(faults: Fault[], steps: ConstructorParameters<typeof NemesisRunner>[0]['steps']) {
  const events: HistoryEvent[] = [];
  const logs: string[] = [];
  const recorder = new Recorder({ append: (e) => events.push(e) });
  const runner = new NemesisRunner({ faults, steps, recorder, log: (m) => logs.push(m) });
  return { events, logs, runner };
}

describe('NemesisRunner', () => {
  it('plays the steps on time and records each action with its delay', async () => {
    const calls: string[] = [];
    const { events, runner } = setup(
      [fakeFault('partition', calls)],
      [
        { atMs: 20, action: 'start', kind: 'partition', period: 0 },
        { atMs: 40, action: 'stop', kind: 'partition', period: 0 },
      ],
    );
    await runner.run();
    expect(calls).toEqual(['start partition', 'stop partition']);
    expect(events.map((e) => [e.process, e.type, e.f, e.value])).toEqual([
      ['nemesis', 'info', 'start-partition', ['partition']],
      ['nemesis', 'info', 'stop-partition', null],
    ]);
    expect(events[0].time).toBeGreaterThanOrEqual(20e6);
    expect(events[0].delayMs).toBeGreaterThanOrEqual(0);
    expect(events[0].delayMs).toBeLessThan(50);
    expect(runner.delays.partition).toHaveLength(1);
    expect(runner.describe()).toBe('healthy');
  });

  it('heals what is still active: paused nodes first, then the network, then restarts', async () => {
    const calls: string[] = [];
    const { events, runner } = setup(
      [fakeFault('kill', calls), fakeFault('pause', calls), fakeFault('partition', calls)],
      [
        { atMs: 0, action: 'start', kind: 'kill', period: 0 },
        { atMs: 0, action: 'start', kind: 'pause', period: 1 },
        { atMs: 0, action: 'start', kind: 'partition', period: 2 },
      ],
    );
    await runner.run();
    expect(runner.describe()).toBe('kill+pause+partition');
    await runner.healAll();
    expect(calls.slice(3)).toEqual(['stop pause', 'stop partition', 'stop kill']);
    expect(events.slice(3).every((e) => e.delayMs === undefined)).toBe(true);
    expect(runner.describe()).toBe('healthy');
  });

  it('a fault that fails to start is logged, undone, and not recorded as done', async () => {
    const calls: string[] = [];
    const { events, logs, runner } = setup(
      [fakeFault('loss', calls, true)],
      [{ atMs: 0, action: 'start', kind: 'loss', period: 0 }],
    );
    await runner.run();
    expect(events).toEqual([]);
    expect(calls).toEqual(['start loss', 'stop loss']);
    expect(runner.errors).toEqual(['start-loss failed: iptables said no']);
    expect(logs[0]).toMatch(/iptables said no/);
  });

  it('stop() wakes a runner waiting for its next step', async () => {
    const { runner } = setup(
      [fakeFault('pause', [])],
      [{ atMs: 60_000, action: 'start', kind: 'pause', period: 0 }],
    );
    const done = runner.run();
    runner.stop();
    await expect(done).resolves.toBeUndefined();
  });
});
