/** How long an interrupted run may take to clean up and write its results before it is forced. */
export const INTERRUPT_BUDGET_MS = 20_000;

/**
 * Ctrl-C and SIGTERM: the first asks the run to stop, heal, clean up and write results; a second
 * one, or the budget running out, ends the process the way the signal would have, leaving
 * leftovers to `dscheck clean`. Re-raising the signal with no handler left is the signal's own
 * default action, not an exit code chosen here.
 */
export class Interrupt {
  readonly controller = new AbortController();
  /** When the first signal came, as performance.now(); null before. */
  at: number | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly handler = (signal: NodeJS.Signals) => this.onSignal(signal);
  private watchdog: NodeJS.Timeout | null = null;

  constructor(private readonly log: (message: string) => void) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.at !== null;
  }

  /** Milliseconds left of the budget, or Infinity when not interrupted. */
  remainingMs(): number {
    return this.at === null ? Number.POSITIVE_INFINITY : INTERRUPT_BUDGET_MS - (performance.now() - this.at);
  }

  /** Calls `listener` on the first signal (at once if it already came); returns its removal. */
  onInterrupt(listener: () => void): () => void {
    if (this.interrupted) listener();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
    if (this.watchdog) clearTimeout(this.watchdog);
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.interrupted) {
      this.force(signal, 'second interrupt');
      return;
    }
    this.at = performance.now();
    this.log(`\n${signal}: stopping the clients, healing, tearing down; results follow (again to force)`);
    this.watchdog = setTimeout(() => this.force(signal, 'clean-up took too long'), INTERRUPT_BUDGET_MS - 500);
    this.watchdog.unref();
    this.controller.abort(new Error(`interrupted by ${signal}`));
    for (const listener of this.listeners) listener();
  }

  private force(signal: NodeJS.Signals, why: string): void {
    this.log(`${why}: stopping now; run 'dscheck clean' to remove what is left in Docker`);
    this.dispose();
    process.kill(process.pid, signal);
  }
}
