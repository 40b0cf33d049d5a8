import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHistory } from '../../history/reader.js';
import { checkTransactions } from './index.js';

/** A Jepsen list-append history in EDN, as Elle reads it: G-single (read skew) between processes 0 and 1. */
const EDN = `[{:type :invoke, :f :txn, :value [[:append :x 1] [:append :y 1]], :process 0, :time 0, :index 0}
{:type :invoke, :f :txn, :value [[:r :x nil] [:r :y nil]], :process 1, :time 1, :index 1}
{:type :ok, :f :txn, :value [[:append :x 1] [:append :y 1]], :process 0, :time 2, :index 2}
{:type :ok, :f :txn, :value [[:r :x nil] [:r :y [1]]], :process 1, :time 3, :index 3}
{:type :invoke, :f :txn, :value [[:r :x nil]], :process 2, :time 4, :index 4}
{:type :ok, :f :txn, :value [[:r :x [1]]], :process 2, :time 5, :index 5}]`;

describe('transactions checker on Jepsen EDN', () => {
  it('reads list-append transactions without splitting them into [key value] tuples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dscheck-txn-'));
    const file = join(dir, 'history.edn');
    writeFileSync(file, EDN);
    const history = await readHistory(file);
    expect(history.operations.map((o) => o.f)).toEqual(['txn', 'txn', 'txn']);
    const result = checkTransactions(history.operations);
    expect(result.anomalies).toEqual({ 'G-single': 1 });
    expect(result.examples['G-single']?.steps?.find((s) => s.kind === 'rw')).toMatchObject({
      key: 'x',
      value: null,
      next: 1,
    });
  });
});
