import { describe, expect, it } from 'vitest';
import { awaitReplicas, WaitShortfall } from './client.js';

/** A connection whose WAIT answers with a fixed number of replicas, recording what it was asked. */
const connection = (answer: number) => {
  const calls: [number, number][] = [];
  return {
    calls,
    wait: async (replicas: number, timeoutMs: number) => {
      calls.push([replicas, timeoutMs]);
      return answer;
    },
  };
};

describe('awaitReplicas (--wait-replicas)', () => {
  it('sends nothing without a policy', async () => {
    const c = connection(0);
    await awaitReplicas(c, undefined);
    expect(c.calls).toEqual([]);
  });
  it('passes when enough replicas acknowledged', async () => {
    const c = connection(2);
    await awaitReplicas(c, { replicas: 2, timeoutMs: 500 });
    expect(c.calls).toEqual([[2, 500]]);
  });
  it('throws a WaitShortfall, naming both counts, when fewer did', async () => {
    const c = connection(1);
    const result = awaitReplicas(c, { replicas: 2, timeoutMs: 500 });
    await expect(result).rejects.toBeInstanceOf(WaitShortfall);
    await expect(result).rejects.toThrow('WAIT: 1 of 2 replicas acknowledged the write in time');
  });
});
