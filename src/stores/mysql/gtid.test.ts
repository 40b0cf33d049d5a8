import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choosePromotion, compareGtid, parseGtidPosition } from './gtid.js';

describe('GTID positions', () => {
  it('keeps the highest sequence number per domain', () => {
    expect(parseGtidPosition('0-1-120, 1-3-7')).toEqual(
      new Map([
        [0, 120],
        [1, 7],
      ]),
    );
    expect(parseGtidPosition('')).toEqual(new Map());
    expect(() => parseGtidPosition("0-1-5'; DROP TABLE x; --")).toThrow(/not a GTID position/);
  });

  it('compares domain by domain; positions each ahead somewhere are incomparable', () => {
    const p = parseGtidPosition;
    expect(compareGtid(p('0-1-10'), p('0-2-9'))).toBe(1);
    expect(compareGtid(p('0-1-9'), p('0-1-10'))).toBe(-1);
    expect(compareGtid(p('0-1-10'), p('0-1-10'))).toBe(0);
    expect(compareGtid(p('0-1-10,1-1-1'), p('0-1-11'))).toBeNull();
  });
});

describe('choosePromotion', () => {
  it('promotes the replica that received the most', () => {
    expect(
      choosePromotion([
        { node: 'n2', received: '0-1-118', replicating: true },
        { node: 'n3', received: '0-1-120', replicating: true },
      ]),
    ).toBe('n3');
  });

  it('prefers a replica still replicating from the old primary over a broken one', () => {
    expect(
      choosePromotion([
        { node: 'n2', received: '0-1-500', replicating: false },
        { node: 'n3', received: '0-1-120', replicating: true },
      ]),
    ).toBe('n3');
  });

  it('breaks ties by node name, and has no candidate without replicas', () => {
    expect(
      choosePromotion([
        { node: 'n3', received: '0-1-7', replicating: true },
        { node: 'n2', received: '0-1-7', replicating: true },
      ]),
    ).toBe('n2');
    expect(choosePromotion([])).toBeNull();
  });

  it('never promotes a replica that another candidate is ahead of', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 5 }), (seqs) => {
        const candidates = seqs.map((seq, i) => ({
          node: `n${i + 2}`,
          received: `0-1-${seq}`,
          replicating: true,
        }));
        const chosen = candidates.find((c) => c.node === choosePromotion(candidates));
        expect(chosen?.received).toBe(`0-1-${Math.max(...seqs)}`);
      }),
    );
  });
});
