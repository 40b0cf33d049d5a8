import { describe, expect, it } from 'vitest';
import { txnOperations } from '../../checker/transactions/fixtures.js';
import { checkTransactions } from '../../checker/transactions/index.js';
import { cycleStory, transactionsSection } from './transactions.js';
import type { ReportContext } from './types.js';

const render = (result: ReturnType<typeof checkTransactions>) =>
  transactionsSection.render({ result } as unknown as ReportContext<typeof result>);

describe('transactions report section', () => {
  const key = '<img src=x onerror=alert(1)>';
  const result = checkTransactions(
    txnOperations([
      {
        process: 0,
        ops: [
          ['append', key, 1],
          ['append', 'y', 1],
        ],
        call: 0,
        ret: 10,
      },
      {
        process: 1,
        ops: [
          ['r', key, []],
          ['r', 'y', [1]],
        ],
        call: 0,
        ret: 10,
      },
      { process: 2, ops: [['r', key, [1]]], call: 0, ret: 10 },
    ]),
  );

  it('tells a cycle step by step, back to where it began', () => {
    const steps = result.examples['G-single']?.steps ?? [];
    expect(cycleStory(steps)).toMatch(
      /^T1 read .* empty, without 1 that T0 appended next, so T1 comes before T0 \(rw\); T1 read y ending in 1, which T0 appended, so T0 comes before T1 \(wr\); and so back to T1: no order of these transactions can explain it\.$/,
    );
  });

  it('draws the cycle as SVG with labelled edges and escapes values from the history', () => {
    const html = render(result);
    expect(html).toContain('<svg class="txn-cycle"');
    expect(html).toMatch(/>rw<\/text>.*>wr<\/text>/s);
    expect(html).toContain('Read skew');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
  });

  it('says so when nothing was found', () => {
    const clean = checkTransactions(
      txnOperations([
        {
          process: 0,
          ops: [
            ['append', 'x', 1],
            ['r', 'x', [1]],
          ],
        },
      ]),
    );
    expect(render(clean)).toContain('No anomaly');
  });
});
