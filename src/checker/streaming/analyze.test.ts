import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkerNamed, type PlannedCheck } from '../../checkers.js';
import { syntheticHistory } from '../../generator/synthetic.js';
import { readHistory } from '../../history/reader.js';
import type { HistoryEvent } from '../../history/types.js';
import { HistoryWriter } from '../../history/writer.js';
import { perf } from '../perf.js';
import { checkStreaming } from './analyze.js';
import { EXACT_SAMPLES, Samples } from './samples.js';

const dir = mkdtempSync(join(tmpdir(), 'dscheck-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, events: Iterable<HistoryEvent>): string {
  const file = join(dir, name);
  const writer = new HistoryWriter(file);
  for (const event of events) writer.append(event);
  writer.close();
  return file;
}

function plan(...names: string[]): PlannedCheck[] {
  return names.map((name) => {
    const entry = checkerNamed(name);
    if (!entry) throw new Error(name);
    return entry.plan({}, (what) => new Error(what));
  });
}

/** The outcomes without the time they took, which no two runs share. */
function comparable(result: Record<string, unknown>): Record<string, unknown> {
  const { ms: _ms, ...rest } = result;
  return rest;
}

async function bothPaths(file: string, all: boolean) {
  const planned = plan('linearizable', 'perf');
  const context = { timeoutMs: 60_000, firstFailure: !all };
  const history = await readHistory(file);
  const whole = await Promise.all(planned.map((p) => p.run(history, context)));
  const streamed = await checkStreaming(file, planned, context);
  return { history, whole, streamed };
}

describe('checking a history as a stream', () => {
  it('gives the in-memory verdicts and figures on a valid history', async () => {
    const file = write(
      'valid.ndjson',
      syntheticHistory({ operations: 20_000, keys: 30, clients: 8, pendingWrites: 0.05, seed: 3 }),
    );
    const { history, whole, streamed } = await bothPaths(file, true);
    expect(whole[0].result.valid).toBe(true);
    expect(streamed.outcomes.map((o) => comparable(o.stored))).toEqual(
      whole.map((o) => comparable(o.stored)),
    );
    expect(streamed.perf).toEqual(perf(history));
    expect(streamed.shape.operations).toBe(history.operations.length);
  });

  it('names the same failing keys and prefixes on a history that is not linearizable', async () => {
    // Every read of k3 that saw a value answers one more: values nobody wrote.
    const broken = [
      ...syntheticHistory({ operations: 20_000, keys: 12, clients: 6, pendingWrites: 0.02, seed: 9 }),
    ].map((e) =>
      e.key === 'k3' && e.type === 'ok' && e.f === 'read' && typeof e.value === 'number'
        ? { ...e, value: e.value + 1 }
        : e,
    );
    const file = write('invalid.ndjson', broken);
    for (const all of [false, true]) {
      const { whole, streamed } = await bothPaths(file, all);
      expect(whole[0].result.valid).toBe(false);
      expect(streamed.outcomes.map((o) => comparable(o.result))).toEqual(
        whole.map((o) => comparable(o.result)),
      );
    }
  });
});

describe('latency samples', () => {
  it('are exact up to EXACT_SAMPLES and within 0.1% beyond', () => {
    const samples = new Samples();
    const values: number[] = [];
    for (let i = 0; i < EXACT_SAMPLES + 1000; i++) {
      const v = ((i * 7919) % 100_003) / 97;
      values.push(v);
      samples.add(v);
    }
    expect(samples.approximate).toBe(true);
    const sorted = Float64Array.from(values).sort();
    const rank = (q: number) => sorted[Math.ceil(q * sorted.length) - 1];
    const q = samples.quantiles();
    for (const [got, want] of [
      [q?.p50, rank(0.5)],
      [q?.p90, rank(0.9)],
      [q?.p99, rank(0.99)],
    ] as const) {
      expect(Math.abs((got ?? 0) - want) / want).toBeLessThan(0.001);
    }
    expect(q?.max).toBe(Math.round(sorted[sorted.length - 1] * 1000) / 1000);
  });
});
