import { describe, expect, it } from 'vitest';
import { ownerAlive } from './cleanup.js';
import { OWNER_ENV, runLabels } from './labels.js';

describe('ownerAlive', () => {
  const here = 'this-host';

  it('sees this process as alive', () => {
    expect(ownerAlive({ 'dscheck.pid': String(process.pid), 'dscheck.host': here }, here)).toBe(true);
  });

  it('sees a pid that does not exist as dead', () => {
    expect(ownerAlive({ 'dscheck.pid': '4194303', 'dscheck.host': here }, here)).toBe(false);
  });

  it('treats a run without an owner as a leftover', () => {
    expect(ownerAlive({}, here)).toBe(false);
    expect(ownerAlive({ 'dscheck.pid': 'x' }, here)).toBe(false);
  });

  it('leaves runs of other hosts alone', () => {
    expect(ownerAlive({ 'dscheck.pid': '4194303', 'dscheck.host': 'elsewhere' }, here)).toBe(true);
  });
});

describe('the owner of a run inside a control container', () => {
  it('is the dscheck that started the container, so that clean reaps its nodes once that is gone', () => {
    const saved = { pid: process.env[OWNER_ENV.pid], host: process.env[OWNER_ENV.host] };
    try {
      process.env[OWNER_ENV.pid] = '4194303';
      process.env[OWNER_ENV.host] = 'laptop';
      const labels = runLabels('r1');
      expect(labels).toMatchObject({ 'dscheck.pid': '4194303', 'dscheck.host': 'laptop' });
      expect(ownerAlive(labels, 'laptop')).toBe(false);
    } finally {
      for (const [key, name] of Object.entries(OWNER_ENV)) {
        const value = saved[key as keyof typeof saved];
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(runLabels('r2')['dscheck.pid']).toBe(String(process.pid));
  });
});
