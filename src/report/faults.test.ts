import { describe, expect, it } from 'vitest';
import type { NemesisEvent } from '../history/types.js';
import { describeFaultValue, faultSpans } from './faults.js';

const ev = (f: string, time: number, value: NemesisEvent['value'] = null): NemesisEvent => ({
  f,
  time,
  value,
  type: 'info',
});

describe('faultSpans', () => {
  it('pairs starts with stops, kill with restart, pause with resume', () => {
    const spans = faultSpans(
      [
        ev('start-partition', 10, { n1: ['n3'], n2: ['n3'], n3: ['n1', 'n2'] }),
        ev('kill', 15, ['n2']),
        ev('stop-partition', 20),
        ev('restart', 25, ['n2']),
        ev('pause', 30, 'n1'),
        ev('resume', 35, 'n1'),
      ],
      100,
    );
    expect(spans).toEqual([
      { kind: 'partition', label: 'partition: n1 n2 | n3', start: 10, end: 20, open: false },
      { kind: 'kill', label: 'kill: n2', start: 15, end: 25, open: false },
      { kind: 'pause', label: 'pause: n1', start: 30, end: 35, open: false },
    ]);
  });

  it('draws a fault never stopped to the end of the history', () => {
    expect(faultSpans([ev('start-loss', 40, { share: 0.2 })], 90)).toEqual([
      { kind: 'loss', label: 'loss: {"share":0.2}', start: 40, end: 90, open: true },
    ]);
  });

  it("reads Jepsen's bare start/stop and ignores events that are not fault edges", () => {
    const spans = faultSpans([ev('start', 1), ev('note', 2), ev('stop', 3)], 10);
    expect(spans).toEqual([{ kind: 'fault', label: 'fault', start: 1, end: 3, open: false }]);
  });
});

describe('describeFaultValue', () => {
  it('names the sides of a grudge', () => {
    expect(describeFaultValue({ n3: ['n1', 'n2'], n1: ['n3'], n2: ['n3'] })).toBe('n1 n2 | n3');
  });
  it("reads a clock fault's offsets by node", () => {
    expect(describeFaultValue({ kind: 'bump', offsets: { n1: 5000 } })).toBe('n1 +5000 ms');
    expect(describeFaultValue({ kind: 'strobe', offsets: { n2: -300 }, flips: [] })).toBe(
      'n2 -300 ms, flipping sign',
    );
    expect(describeFaultValue({ offsets: { n1: 0, n2: 0 } })).toBe('n1 0 ms, n2 0 ms');
    expect(
      describeFaultValue({
        kind: 'bump',
        clock: 'clients',
        processes: { n2: [1, 4] },
        offsets: { n2: -5000 },
      }),
    ).toBe('clients of n2 -5000 ms');
  });
  it('lists nodes and shortens the rest', () => {
    expect(describeFaultValue(['n1', 'n2'])).toBe('n1 n2');
    expect(describeFaultValue(null)).toBe('');
    expect(describeFaultValue({ x: 'y'.repeat(80) }).length).toBe(40);
  });
});
