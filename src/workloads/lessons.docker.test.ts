import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LockResult } from '../checker/lock.js';
import type { QueueResult } from '../checker/queue.js';
import { runAndRead } from '../testing/cli.js';

/**
 * The lock and queue workloads end to end on Redis, through the built CLI (npm test builds
 * first). Fault-free runs must be clean; the faulted ones assert what the fault provokes.
 */
const out = mkdtempSync(join(tmpdir(), 'dscheck-lessons-test-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

const run = <R>(name: string, checker: string, args: string[]) =>
  runAndRead<R>(out, name, checker, ['--store', 'redis', '--seed', '7', ...args]);

const lock = (name: string, args: string[]) =>
  run<LockResult>(name, 'lock', [
    '--workload',
    'lock',
    '--nodes',
    '1',
    '--nemesis',
    'none',
    '--concurrency',
    '4',
    '--lease-ms',
    '1000',
    ...args,
  ]);

describe('the lock workload on single-instance Redis', () => {
  it('without faults: one holder at a time, no unsafe write', async () => {
    const { code, result } = await lock('lock-calm', ['--time-limit', '8']);
    expect(code).toBe(0);
    expect(result.holds).toBeGreaterThan(20);
    expect(result).toMatchObject({ valid: true, overlaps: { count: 0 }, unsafe: { count: 0 } });
  });

  it('a holder paused longer than its lease writes with an old token; fencing rejects those writes', async () => {
    const pause = ['--holder-pause-ms', '2000', '--time-limit', '12'];
    const unfenced = await lock('lock-unfenced', pause);
    expect(unfenced.code).toBe(1);
    expect(unfenced.result.unsafe.count).toBeGreaterThan(0);
    expect(unfenced.result.unsafe.examples[0].story).toMatch(/token/);
    const fenced = await lock('lock-fenced', [...pause, '--fencing', 'on']);
    expect(fenced.result.unsafe.count).toBe(0);
    expect(fenced.result.writes.fenced).toBeGreaterThan(0);
  });
});

describe('Redlock over independent Redis primaries', () => {
  it('a majority does not stop a paused holder: Redlock has no fencing token of its own', async () => {
    const { code, result } = await lock('redlock-pause', [
      ...['--topology', 'independent', '--nodes', '3', '--lock', 'redlock'],
      ...['--holder-pause-ms', '2000', '--time-limit', '12'],
    ]);
    expect(result.holds).toBeGreaterThan(20);
    // The lease of each grant is Redlock's validity: the lease less the time taken and the drift.
    expect(result.overlaps.count).toBe(0);
    expect(result.unsafe.count).toBeGreaterThan(0);
    expect(code).toBe(1);
  }, 120_000);
});

describe('the queue workload on Redis streams', () => {
  it('without faults: every message delivered exactly once', async () => {
    const { code, result } = await run<QueueResult>('queue-calm', 'queue', [
      '--workload',
      'queue',
      '--nodes',
      '1',
      '--nemesis',
      'none',
      '--time-limit',
      '8',
      '--concurrency',
      '4',
    ]);
    expect(code).toBe(0);
    expect(result.enqueues.ok).toBeGreaterThan(100);
    expect(result).toMatchObject({ valid: true, delivery: 'exactly-once', drains: 1 });
  });

  it('killing the primary (async replication, no persistence) loses acknowledged messages', async () => {
    const { code, result } = await run<QueueResult>('queue-kill', 'queue', [
      '--workload',
      'queue',
      '--nemesis',
      'kill',
      '--nemesis-interval',
      '6',
      '--time-limit',
      '25',
      '--concurrency',
      '4',
    ]);
    // The drain ran after healing, so a message that never came out is lost, not still queued.
    expect(result.drains).toBe(1);
    expect(result.lost.count + result.duplicated.count).toBeGreaterThan(0);
    expect(result.valid).toBe(false);
    expect(code).toBe(1);
  });
});
