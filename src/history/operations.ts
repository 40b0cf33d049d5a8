import { LIMITS, LimitExceeded, type Limits } from './limits.js';
import {
  EVENT_TYPES,
  type EventType,
  type HistoryEvent,
  type HistoryWarning,
  type NemesisEvent,
  type Operation,
} from './types.js';
import { sameValue } from './values.js';

/** Fields of an event that the format defines; anything else is a workload's own. */
const KNOWN_FIELDS = new Set(['process', 'type', 'f', 'key', 'value', 'time', 'node', 'error', 'id']);

/**
 * Operations whose completion echoes the argument of the invocation (HISTORY.md): a different
 * value means the completion is not the invocation's, or the recorder is broken.
 */
const ECHOED = new Set(['write', 'cas']);

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
 * Pairs invocations with completions as HISTORY.md says: a completion belongs to the most recent
 * unmatched invoke of the same process; an invoke still open at the end is pending, like `info`.
 * Failed operations are kept (the checkers drop them) so reports can show them.
 */
export class OperationCollector {
  readonly operations: Operation[] = [];
  readonly nemesis: NemesisEvent[] = [];
  readonly warnings: HistoryWarning[] = [];
  private readonly open = new Map<number, Operation>();
  /** Each process's latest time: a process's own events never go back in time. */
  private readonly processTime = new Map<number, number>();
  private readonly keys = new Set<string | null>();
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

  /** Hands over the operations never completed, in invocation order (streaming only). */
  finishOpen(): void {
    const open = [...this.open.values()].sort((a, b) => a.index - b.index);
    this.open.clear();
    for (const op of open) this.finished?.(op);
  }

  add(event: HistoryEvent, line: number): void {
    if (event.time < this.lastTime && this.backwards++ === 0) {
      this.warn(
        line,
        `time goes backwards (${event.time} after ${this.lastTime}); the checkers order operations by their times, not by their lines`,
      );
    }
    this.lastTime = Math.max(this.lastTime, event.time);
    if (event.process === 'nemesis') {
      this.nemesis.push({ f: event.f, value: event.value, time: event.time, type: event.type });
      return;
    }
    const process = event.process;
    const current = this.open.get(process);
    if (event.type === 'invoke') {
      const before = this.processTime.get(process);
      if (before !== undefined && event.time < before) {
        throw new EventProblem(
          `process ${process} invokes '${event.f}' at time ${event.time}, before its previous operation completed at time ${before}`,
        );
      }
      this.count(event.key ?? null);
      if (current) {
        throw new EventProblem(
          `process ${process} invokes '${event.f}' while its '${current.f}' (invoked at time ${current.call}) is still open`,
        );
      }
      const op: Operation = {
        index: this.invoked++,
        process,
        f: event.f,
        key: event.key ?? null,
        input: event.value,
        outcome: 'info',
        pending: true,
        call: event.time,
        ret: Number.POSITIVE_INFINITY,
        line,
      };
      if (event.node !== undefined) op.node = event.node;
      if (event.id !== undefined) op.extra = { id: event.id };
      if (!this.finished) this.operations.push(op);
      this.open.set(process, op);
      return;
    }
    if (!current) {
      throw new EventProblem(
        `process ${process} completes '${event.f}' (${event.type}) without an open invoke`,
      );
    }
    if (current.f !== event.f) {
      throw new EventProblem(`process ${process} completes '${event.f}' but invoked '${current.f}'`);
    }
    const key = event.key ?? null;
    if (key !== current.key) {
      throw new EventProblem(
        `process ${process} completes '${event.f}' on key ${JSON.stringify(key)} but invoked it on key ${JSON.stringify(current.key)}`,
      );
    }
    if (event.time < current.call) {
      throw new EventProblem(
        `process ${process}'s '${event.f}' completes at time ${event.time}, before its invocation at time ${current.call}`,
      );
    }
    if (ECHOED.has(event.f) && !sameValue(event.value, current.input)) {
      throw new EventProblem(
        `process ${process}'s '${event.f}' completes (${event.type}) with value ${JSON.stringify(event.value)} but was invoked with ${JSON.stringify(current.input)}; a ${event.f} echoes its argument`,
      );
    }
    if (event.id !== undefined && current.extra?.id !== undefined && current.extra.id !== event.id) {
      throw new EventProblem(`completion id ${event.id} does not match invocation id ${current.extra.id}`);
    }
    this.open.delete(process);
    this.processTime.set(process, event.time);
    current.outcome = event.type;
    current.completedAt = event.time;
    if (event.type === 'ok') {
      current.output = event.value;
      current.pending = false;
      current.ret = event.time;
    } else if (event.type === 'fail') {
      current.pending = false;
      current.ret = event.time;
    }
    if (event.node !== undefined) current.node = event.node;
    if (event.error !== undefined) current.error = String(event.error);
    const extra = extraFields(event);
    if (extra) current.extra = { ...current.extra, ...extra };
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
