import { type EdnMap, EdnReader, EdnSyntaxError, type EdnValue } from './edn.js';
import { LIMITS, LimitExceeded } from './limits.js';
import { EventFields, EventProblem, OperationCollector, toEvent } from './operations.js';
import { ByteJson, InexactNumber, JsonSyntaxError, Utf8Error } from './scan.js';
import { remember } from './summary.js';
import { type History, HistoryError, type HistoryEvent, type Json, type KeySource } from './types.js';

/**
 * Parsing a history from its text, with no I/O: dscheck NDJSON or a Jepsen/Knossos EDN history.
 * `file` only names the source in messages.
 */

export const HISTORY_FORMATS = ['ndjson', 'edn'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

export interface ParseOptions {
  file?: string;
  format?: HistoryFormat;
  /**
   * Split EDN values that are [key value] tuples (Jepsen's `independent`) into key and value.
   * Off by default: EDN prints a tuple exactly like a 2-element vector, so a register whose
   * values are vectors would be split by mistake.
   */
  independent?: boolean;
}

export function parseHistory(text: string, options: ParseOptions = {}): History {
  const file = options.file ?? '<history>';
  if (options.format === 'edn') return parseEdnHistory(text, file, options.independent === true);
  const parser = new NdjsonParser(file);
  parser.push(Buffer.from(text));
  return parser.finish();
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Reads NDJSON chunk by chunk straight from bytes. Lines inside a chunk are parsed where they lie;
 * only a line that spans chunks is copied, once, so the time is linear in the input whatever the
 * line lengths, and a line over the limit is refused before it is held.
 */
export class NdjsonParser {
  private readonly collector: OperationCollector;
  private readonly json = new ByteJson();
  private readonly fields = new EventFields();
  private lineNo = 0;
  private events = 0;
  /** The start of a line that continues in the next chunk. */
  private partial: Buffer[] = [];
  private partialBytes = 0;

  /** `collector`: one that hands operations over as they complete, for a streaming read. */
  constructor(
    private readonly file: string,
    collector?: OperationCollector,
  ) {
    this.collector = collector ?? new OperationCollector(file);
  }

  /** Takes the next bytes of the file; the chunk may be reused by the caller afterwards. */
  push(chunk: Buffer): void {
    let start = 0;
    let nl = chunk.indexOf(10, start);
    while (nl !== -1) {
      if (this.partialBytes > 0) {
        this.partial.push(chunk.subarray(start, nl));
        const line = Buffer.concat(this.partial, this.partialBytes + nl - start);
        this.partial = [];
        this.partialBytes = 0;
        this.take(line, 0, line.length, false);
      } else this.take(chunk, start, nl, false);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      this.partialBytes += chunk.length - start;
      if (this.partialBytes > LIMITS.lineBytes) this.tooLong(this.lineNo + 1);
      this.partial.push(Buffer.from(chunk.subarray(start)));
    }
  }

  finish(): History {
    if (this.partialBytes > 0) {
      const line = Buffer.concat(this.partial, this.partialBytes);
      this.partial = [];
      this.partialBytes = 0;
      this.take(line, 0, line.length, true);
    }
    const c = this.collector;
    if (c.keepsOperations) remember(c.operations, c.tally.summary());
    return {
      file: this.file,
      operations: c.operations,
      nemesis: c.nemesis,
      warnings: c.warnings,
      events: this.events,
      keys: 'key-field',
    };
  }

  private tooLong(lineNo: number): never {
    throw new HistoryError(
      this.file,
      lineNo,
      `the line is longer than ${LIMITS.lineBytes / 2 ** 20} MiB, the limit for one event`,
    );
  }

  private take(bytes: Buffer, start: number, end: number, isLast: boolean): void {
    const lineNo = ++this.lineNo;
    if (end - start > LIMITS.lineBytes) this.tooLong(lineNo);
    if (lineNo === 1 && UTF8_BOM.every((b, k) => bytes[start + k] === b)) start += UTF8_BOM.length;
    if (blank(bytes, start, end)) return;
    if (this.json.eventInto(bytes, start, end, this.fields)) {
      try {
        this.collector.addFields(this.fields, lineNo);
      } catch (err) {
        if (isInputProblem(err)) throw new HistoryError(this.file, lineNo, err.message);
        throw err;
      }
      this.events++;
      return;
    }
    let raw: unknown;
    try {
      raw = this.json.parseEvent(bytes, start, end);
    } catch (err) {
      if (err instanceof JsonSyntaxError && isLast) {
        this.collector.warn(
          lineNo,
          'the last line is cut off (the run was probably interrupted); it is ignored',
        );
        return;
      }
      if (isInputProblem(err)) throw new HistoryError(this.file, lineNo, err.message);
      throw err;
    }
    addEvent(this.collector, this.file, raw, lineNo);
    this.events++;
  }
}

function isInputProblem(err: unknown): err is Error {
  return (
    err instanceof JsonSyntaxError ||
    err instanceof Utf8Error ||
    err instanceof InexactNumber ||
    err instanceof LimitExceeded ||
    err instanceof EventProblem
  );
}

function blank(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

function addEvent(collector: OperationCollector, file: string, raw: unknown, line: number): void {
  try {
    collector.add(toEvent(raw), line);
  } catch (err) {
    if (isInputProblem(err)) throw new HistoryError(file, line, err.message);
    throw err;
  }
}

function readEdnForms(text: string, file: string): { map: EdnMap; line: number }[] {
  const reader = new EdnReader(text);
  const forms: { map: EdnMap; line: number }[] = [];
  try {
    const close = reader.peekOpen() ? reader.open() : undefined;
    for (;;) {
      while (reader.discard()) {}
      if (close ? reader.atClose(close) : !reader.more()) break;
      const line = reader.line;
      const form = reader.read();
      if (form === null || typeof form !== 'object' || Array.isArray(form)) {
        throw new HistoryError(
          file,
          line,
          'each operation must be an EDN map like {:process 0, :type :invoke, ...}',
        );
      }
      forms.push({ map: form, line });
    }
    if (close && reader.more())
      throw new HistoryError(file, reader.line, 'unexpected text after the history');
  } catch (err) {
    if (err instanceof EdnSyntaxError) throw new HistoryError(file, err.line, `EDN syntax: ${err.message}`);
    throw err;
  }
  return forms;
}

function parseEdnHistory(text: string, file: string, independent: boolean): History {
  const forms = readEdnForms(text, file);
  const collector = new OperationCollector(file);
  const tuples = new TupleKeys(file);
  let unknownReads = 0;
  forms.forEach(({ map, line }, index) => {
    const event = ednEvent(map, index);
    if (independent) tuples.split(event, line);
    // Knossos's models accept any value for a read that returned nil: it means "not known".
    if (event.type === 'ok' && event.f === 'read' && event.value === null && event.process !== 'nemesis') {
      event.type = 'info';
      unknownReads++;
    }
    addEvent(collector, file, event, line);
  });
  if (unknownReads > 0) {
    collector.warn(0, `${unknownReads} read(s) of nil treated as unknown values, as Knossos does`);
  }
  return {
    file,
    operations: collector.operations,
    nemesis: collector.nemesis,
    warnings: collector.warnings,
    events: forms.length,
    keys: (independent ? 'tuples' : 'whole-values') satisfies KeySource,
  };
}

function ednEvent(map: EdnMap, index: number): HistoryEvent {
  const event: HistoryEvent = {
    process: map.process === 'nemesis' ? 'nemesis' : (map.process as number),
    type: map.type as HistoryEvent['type'],
    f: map.f as string,
    value: (map.value ?? null) as Json,
    time: index,
  };
  if (map.error !== undefined && map.error !== null) {
    event.error = typeof map.error === 'string' ? map.error : JSON.stringify(map.error);
  }
  if (typeof map.node === 'string') event.node = map.node;
  return event;
}

/**
 * Jepsen's `independent` wraps every client value as a [key value] tuple. Keys become strings
 * (`:k` -> "k", 3 -> "3"); a history where a string and another value would become the same key
 * is refused rather than merged. Transactions (`txn`) hold lists of micro-operations, never
 * tuples, and are left whole.
 */
class TupleKeys {
  private readonly kinds = new Map<string, boolean>();

  constructor(private readonly file: string) {}

  split(event: HistoryEvent, line: number): void {
    if (event.process === 'nemesis' || event.f === 'txn') return;
    const value = event.value as EdnValue;
    if (!Array.isArray(value) || value.length !== 2) {
      throw new HistoryError(
        this.file,
        line,
        `--independent expects every client value to be a [key value] tuple, got ${JSON.stringify(value)}`,
      );
    }
    const [k, v] = value;
    const isString = typeof k === 'string';
    const key = isString ? k : JSON.stringify(k);
    const seen = this.kinds.get(key);
    if (seen !== undefined && seen !== isString) {
      throw new HistoryError(this.file, line, `the keys "${key}" and ${key} would merge into one`);
    }
    this.kinds.set(key, isString);
    event.key = key;
    event.value = (v ?? null) as Json;
  }
}
