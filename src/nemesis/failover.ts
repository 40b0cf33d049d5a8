import { UsageError } from '../errors.js';
import type { Recorder } from '../history/recorder.js';
import { type Db, type HasFailover, hasFailover } from '../stores/types.js';
import { NEMESIS_FS } from './events.js';
import type { NemesisKind } from './schedule.js';

/**
 * A nemesis that runs for the whole run and reacts to what the faults did, instead of taking
 * faulty periods of its own (see MONITOR_KINDS).
 */
export interface Monitor {
  readonly kind: NemesisKind;
  /** Watches until `stop()`. */
  run(): Promise<void>;
  stop(): void;
  /** After the faults are healed: finishes what is pending (an old primary to bring back). */
  settle(): Promise<void>;
}

export interface MonitorOptions {
  db: Db;
  recorder: Pick<Recorder, 'nemesis'>;
  log: (message: string) => void;
  /** How often the tool looks at the primary. */
  pollMs?: number;
  /** How long the primary must look failed before the tool acts (orchestrator's detection delay). */
  detectionMs?: number;
  /** How long `settle` waits for old primaries to come back. */
  settleMs?: number;
}

const DEFAULTS = { pollMs: 500, detectionMs: 2000, settleMs: 15_000 } as const;

/**
 * An operator's failover tool (orchestrator, MHA) for a primary/replica cluster: when the primary
 * has looked failed for the detection delay, promote the most advanced reachable replica and
 * repoint the others (the store does it and says what it did); later, bring the old primary back
 * as a replica. Each promotion is a `failover` event in the history, each return a `rejoin`.
 */
export function failoverMonitor(options: MonitorOptions): Monitor {
  const { recorder, log } = options;
  const db: Db = options.db;
  if (!hasFailover(db)) {
    throw new UsageError(
      `--nemesis failover needs a store with a replaceable primary (mysql --topology async or semisync); store ${db.store} has none in dscheck`,
    );
  }
  const tool: Db & HasFailover = db;
  const unsupported = tool.failoverUnsupported();
  if (unsupported !== null) throw new UsageError(`--nemesis failover: ${unsupported}`);
  const pollMs = options.pollMs ?? DEFAULTS.pollMs;
  const detectionMs = options.detectionMs ?? DEFAULTS.detectionMs;
  let stopped = false;
  let wake: (() => void) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  async function rejoinReturned(): Promise<string[]> {
    const { done, waiting } = await tool.rejoin();
    for (const entry of done) recorder.nemesis(NEMESIS_FS.failover.stop, entry);
    return waiting;
  }

  return {
    kind: 'failover',
    async run() {
      let failingSince: number | null = null;
      while (!stopped) {
        try {
          const failure = await tool.primaryFailure();
          const now = performance.now();
          if (failure === null) failingSince = null;
          else if (failingSince === null) failingSince = now;
          else if (now - failingSince >= detectionMs && !stopped) {
            failingSince = null;
            recorder.nemesis(NEMESIS_FS.failover.start, await tool.promote(failure));
          }
          await rejoinReturned();
        } catch (err) {
          log(`failover: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (!stopped) await sleep(pollMs);
      }
    },
    stop() {
      stopped = true;
      wake?.();
    },
    async settle() {
      const deadline = performance.now() + (options.settleMs ?? DEFAULTS.settleMs);
      for (;;) {
        let waiting: string[] = [];
        try {
          waiting = await rejoinReturned();
        } catch (err) {
          log(`failover: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (waiting.length === 0) return;
        if (performance.now() > deadline) {
          log(`failover: ${waiting.join(', ')} did not come back as replicas`);
          return;
        }
        await sleep(pollMs);
      }
    },
  };
}
