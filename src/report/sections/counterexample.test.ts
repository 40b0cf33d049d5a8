import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLinearizable } from '../../checker/linearizable/index.js';
import { syntheticHistory } from '../../generator/synthetic.js';
import { readHistory } from '../../history/reader.js';
import { streamOperations } from '../../history/stream.js';
import type { HistoryEvent } from '../../history/types.js';
import { HistoryWriter } from '../../history/writer.js';
import { CounterexampleTally, counterexample, linearizableSection } from './linearizable.js';
import type { ReportContext } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'dscheck-cx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the events to a history file, reads it back and checks every key of it. */
async function checkedFile(name: string, events: readonly HistoryEvent[]) {
  const file = join(dir, name);
  const writer = new HistoryWriter(file);
  for (const e of events) writer.append(e);
  writer.close();
  const history = await readHistory(file);
  const result = await checkLinearizable(history.operations, {
    model: 'cas-register',
    timeoutMs: 60_000,
    allKeys: true,
  });
  return { file, history, result };
}

describe('counterexamples of a history read as a stream', () => {
  it('are drawn from the same operations as from the whole history, however many came before', async () => {
    // On two keys of three, reads late in the history answer a value nobody wrote: thousands of
    // operations on each failing key come before the one that cannot be linearized.
    const events = [
      ...syntheticHistory({ operations: 8_000, keys: 3, clients: 6, pendingWrites: 0, seed: 5 }),
    ];
    const late = events[Math.floor(events.length * 0.8)].time;
    const broken = events.map((e) =>
      (e.key === 'k0' || e.key === 'k2') &&
      e.time > late &&
      e.type === 'ok' &&
      e.f === 'read' &&
      typeof e.value === 'number'
        ? { ...e, value: e.value + 100_000 }
        : e,
    );
    const { file, history, result } = await checkedFile('broken.ndjson', broken);
    expect(result.failures.map((f) => f.key).sort()).toEqual(['k0', 'k2']);
    const tally = new CounterexampleTally(result);
    await streamOperations(file, (op) => tally.add(op));
    const kept = tally.finish();
    for (const failure of result.failures) {
      const whole = counterexample(failure, history.operations, result.model);
      expect(whole.hidden).toBeGreaterThan(1000);
      const part = kept.get(failure.key);
      if (!part) throw new Error(`no operations kept for ${failure.key}`);
      expect(part.hiddenBefore).toBeGreaterThan(0);
      expect(part.ops.length).toBeLessThan(1000);
      expect(counterexample(failure, part.ops, result.model, part.hiddenBefore, part.blocked)).toEqual(whole);
    }
  });
});

describe('a history with many failing keys', () => {
  it('draws 20 counterexamples and names the other keys', async () => {
    // Every read answers one more than it saw: all 25 keys fail.
    const events = [
      ...syntheticHistory({ operations: 3_000, keys: 25, clients: 6, pendingWrites: 0, seed: 2 }),
    ].map((e) =>
      e.type === 'ok' && e.f === 'read' && typeof e.value === 'number' ? { ...e, value: e.value + 1 } : e,
    );
    const { history, result } = await checkedFile('many.ndjson', events);
    expect(result.failures.length).toBe(25);
    const context = { result, history } as unknown as ReportContext<typeof result>;
    const data = linearizableSection.data?.(context) as { failures: unknown[] };
    expect(data.failures.length).toBe(20);
    const html = linearizableSection.render(context);
    expect(html.match(/<h3>Counterexample on/g)?.length).toBe(20);
    expect(html).toContain('5 more key(s) cannot be linearized either');
    for (const f of result.failures.slice(20)) expect(html).toContain(`key &quot;${f.key}&quot;`);
  });
});
