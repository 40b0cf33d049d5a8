import { describe, expect, it } from 'vitest';
import { parseHistory } from './parse.js';
import { hasOperation, summarize } from './summary.js';
import type { Operation } from './types.js';

const line = (e: Record<string, unknown>): string => `${JSON.stringify(e)}\n`;

describe('operations summary', () => {
  it('the summary the reader gathers equals one made from the operations afterwards', () => {
    const text =
      line({ process: 1, type: 'invoke', f: 'write', key: 'k', value: 3, time: 10, id: 7 }) +
      line({ process: 2, type: 'invoke', f: 'read', key: 'k', value: null, time: 11 }) +
      line({ process: 1, type: 'ok', f: 'write', key: 'k', value: 3, time: 20, id: 7 }) +
      line({ process: 2, type: 'ok', f: 'read', key: 'k', value: 3, time: 30, hit: true }) +
      line({ process: 3, type: 'invoke', f: 'read', key: 'j', value: null, time: 31 }) +
      line({ process: 3, type: 'info', f: 'read', key: 'j', value: null, time: 32, hit: 'maybe' }) +
      line({ process: 4, type: 'invoke', f: 'cas', key: 'j', value: [1, 2], time: 33 });
    const { operations } = parseHistory(text);
    const read = summarize(operations);
    // A copy is a new array: summarized from scratch.
    const fresh = summarize([...operations]);
    expect(read).toEqual(fresh);
    expect([...read.names].sort()).toEqual(['cas', 'read', 'write']);
    expect(read.extraTypes.get('hit')).toEqual(new Set(['boolean', 'string']));
    expect(read.extraTypes.get('id')).toEqual(new Set(['number']));
  });

  it('an array that has grown is summarized again', () => {
    const ops: Pick<Operation, 'f' | 'extra'>[] = [{ f: 'read', extra: undefined }];
    expect(hasOperation(ops, 'txn')).toBe(false);
    ops.push({ f: 'txn', extra: undefined });
    expect(hasOperation(ops, 'txn')).toBe(true);
  });
});
