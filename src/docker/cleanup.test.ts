import { describe, expect, it } from 'vitest';
import { ownerAlive } from './cleanup.js';

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
