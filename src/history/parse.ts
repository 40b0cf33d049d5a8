import { type EdnMap, EdnReader, EdnSyntaxError, type EdnValue } from './edn.js';
import { inexactJsonNumber, mayHoldInexactNumber } from './numbers.js';
import { EventProblem, OperationCollector, toEvent } from './operations.js';
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
  parser.push(text);
  return parser.finish();
}

/** Reads NDJSON chunk by chunk, so a huge file need not be held twice. */
export class NdjsonParser {
  private readonly collector: OperationCollector;
  private lineNo = 0;
  private events = 0;
  private rest = '';

  /** `collector`: one that hands operations over as they complete, for a streaming read. */
  constructor(
    private readonly file: string,
    collector?: OperationCollector,
  ) {
    this.collector = collector ?? new OperationCollector(file);
  }

  push(chunk: string): void {
    const text = this.rest + chunk;
    const suspect = mayHoldInexactNumber(text);
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl !== -1) {
      this.take(text.slice(start, nl), false, suspect);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.rest = text.slice(start);
  }

  finish(): History {
    if (this.rest !== '') this.take(this.rest, true, true);
    this.rest = '';
    const c = this.collector;
    return {
      file: this.file,
      operations: c.operations,
      nemesis: c.nemesis,
      warnings: c.warnings,
      events: this.events,
      keys: 'key-field',
    };
  }

  private take(line: string, isLast: boolean, suspect: boolean): void {
    const lineNo = ++this.lineNo;
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      if (isLast) {
        this.collector.warn(
          lineNo,
          'the last line is cut off (the run was probably interrupted); it is ignored',
        );
        return;
      }
      throw new HistoryError(this.file, lineNo, 'not valid JSON');
    }
    const inexact = suspect ? inexactJsonNumber(line) : undefined;
    if (inexact) throw new HistoryError(this.file, lineNo, inexact);
    addEvent(this.collector, this.file, raw, lineNo);
    this.events++;
  }
}

function addEvent(collector: OperationCollector, file: string, raw: unknown, line: number): void {
  try {
    collector.add(toEvent(raw), line);
  } catch (err) {
    if (err instanceof EventProblem) throw new HistoryError(file, line, err.message);
    throw err;
  }
}

function readEdnForms(text: string, file: string): { map: EdnMap; line: number }[] {
  const reader = new EdnReader(text);
  const forms: { map: EdnMap; line: number }[] = [];
  try {
    const close = reader.peekOpen() ? reader.open() : undefined;
    for (;;) {
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
