import { setTimeout as sleep } from 'node:timers/promises';
import { checkLock, type LockResult } from '../checker/lock.js';
import type { Json, Operation } from '../history/types.js';
import type { LockClient } from '../stores/types.js';

/**
 * Recording client operations in tests that drive store clients directly: the history the run's
 * recorder would write (times in ns since this module loaded; an error leaves the operation
 * pending, since it may have taken effect), and the lock workload's loop.
 */

const t0 = process.hrtime.bigint();
export const now = () => Number(process.hrtime.bigint() - t0);

/** Operations as HISTORY.md pairs them; `fail` when the call returns false/null (no effect). */
export class Recorder {
  readonly operations: Operation[] = [];
  async op<T>(
    process: number,
    f: string,
    key: string,
    input: Json,
    call: () => Promise<T>,
    output: (r: T) => Json | false,
  ): Promise<T | undefined> {
    const op: Operation = {
      index: this.operations.length,
      process,
      f,
      key,
      input,
      outcome: 'info',
      pending: true,
      call: now(),
      ret: Number.POSITIVE_INFINITY,
    };
    this.operations.push(op);
    try {
      const result = await call();
      const out = output(result);
      op.ret = now();
      op.pending = false;
      if (out === false) {
        op.outcome = 'fail';
        if (f === 'write') op.error = 'fenced';
      } else {
        op.outcome = 'ok';
        op.output = out;
      }
      return result;
    } catch (err) {
      op.error = err instanceof Error ? err.message : String(err);
      return undefined;
    }
  }
}

/**
 * One worker of the lock workload: acquire, a little work, the protected write, release; until a
 * time (ns, as `now()`) or while `until()` says to go on.
 */
export async function lockWorker(
  recorder: Recorder,
  process: number,
  client: LockClient,
  until: number | (() => boolean),
  leaseMs: number,
  pauseMs = 0,
): Promise<void> {
  const going = typeof until === 'number' ? () => now() < until : until;
  let paused = pauseMs === 0;
  for (let round = 0; going(); round++) {
    const grant = await recorder.op(
      process,
      'acquire',
      'lock',
      { leaseMs },
      () => client.acquire('lock', leaseMs),
      (g) => (g ? { token: g.token, leaseMs: g.leaseMs } : false),
    );
    if (!grant) {
      await sleep(5);
      continue;
    }
    // A stop-the-world pause (garbage collection, a swapped-out process) right after the grant.
    await sleep(paused ? 10 : pauseMs);
    paused = true;
    const value = process * 1000 + round;
    await recorder.op(
      process,
      'write',
      'resource',
      { token: grant.token, value },
      () => client.write('resource', grant.token, value),
      (accepted) => (accepted ? { token: grant.token, value } : false),
    );
    await recorder.op(
      process,
      'release',
      'lock',
      grant.token,
      () => client.release('lock', grant.token),
      (released) => (released ? grant.token : false),
    );
  }
}

/**
 * The lock workload in miniature: each client (process = its index) takes turns with the others
 * for `forMs`, with a lease of `leaseMs`; the one `pause` names sleeps that long after its first
 * grant. The lock checker's verdict on what they did.
 */
export async function takeTurns(
  clients: readonly LockClient[],
  forMs: number,
  leaseMs: number,
  pause: { process: number; ms: number } | null = null,
): Promise<LockResult> {
  const recorder = new Recorder();
  const until = now() + forMs * 1e6;
  await Promise.all(
    clients.map((client, p) =>
      lockWorker(recorder, p, client, until, leaseMs, pause?.process === p ? pause.ms : 0),
    ),
  );
  return checkLock({ operations: recorder.operations.sort((a, b) => a.call - b.call) });
}
