import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Operation } from '../../history/types.js';
import type { KeyPartitions } from '../linearizable/index.js';

/** Lines a key buffers before they go to its file: few writes, little memory per key. */
const BUFFERED_LINES = 2048;

interface KeyFile {
  path: string;
  size: number;
  /** The smallest operation index seen: keys are searched in the order the history first names them. */
  firstIndex: number;
  buffer: string[];
}

/**
 * Operations split by key into temporary files, so a history longer than memory is checked one
 * key at a time (P-compositionality): memory is bounded by the largest key, not by the history.
 * Operations may arrive in any order; each key's are read back in invocation order.
 */
export class KeySpill implements KeyPartitions {
  private readonly dir = mkdtempSync(join(tmpdir(), 'dscheck-keys-'));
  private readonly files = new Map<string | null, KeyFile>();

  add(op: Operation): void {
    let file = this.files.get(op.key);
    if (!file) {
      file = { path: join(this.dir, `${this.files.size}.ndjson`), size: 0, firstIndex: op.index, buffer: [] };
      this.files.set(op.key, file);
    }
    file.size++;
    file.firstIndex = Math.min(file.firstIndex, op.index);
    // JSON has no Infinity: a pending operation's open end is written as null.
    file.buffer.push(
      JSON.stringify(op, (name, value) => (name === 'ret' && value === Infinity ? null : value)),
    );
    if (file.buffer.length >= BUFFERED_LINES) flush(file);
  }

  get keys(): { key: string | null; size: number }[] {
    return [...this.files.entries()]
      .sort(([, a], [, b]) => a.firstIndex - b.firstIndex)
      .map(([key, file]) => ({ key, size: file.size }));
  }

  load(key: string | null): Operation[] {
    const file = this.files.get(key);
    if (!file) return [];
    flush(file);
    const ops: Operation[] = [];
    for (const line of readFileSync(file.path, 'utf8').split('\n')) {
      if (line === '') continue;
      const op = JSON.parse(line) as Operation;
      if (op.ret === null) op.ret = Number.POSITIVE_INFINITY;
      ops.push(op);
    }
    return ops.sort((a, b) => a.index - b.index);
  }

  /** Removes the files; the spill is empty afterwards. */
  close(): void {
    this.files.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function flush(file: KeyFile): void {
  if (file.buffer.length === 0) return;
  appendFileSync(file.path, `${file.buffer.join('\n')}\n`);
  file.buffer = [];
}
