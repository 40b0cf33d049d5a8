import type { EventType, HistoryEvent, Json, ProcessId } from './types.js';

/** Where events go: the history writer, or nothing (to measure what recording costs). */
export interface EventSink {
  append(event: HistoryEvent): void;
}

export interface Tally {
  invoke: number;
  ok: number;
  fail: number;
  info: number;
}

/**
 * Stamps events with the run's monotonic clock and appends them in the order they happen, so
 * `time` never decreases. Also keeps the counts the progress line shows.
 */
export class Recorder {
  readonly tally: Tally = { invoke: 0, ok: 0, fail: 0, info: 0 };
  private nextId = 0;
  private events = 0;
  /** `process.hrtime.bigint()` when the run started: time 0 of the history. */
  private origin: bigint = process.hrtime.bigint();

  constructor(private readonly sink: EventSink) {}

  /**
   * Sets time 0 to now: the moment the clients and the nemesis start, so the fault schedule
   * and the history share one clock and cluster start-up does not eat the first healthy period.
   */
  startClock(): void {
    if (this.events > 0) throw new Error('the run clock cannot move once events are recorded');
    this.origin = process.hrtime.bigint();
  }

  /** Nanoseconds since the run started. */
  now(): number {
    return Number(process.hrtime.bigint() - this.origin);
  }

  elapsedMs(): number {
    return this.now() / 1e6;
  }

  /** Records an invocation and returns its operation id, for the completion. */
  invoke(
    process: number,
    f: string,
    key: string | null,
    value: Json,
    node?: string,
    extra?: Record<string, Json>,
  ): number {
    const id = this.nextId++;
    this.tally.invoke++;
    this.events++;
    this.sink.append(
      withOptional({ process, type: 'invoke', f, key, value, time: this.now(), id, ...extra }, node),
    );
    return id;
  }

  complete(
    process: number,
    id: number,
    type: Exclude<EventType, 'invoke'>,
    f: string,
    key: string | null,
    value: Json,
    node?: string,
    error?: string,
    extra?: Record<string, Json>,
  ): void {
    this.tally[type]++;
    this.events++;
    this.sink.append(
      withOptional({ process, type, f, key, value, time: this.now(), id, ...extra }, node, error),
    );
  }

  /** A nemesis action, recorded when it took effect; `extra` holds fields such as `delayMs`. */
  nemesis(f: string, value: Json, extra: Record<string, Json> = {}): number {
    const time = this.now();
    const event: HistoryEvent = {
      process: 'nemesis' satisfies ProcessId,
      type: 'info',
      f,
      value,
      time,
      ...extra,
    };
    this.sink.append(event);
    return time;
  }
}

function withOptional(event: HistoryEvent, node?: string, error?: string): HistoryEvent {
  if (node !== undefined) event.node = node;
  if (error !== undefined) event.error = error;
  return event;
}
