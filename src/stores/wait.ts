/** Polls `probe` until it returns true; rejects after `timeoutMs` with the last reason, or on abort. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; signal?: AbortSignal; intervalMs?: number },
): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      if (await probe()) return;
      lastError = '';
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
