import { createReadStream, readFileSync, type Stats, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { fileErrorWords } from '../io/files.js';
import { HISTORY_FORMATS, type HistoryFormat, NdjsonParser, parseHistory } from './parse.js';
import { type History, HistoryError } from './types.js';

export { HISTORY_FORMATS, type HistoryFormat, parseHistory } from './parse.js';

const EXTENSIONS: Record<string, HistoryFormat> = { '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.edn': 'edn' };

/** The file name that means standard input. */
export const STDIN = '-';

export function formatOf(file: string, format?: string): HistoryFormat {
  if (format !== undefined) {
    if ((HISTORY_FORMATS as readonly string[]).includes(format)) return format as HistoryFormat;
    throw new UsageError(`unknown format '${format}'; valid choices: ${HISTORY_FORMATS.join(', ')}`);
  }
  if (file === STDIN) return 'ndjson';
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

/** Pieces in which a large history is read: NDJSON is parsed piece by piece, never held whole. */
const CHUNK = 1 << 20;

/**
 * Files up to this size are read in one call: a stream's set-up and ticks cost more than the
 * reading itself for the small files users check by the hundred.
 */
const READ_WHOLE_BYTES = 64 * 2 ** 20;

/** Reads a whole history: dscheck NDJSON or a Jepsen/Knossos EDN history; `-` is standard input. */
export async function readHistory(file: string, options: ReadOptions = {}): Promise<History> {
  const format = formatOf(file, options.format);
  const source = file === STDIN ? process.stdin : openHistory(file);
  try {
    if (Buffer.isBuffer(source)) {
      if (format === 'edn') {
        const text = decodeUtf8(file, stripBom(source));
        return parseHistory(text, { file, format, independent: options.independent });
      }
      const parser = new NdjsonParser(file);
      parser.push(source);
      return parser.finish();
    }
    if (format === 'edn') {
      const pieces: Buffer[] = [];
      for await (const piece of source) pieces.push(piece as Buffer);
      const text = decodeUtf8(file, stripBom(Buffer.concat(pieces)));
      return parseHistory(text, { file, format, independent: options.independent });
    }
    const parser = new NdjsonParser(file);
    for await (const piece of source) parser.push(piece as Buffer);
    return parser.finish();
  } catch (err) {
    throw fileProblem(file, err);
  }
}

/**
 * A regular file's bytes (a small one) or a readable stream of them, or a message saying why the
 * path is not a regular file.
 */
function openHistory(file: string): Readable | Buffer {
  let info: Stats | undefined;
  try {
    info = statSync(file, { throwIfNoEntry: false });
  } catch (err) {
    throw fileProblem(file, err);
  }
  if (!info) throw new UsageError(`no such history file: ${file}`);
  if (info.isDirectory()) throw new UsageError(`${file} is a directory, not a history file`);
  if (!info.isFile()) {
    throw new UsageError(
      `${file} is not a regular file (a pipe, socket or device); to read a history from a pipe, give - and pipe it to standard input`,
    );
  }
  if (info.size <= READ_WHOLE_BYTES) {
    try {
      return readFileSync(file);
    } catch (err) {
      throw fileProblem(file, err);
    }
  }
  return createReadStream(file, { highWaterMark: CHUNK });
}

/** File-system errors become bad input (exit 254) with the path and the reason in words. */
function fileProblem(file: string, err: unknown): unknown {
  if (!(err instanceof Error) || !('code' in err) || typeof err.code !== 'string') return err;
  return new UsageError(`cannot read history file ${file}: ${fileErrorWords(err.code) ?? err.message}`);
}

function stripBom(bytes: Buffer): Buffer {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/** Strict UTF-8 decoding (replacement characters would merge distinct keys), naming the line. */
function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HistoryError(file, firstInvalidLine(bytes), 'not valid UTF-8');
  }
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
