import { LIMITS, LimitExceeded, type Limits } from './limits.js';
import { SummaryTally } from './summary.js';
import {
  EVENT_TYPES,
  type EventType,
  type HistoryEvent,
  type HistoryWarning,
  type Json,
  type NemesisEvent,
  type Operation,
} from './types.js';
import { sameValue } from './values.js';

/** Fields of an event that the format defines; anything else is a workload's own. */
const KNOWN_FIELDS = new Set(['process', 'type', 'f', 'key', 'value', 'time', 'node', 'error', 'id']);

/** Thrown for an event that breaks the format; the reader adds the file name. */
export class EventProblem extends Error {}

/** Checks one decoded JSON line against HISTORY.md and returns it typed. */
export function toEvent(raw: unknown): HistoryEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new EventProblem('an event must be a JSON object');
  }
  const e = raw as Record<string, unknown>;
  const { process, type, f, time, key } = e;
  if (!(process === 'nemesis' || Number.isInteger(process))) {
    throw new EventProblem(`"process" must be an integer or "nemesis", got ${JSON.stringify(process)}`);
  }
  if (!EVENT_TYPES.includes(type as EventType)) {
    throw new EventProblem(`"type" must be one of ${EVENT_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  if (typeof f !== 'string') throw new EventProblem(`"f" must be a string, got ${JSON.stringify(f)}`);
  if (!Number.isSafeInteger(time)) {
    throw new EventProblem(`"time" must be a finite integer (nanoseconds), got ${JSON.stringify(time)}`);
  }
  if (!('value' in e)) throw new EventProblem('"value" is required (it may be null)');
  if (key !== undefined && key !== null && typeof key !== 'string') {
    throw new EventProblem(`"key" must be a string or null, got ${JSON.stringify(key)}`);
  }
  return e as HistoryEvent;
}

/**
 * One event's fields, in a record of fixed shape that the reader fills line after line (see
 * ByteJson.eventInto) instead of making an object per event. `key` is null when absent; `node`,
 * `error` and `id` are undefined when absent; `extra` holds a workload's own fields.
 */
export class EventFields {
  process: number | 'nemesis' = 0;
  type: EventType = 'invoke';
  f = '';
  key: string | null = null;
  value: Json = null;
  time = 0;
  node: string | undefined = undefined;
  error: unknown = undefined;
  id: unknown = undefined;
  extra: Record<string, unknown> | undefined = undefined;
}

/** Processes numbered below this are looked up in arrays; others (rare) in maps. */
const DENSE_PROCESSES = 1 << 16;

/**
 * Pairs invocations with completions as HISTORY.md says: a completion belongs to the most recent
 * unmatched invoke of the same process; an invoke still open at the end is pending, like `info`.
 * Failed operations are kept (the checkers drop them) so reports can show them.
 */
export class OperationCollector {
  readonly operations: Operation[] = [];
  readonly nemesis: NemesisEvent[] = [];
  readonly warnings: HistoryWarning[] = [];
  /** Each process's open operation: by number for small process numbers, else in the map. */
  private readonly openDense: (Operation | undefined)[] = [];
  private readonly open = new Map<number, Operation>();
  /** Each process's latest time: a process's own events never go back in time. */
  private readonly timeDense: number[] = [];
  private readonly processTime = new Map<number, number>();
  private readonly keys = new Set<string | null>();
  private readonly fields = new EventFields();
  /** What the checkers ask of the operations (src/history/summary.ts), gathered as they are read. */
  readonly tally = new SummaryTally();
  private lastTime = Number.NEGATIVE_INFINITY;
  private backwards = 0;
  private invoked = 0;

  /**
   * With `finished`, operations are not kept: each is handed over once it is complete (or, still
   * open at the end, by `finishOpen`), so a history of any length is read in bounded memory.
   */
  constructor(
    private readonly file: string,
    private readonly finished?: (op: Operation) => void,
    private readonly limits: Pick<Limits, 'operations' | 'keys'> = LIMITS,
  ) {}

  /** Whether `operations` holds the operations read (not when they are handed over instead). */
  get keepsOperations(): boolean {
    return this.finished === undefined;
  }

  /** Hands over the operations never completed, in invocation order (streaming only). */
  finishOpen(): void {
    const open = [...this.open.values(), ...this.openDense.filter((op) => op !== undefined)].sort(
      (a, b) => a.index - b.index,
    );
    this.open.clear();
    this.openDense.length = 0;
    for (const op of open) this.finished?.(op);
  }

  /** Adds an event checked by `toEvent`. */
  add(event: HistoryEvent, line: number): void {
    const e = this.fields;
    e.process = event.process;
    e.type = event.type;
    e.f = event.f;
    e.key = event.key ?? null;
    e.value = event.value;
    e.time = event.time;
    e.node = event.node;
    e.error = event.error;
    e.id = event.id;
    e.extra = extraFields(event);
    this.addFields(e, line);
  }

  /** Adds an event from its fields; `e` may be reused once this returns. */
  addFields(e: EventFields, line: number): void {
    const time = e.time;
    if (time < this.lastTime && this.backwards++ === 0) {
      this.warn(
        line,
        `time goes backwards (${time} after ${this.lastTime}); the checkers order operations by their times, not by their lines`,
      );
    }
    if (time > this.lastTime) this.lastTime = time;
    if (e.process === 'nemesis') {
      this.nemesis.push({ f: e.f, value: e.value, time, type: e.type });
      return;
    }
    const process = e.process;
    const dense = process >= 0 && process < DENSE_PROCESSES;
    const current = dense ? this.openDense[process] : this.open.get(process);
    if (e.type === 'invoke') {
      const before = dense ? this.timeDense[process] : this.processTime.get(process);
      if (before !== undefined && time < before) {
        throw new EventProblem(
          `process ${process} invokes '${e.f}' at time ${time}, before its previous operation completed at time ${before}`,
        );
      }
      this.count(e.key);
      if (current) {
        throw new EventProblem(
          `process ${process} invokes '${e.f}' while its '${current.f}' (invoked at time ${current.call}) is still open`,
        );
      }
      this.tally.name(e.f);
      if (e.id !== undefined) this.tally.field('id', e.id);
      // Every field from the start: operations share one shape whatever happens to them.
      const op: Operation = {
        index: this.invoked++,
        process,
        f: e.f,
        key: e.key,
        input: e.value,
        output: undefined,
        outcome: 'info',
        pending: true,
        call: time,
        ret: Number.POSITIVE_INFINITY,
        line,
        completedAt: undefined,
        node: e.node,
        error: undefined,
        extra: e.id === undefined ? undefined : { id: e.id },
      };
      if (!this.finished) this.operations.push(op);
      if (dense) this.openDense[process] = op;
      else this.open.set(process, op);
      return;
    }
    if (!current) {
      throw new EventProblem(`process ${process} completes '${e.f}' (${e.type}) without an open invoke`);
    }
    if (current.f !== e.f) {
      throw new EventProblem(`process ${process} completes '${e.f}' but invoked '${current.f}'`);
    }
    const key = e.key;
    if (key !== current.key) {
      throw new EventProblem(
        `process ${process} completes '${e.f}' on key ${JSON.stringify(key)} but invoked it on key ${JSON.stringify(current.key)}`,
      );
    }
    if (time < current.call) {
      throw new EventProblem(
        `process ${process}'s '${e.f}' completes at time ${time}, before its invocation at time ${current.call}`,
      );
    }
    // A write and a cas echo their argument (HISTORY.md): a different value means the completion
    // is not the invocation's, or the recorder is broken.
    if ((e.f === 'write' || e.f === 'cas') && !sameValue(e.value, current.input)) {
      throw new EventProblem(
        `process ${process}'s '${e.f}' completes (${e.type}) with value ${JSON.stringify(e.value)} but was invoked with ${JSON.stringify(current.input)}; a ${e.f} echoes its argument`,
      );
    }
    if (e.id !== undefined && current.extra?.id !== undefined && current.extra.id !== e.id) {
      throw new EventProblem(`completion id ${e.id} does not match invocation id ${current.extra.id}`);
    }
    if (dense) {
      this.openDense[process] = undefined;
      this.timeDense[process] = time;
    } else {
      this.open.delete(process);
      this.processTime.set(process, time);
    }
    current.outcome = e.type;
    current.completedAt = time;
    if (e.type === 'ok') {
      // A write's or cas's echo equals its argument (checked above): keep one of the two.
      current.output = e.f === 'write' || e.f === 'cas' ? current.input : e.value;
      current.pending = false;
      current.ret = time;
    } else if (e.type === 'fail') {
      current.pending = false;
      current.ret = time;
    }
    if (e.node !== undefined) current.node = e.node;
    if (e.error !== undefined) current.error = String(e.error);
    if (e.extra) {
      current.extra = { ...current.extra, ...e.extra };
      this.tally.extra(e.extra);
    }
    this.finished?.(current);
  }

  /** Refuses a history beyond the limits on operations and keys before it exhausts memory. */
  private count(key: string | null): void {
    const { operations, keys } = this.limits;
    if (this.invoked >= operations) {
      throw new LimitExceeded(`more than ${operations.toLocaleString('en')} operations in one history`);
    }
    if (this.keys.size >= keys && !this.keys.has(key)) {
      throw new LimitExceeded(`more than ${keys.toLocaleString('en')} distinct keys in one history`);
    }
    this.keys.add(key);
  }

  warn(line: number, message: string): void {
    this.warnings.push({ file: this.file, line, message });
  }
}

function extraFields(event: HistoryEvent): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const name in event) {
    if (KNOWN_FIELDS.has(name)) continue;
    extra ??= {};
    extra[name] = event[name];
  }
  return extra;
}
