import { createReadStream, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { OperationCollector } from './operations.js';
import { NdjsonParser } from './parse.js';
import type { HistoryShape, Operation } from './types.js';

/**
 * Reads a dscheck NDJSON history as a stream and hands each client operation to `onOperation`
 * once it is complete (in completion order; operations never completed come last, in invocation
 * order). Memory is bounded by the open operations (one per process), whatever the file's size.
 * The same parser as `readHistory` reads each line, so both accept and refuse the same files.
 */
export async function streamOperations(
  file: string,
  onOperation: (op: Operation) => void,
): Promise<HistoryShape> {
  const info = statSync(file, { throwIfNoEntry: false });
  if (!info?.isFile()) throw new UsageError(`no such history file: ${file}`);
  let operations = 0;
  const fs = new Set<string>();
  const collector = new OperationCollector(file, (op) => {
    operations++;
    fs.add(op.f);
    onOperation(op);
  });
  const parser = new NdjsonParser(file, collector);
  // Bytes go to the parser as they are: it decodes strictly (invalid UTF-8 names its line).
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) parser.push(chunk as Buffer);
  const { operations: _kept, ...shape } = parser.finish();
  collector.finishOpen();
  return { ...shape, operations, fs: [...fs] };
}
