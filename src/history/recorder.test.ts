import { describe, expect, it } from 'vitest';
import { Recorder } from './recorder.js';
import type { HistoryEvent } from './types.js';

describe('Recorder', () => {
  it('stamps events in order with a non-decreasing clock and pairs completions by id', () => {
    const events: HistoryEvent[] = [];
    const recorder = new Recorder({ append: (e) => events.push(e) });
    recorder.startClock();
    const a = recorder.invoke(0, 'write', 'k1', 3, 'n1');
    const b = recorder.invoke(1, 'read', 'k1', null);
    recorder.complete(1, b, 'ok', 'read', 'k1', 3);
    recorder.nemesis('start-partition', { n1: ['n2'] }, { delayMs: 12.5 });
    recorder.complete(0, a, 'info', 'write', 'k1', 3, 'n1', 'timeout', { final: true });
    expect(events.map(({ time, ...rest }) => rest)).toEqual([
      { process: 0, type: 'invoke', f: 'write', key: 'k1', value: 3, id: 0, node: 'n1' },
      { process: 1, type: 'invoke', f: 'read', key: 'k1', value: null, id: 1 },
      { process: 1, type: 'ok', f: 'read', key: 'k1', value: 3, id: 1 },
      { process: 'nemesis', type: 'info', f: 'start-partition', value: { n1: ['n2'] }, delayMs: 12.5 },
      {
        process: 0,
        type: 'info',
        f: 'write',
        key: 'k1',
        value: 3,
        id: 0,
        node: 'n1',
        error: 'timeout',
        final: true,
      },
    ]);
    const times = events.map((e) => e.time);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(recorder.tally).toEqual({ invoke: 2, ok: 1, fail: 0, info: 1 });
    expect(() => recorder.startClock()).toThrow(/cannot move/);
  });
});
