import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import { HISTORY_FORMATS, type HistoryFormat, NdjsonParser, parseHistory } from './parse.js';
import { type History, HistoryError } from './types.js';

export { HISTORY_FORMATS, type HistoryFormat, parseHistory } from './parse.js';

const EXTENSIONS: Record<string, HistoryFormat> = { '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.edn': 'edn' };

export function formatOf(file: string, format?: string): HistoryFormat {
  if (format !== undefined) {
    if ((HISTORY_FORMATS as readonly string[]).includes(format)) return format as HistoryFormat;
    throw new UsageError(`unknown format '${format}'; valid choices: ${HISTORY_FORMATS.join(', ')}`);
  }
  const byExtension = EXTENSIONS[extname(file).toLowerCase()];
  if (byExtension) return byExtension;
  throw new UsageError(
    `cannot tell the format of '${file}' from its extension; use .ndjson, .jsonl or .edn, or --format ndjson|edn`,
  );
}

export interface ReadOptions {
  format?: string;
  /** Split EDN [key value] tuples into keys (Jepsen's `independent`); see ParseOptions. */
  independent?: boolean;
}

/** Large files are read and parsed in pieces of this size, so a huge history is not held twice. */
const CHUNK = 1 << 24;

/** Reads a whole history: dscheck NDJSON or a Jepsen/Knossos EDN history. */
export async function readHistory(file: string, options: ReadOptions = {}): Promise<History> {
  const format = formatOf(file, options.format);
  const info = statSync(file, { throwIfNoEntry: false });
  if (!info?.isFile()) throw new UsageError(`no such history file: ${file}`);
  const fd = openSync(file, 'r');
  try {
    // The text must be valid UTF-8: decoding with replacement characters would merge distinct keys.
    const decoder = new Utf8Lines(file);
    if (format === 'edn' || info.size <= CHUNK) {
      const bytes = Buffer.allocUnsafe(info.size);
      const read = readFully(fd, bytes);
      const text = decoder.decode(bytes.subarray(0, read), false);
      return parseHistory(text, { file, format, independent: options.independent });
    }
    const parser = new NdjsonParser(file);
    const bytes = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const read = readSync(fd, bytes, 0, CHUNK, null);
      parser.push(decoder.decode(bytes.subarray(0, read), read > 0));
      if (read === 0) break;
    }
    return parser.finish();
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, bytes: Buffer): number {
  let at = 0;
  while (at < bytes.length) {
    const read = readSync(fd, bytes, at, bytes.length - at, null);
    if (read === 0) break;
    at += read;
  }
  return at;
}

/** Strict UTF-8 decoding that names the line of the first invalid byte. */
export class Utf8Lines {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Lines completed in earlier pieces. */
  private lines = 0;

  constructor(private readonly file: string) {}

  decode(bytes: Uint8Array, more: boolean): string {
    try {
      const text = this.decoder.decode(bytes, { stream: more });
      if (more) this.lines += countNewlines(bytes);
      return text;
    } catch {
      throw new HistoryError(this.file, this.lines + firstInvalidLine(bytes), 'not valid UTF-8');
    }
  }
}

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  let at = bytes.indexOf(10);
  while (at !== -1) {
    n++;
    at = bytes.indexOf(10, at + 1);
  }
  return n;
}

/** The 1-based line (within `bytes`) holding the first byte sequence that is not UTF-8. */
function firstInvalidLine(bytes: Uint8Array): number {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    try {
      strict.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    line++;
    start = end + 1;
  }
  return line;
}
