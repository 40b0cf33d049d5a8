import type { Random } from '../generator/random.js';
import type { Recorder } from '../history/recorder.js';
import type { Json } from '../history/types.js';
import type { Db } from '../stores/types.js';
import {
  type ClientOp,
  DefiniteFailure,
  type OpSource,
  type Workload,
  type WorkloadClient,
} from '../workloads/types.js';

/** Beyond the client's own timeout: a call that hangs even then is cut off here. */
const GUARD_MS = 500;
/** Pause after an error so a worker facing a dead node does not spin (ioredis fails fast). */
const ERROR_BACKOFF_MS = 50;
/** Attempts at each final operation: the cluster may still be settling after recovery. */
const FINAL_ATTEMPTS = 3;
/** Marks the final operations in the history, so checkers and the report can tell them apart. */
const FINAL_FIELDS = { final: true } as const;

export interface WorkerPoolOptions {
  db: Db;
  workload: Workload;
  recorder: Recorder;
  /** The run's root stream; each worker derives its own from it. */
  random: Random;
  concurrency: number;
  timeoutMs: number;
  /** Total operations per second; 0 for as fast as the store answers. */
  rate: number;
  log: (message: string) => void;
}

interface Worker {
  index: number;
  /** The process id it runs under now; after an `info` it moves on by `concurrency`, as in Jepsen. */
  process: number;
  client: WorkloadClient;
  source: OpSource;
  pacing: Random;
}

class GuardTimeout extends Error {}

/**
 * The concurrent processes of a run: each worker has one client and one outstanding operation at
 * a time, records the invocation and the completion, and after an indeterminate (`info`) result
 * retires its process id and continues under a new one.
 */
export class WorkerPool {
  private stopped = false;
  private readonly sleepers = new Set<() => void>();

  private constructor(
    private readonly options: WorkerPoolOptions,
    private readonly workers: Worker[],
  ) {}

  /** Opens one client per worker; if one cannot be opened, closes the others and rethrows. */
  static async open(options: WorkerPoolOptions): Promise<WorkerPool> {
    const { workload, db, concurrency, timeoutMs, random } = options;
    const opened = await Promise.allSettled(
      Array.from({ length: concurrency }, (_, i) => workload.openClient(db, i, timeoutMs)),
    );
    const failure = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      await Promise.allSettled(opened.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
      throw failure.reason;
    }
    const workers = opened.map((r, index) => ({
      index,
      process: index,
      client: (r as PromiseFulfilledResult<WorkloadClient>).value,
      source: workload.generator(index, concurrency, random.derive(`worker-${index}`)),
      pacing: random.derive(`pacing-${index}`),
    }));
    return new WorkerPool(options, workers);
  }

  /** Runs every worker until `stop()` or until the run's clock reaches `untilMs`. */
  async run(untilMs: number): Promise<void> {
    await Promise.all(this.workers.map((w) => this.loop(w, untilMs)));
  }

  /** Asks the workers to finish their current operation and start no other. */
  stop(): void {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
  }

  /** Runs operations once each, spread over the workers, retrying ones that did not succeed. */
  async runFinal(ops: readonly ClientOp[]): Promise<void> {
    this.stopped = false;
    const shares = this.workers.map((w) => ({
      worker: w,
      ops: ops.filter((_, i) => i % this.workers.length === w.index),
    }));
    await Promise.all(
      shares.map(async ({ worker, ops: mine }) => {
        for (const op of mine) {
          for (let attempt = 1; attempt <= FINAL_ATTEMPTS && !this.stopped; attempt++) {
            if ((await this.perform(worker, op, FINAL_FIELDS)) === 'ok') break;
            await this.sleep(500);
          }
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.client.close()));
  }

  private async loop(worker: Worker, untilMs: number): Promise<void> {
    const { rate, concurrency, recorder } = this.options;
    const periodMs = rate > 0 ? (1000 * concurrency) / rate : 0;
    // Spread the workers' first operations over one period so a rate does not arrive in bursts.
    let nextAt = recorder.elapsedMs() + (periodMs > 0 ? worker.pacing.float() * periodMs : 0);
    while (!this.stopped && recorder.elapsedMs() < untilMs) {
      if (periodMs > 0) {
        await this.sleep(nextAt - recorder.elapsedMs());
        if (this.stopped || recorder.elapsedMs() >= untilMs) break;
        nextAt = Math.max(nextAt + periodMs, recorder.elapsedMs());
      }
      const op = worker.source.next();
      if (op.delayMs !== undefined) {
        await this.sleep(op.delayMs);
        if (this.stopped) break;
      }
      const outcome = await this.perform(worker, op);
      if (outcome !== 'ok' && outcome !== 'definite') await this.sleep(ERROR_BACKOFF_MS);
    }
  }

  /** One operation, recorded from invocation to completion. */
  private async perform(
    worker: Worker,
    op: ClientOp,
    extra?: Record<string, Json>,
  ): Promise<'ok' | 'definite' | 'fail' | 'info'> {
    const { recorder, db } = this.options;
    const process = worker.process;
    const node = worker.client.node;
    const id = recorder.invoke(process, op.f, op.key, op.value, node, extra);
    const client = worker.client;
    // What the client adds to the completion line (a cache hit, database time ...), then ours.
    const fields = () => ({ ...client.lastFields?.(), ...extra });
    try {
      const result = await this.guarded(client.invoke(op));
      recorder.complete(process, id, 'ok', op.f, op.key, result, node, undefined, fields());
      worker.source.observe(op, result);
      return 'ok';
    } catch (err) {
      if (err instanceof DefiniteFailure) {
        recorder.complete(process, id, 'fail', op.f, op.key, op.value, node, err.reason, fields());
        return 'definite';
      }
      const verdict =
        err instanceof GuardTimeout ? { type: 'info' as const, error: 'timeout' } : db.classify(err, op.f);
      recorder.complete(process, id, verdict.type, op.f, op.key, op.value, node, verdict.error, fields());
      if (verdict.type === 'info') worker.process += this.options.concurrency;
      if (err instanceof GuardTimeout) await this.replaceClient(worker);
      return verdict.type;
    }
  }

  private guarded<T>(call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GuardTimeout()), this.options.timeoutMs + GUARD_MS);
    });
    return Promise.race([call, guard]).finally(() => clearTimeout(timer));
  }

  /** The hung call still owns the old client; the worker needs a fresh one to keep one call at a time. */
  private async replaceClient(worker: Worker): Promise<void> {
    const { workload, db, timeoutMs, log } = this.options;
    try {
      const fresh = await this.guarded(workload.openClient(db, worker.index, timeoutMs));
      const old = worker.client;
      worker.client = fresh;
      old.close().catch(() => undefined);
    } catch (err) {
      log(
        `worker ${worker.index}: could not open a new client (${(err as Error).message}); keeping the old one`,
      );
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}
