import { describe, expect, it } from 'vitest';
import { inputRuleset } from '../docker/iptables.js';

describe('inputRuleset', () => {
  it('drops each grudged address and nothing else', () => {
    expect(inputRuleset(['10.213.1.11', '10.213.1.12'], 0)).toBe(
      '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.213.1.11 -j DROP\n-A INPUT -s 10.213.1.12 -j DROP\nCOMMIT\n',
    );
  });

  it('adds a random-drop rule for loss, after the partition', () => {
    expect(inputRuleset(['10.213.1.11'], 0.2).split('\n').slice(2, 4)).toEqual([
      '-A INPUT -s 10.213.1.11 -j DROP',
      '-A INPUT -m statistic --mode random --probability 0.2 -j DROP',
    ]);
  });

  it('is an empty chain when there is nothing to drop', () => {
    expect(inputRuleset([], 0)).toBe('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n');
  });
});
