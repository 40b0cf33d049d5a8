import type { Recorder } from '../history/recorder.js';
import type { Monitor } from './failover.js';
import type { Fault } from './fault.js';
import type { NemesisKind, NemesisStep } from './schedule.js';

/**
 * Repair order at the end: paused nodes first (Docker cannot exec into a paused container, and
 * healing the network runs iptables in every node), then the network, so restarted nodes find
 * their peers.
 */
const HEAL_ORDER: readonly NemesisKind[] = ['pause', 'partition', 'loss', 'kill', 'crash-all'];

export interface NemesisRunnerOptions {
  faults: readonly Fault[];
  steps: readonly NemesisStep[];
  recorder: Recorder;
  log: (message: string) => void;
  /** Nemeses that watch for the whole run (the failover tool); they run beside the schedule. */
  monitors?: readonly Monitor[];
}

/**
 * Plays the schedule against the faults and records each action in the history when it took
 * effect, with how late that was (`delayMs`) against the schedule. A fault action that throws is
 * logged and listed in `errors`, not recorded as done; a fault whose repair failed stays active
 * so `healAll` tries again.
 */
export class NemesisRunner {
  readonly errors: string[] = [];
  /** How late each scheduled start took effect, per kind, in ms. */
  readonly delays: Record<string, number[]> = {};
  private readonly active = new Set<Fault>();
  private stopped = false;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: NemesisRunnerOptions) {}

  /** Runs the steps in order until the last one or `stop()`, and the monitors until `stop()`. */
  async run(): Promise<void> {
    await Promise.all([this.playSteps(), ...(this.options.monitors ?? []).map((m) => m.run())]);
  }

  private async playSteps(): Promise<void> {
    const { steps, recorder } = this.options;
    for (const step of steps) {
      await this.sleepUntil(step.atMs);
      if (this.stopped) return;
      const fault = this.options.faults.find((f) => f.kind === step.kind);
      if (!fault) continue;
      if (step.action === 'start' && !this.active.has(fault)) await this.start(fault, step.atMs);
      else if (step.action === 'stop' && this.active.has(fault)) await this.repair(fault, step.atMs);
      if (recorder.elapsedMs() > step.atMs + 1_000) {
        this.options.log(
          `nemesis: ${step.action} ${step.kind} finished ${Math.round(recorder.elapsedMs() - step.atMs)} ms late`,
        );
      }
    }
  }

  /** No further steps; a step already under way completes. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    for (const monitor of this.options.monitors ?? []) monitor.stop();
  }

  /** Repairs every active fault, recording each repair. */
  async healAll(): Promise<void> {
    const ordered = [...this.active].sort((a, b) => HEAL_ORDER.indexOf(a.kind) - HEAL_ORDER.indexOf(b.kind));
    for (const fault of ordered) await this.repair(fault);
    for (const monitor of this.options.monitors ?? []) await monitor.settle();
  }

  /** The faults in effect now, for the progress line. */
  describe(): string {
    return this.active.size === 0 ? 'healthy' : [...this.active].map((f) => f.kind).join('+');
  }

  private async start(fault: Fault, atMs: number): Promise<void> {
    try {
      const value = await fault.start();
      this.active.add(fault);
      const delayMs = this.delayMs(atMs);
      this.delays[fault.kind] = [...(this.delays[fault.kind] ?? []), delayMs];
      this.options.recorder.nemesis(fault.startF, value, { delayMs });
    } catch (err) {
      this.fail(`${fault.startF} failed: ${message(err)}`);
      // It may have half-happened (iptables on some nodes): undo what can be undone.
      await fault.stop().catch((e: unknown) => this.fail(`undoing ${fault.startF} failed: ${message(e)}`));
    }
  }

  private async repair(fault: Fault, atMs?: number): Promise<void> {
    try {
      const value = await fault.stop();
      this.active.delete(fault);
      const extra: Record<string, number> = atMs === undefined ? {} : { delayMs: this.delayMs(atMs) };
      this.options.recorder.nemesis(fault.stopF, value, extra);
    } catch (err) {
      this.fail(`${fault.stopF} failed: ${message(err)}`);
    }
  }

  private delayMs(atMs: number): number {
    return Math.round((this.options.recorder.elapsedMs() - atMs) * 10) / 10;
  }

  private fail(text: string): void {
    this.errors.push(text);
    this.options.log(`nemesis: ${text}`);
  }

  private async sleepUntil(atMs: number): Promise<void> {
    // Timers may fire a little before the monotonic clock reaches the target: sleep again.
    for (;;) {
      const remaining = atMs - this.options.recorder.elapsedMs();
      if (remaining <= 0 || this.stopped) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, Math.max(1, remaining));
      });
      this.wake = null;
      this.timer = null;
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
