import { createReadStream, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import { type EdnMap, EdnReader, EdnSyntaxError, type EdnValue } from './edn.js';
import { EventProblem, OperationCollector, toEvent } from './operations.js';
import { type History, HistoryError, type HistoryEvent, type Json } from './types.js';

export const HISTORY_FORMATS = ['ndjson', 'edn'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

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

/** Reads a whole history: dscheck NDJSON (streamed) or a Jepsen/Knossos EDN history. */
export async function readHistory(file: string, options: { format?: string } = {}): Promise<History> {
  const format = formatOf(file, options.format);
  const info = statSync(file, { throwIfNoEntry: false });
  if (!info?.isFile()) throw new UsageError(`no such history file: ${file}`);
  return format === 'edn' ? readEdnHistory(file) : readNdjsonHistory(file, info.size);
}

async function readNdjsonHistory(file: string, size: number): Promise<History> {
  const collector = new OperationCollector(file);
  let lineNo = 0;
  let events = 0;
  let rest = '';
  const take = (line: string, isLast: boolean): void => {
    lineNo++;
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      if (isLast) {
        collector.warn(lineNo, 'the last line is cut off (the run was probably interrupted); it is ignored');
        return;
      }
      throw new HistoryError(file, lineNo, 'not valid JSON');
    }
    try {
      collector.add(toEvent(raw), lineNo);
    } catch (err) {
      if (err instanceof EventProblem) throw new HistoryError(file, lineNo, err.message);
      throw err;
    }
    events++;
  };
  // Small files in one synchronous read (many small files would otherwise wait on the thread
  // pool); large ones streamed so a huge history is not held twice.
  const chunks: AsyncIterable<string> | string[] =
    size < 1 << 25
      ? [readFileSync(file, 'utf8')]
      : createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of chunks) {
    const text = rest + chunk;
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl !== -1) {
      take(text.slice(start, nl), false);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
  }
  if (rest !== '') take(rest, true);
  return {
    file,
    operations: collector.operations,
    nemesis: collector.nemesis,
    warnings: collector.warnings,
    events,
  };
}

async function readEdnHistory(file: string): Promise<History> {
  const text = readFileSync(file, 'utf8');
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
  const independent = isIndependent(forms.map((f) => f.map));
  const collector = new OperationCollector(file);
  let unknownReads = 0;
  forms.forEach(({ map, line }, index) => {
    const event = ednEvent(map, index, independent);
    // Knossos's models accept any value for a read that returned nil: it means "not known".
    if (event.type === 'ok' && event.f === 'read' && event.value === null && event.process !== 'nemesis') {
      event.type = 'info';
      unknownReads++;
    }
    try {
      collector.add(toEvent(event), line);
    } catch (err) {
      if (err instanceof EventProblem) throw new HistoryError(file, line, err.message);
      throw err;
    }
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
  };
}

function ednEvent(map: EdnMap, index: number, independent: boolean): HistoryEvent {
  const process = map.process === 'nemesis' ? 'nemesis' : map.process;
  let value: Json = (map.value ?? null) as Json;
  let key: string | null = null;
  if (independent && process !== 'nemesis' && Array.isArray(value)) {
    key = typeof value[0] === 'string' ? value[0] : JSON.stringify(value[0]);
    value = (value[1] ?? null) as Json;
  }
  const event: Record<string, unknown> = { process, type: map.type, f: map.f, value, time: index };
  if (key !== null) event.key = key;
  if (map.error !== undefined && map.error !== null) {
    event.error = typeof map.error === 'string' ? map.error : JSON.stringify(map.error);
  }
  if (typeof map.node === 'string') event.node = map.node;
  return event as HistoryEvent;
}

/**
 * Jepsen's `independent` checker wraps every value as a [key value] tuple, which EDN prints as
 * a plain vector. A history uses tuples when every client value is a 2-element vector and the
 * values of cas operations are themselves [expected new] vectors inside the tuple.
 */
function isIndependent(maps: EdnMap[]): boolean {
  let clientEvents = 0;
  for (const m of maps) {
    if (m.process === 'nemesis') continue;
    clientEvents++;
    const v = m.value as EdnValue | undefined;
    if (!Array.isArray(v) || v.length !== 2) return false;
    if (m.f === 'cas' && v[1] !== null && !Array.isArray(v[1])) return false;
  }
  return clientEvents > 0;
}
