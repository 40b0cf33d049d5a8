import { LIMITS, LimitExceeded } from './limits.js';
import { inexactNumber } from './numbers.js';
import type { EventFields } from './operations.js';
import type { Json } from './types.js';

/**
 * A JSON reader over bytes, for NDJSON history lines. It reads a line straight from the file's
 * buffer: no line string, no UTF-8 decoding of the whole file, and short ASCII strings (`f`,
 * `type`, keys, node names) interned, so a million events make little garbage. Strings with
 * escapes go through JSON.parse, the one place where the rules are fiddly. Exactness as in
 * numbers.ts: a number a double cannot hold is refused, never rounded.
 */

/** The line is not JSON (or is cut off); the reader names the line. */
export class JsonSyntaxError extends Error {}

/** The bytes of a string are not UTF-8. */
export class Utf8Error extends Error {}

/** A JSON value that parsed but cannot be read exactly (e.g. 1e999). */
export class InexactNumber extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strings up to this many bytes are interned: names and keys, not payloads. */
const INTERN_MAX = 32;
const INTERN_TABLE = 1 << 14;

const INTERNED: (string | undefined)[] = new Array(INTERN_TABLE);

export class ByteJson {
  private b: Buffer = Buffer.alloc(0);
  private i = 0;
  private end = 0;
  /**
   * Open-addressed table of interned strings by FNV hash; a collision just replaces. One table
   * for every reader: making it took more time than reading a small history.
   */
  private readonly interned = INTERNED;

  /** Parses `bytes[start, end)` as one JSON value. */
  parse(bytes: Buffer, start: number, end: number): Json {
    this.b = bytes;
    this.i = start;
    this.end = end;
    const value = this.value(0);
    this.space();
    if (this.i !== this.end) throw this.syntax();
    return value;
  }

  /**
   * Parses an event line: an object whose values must each stay within the value size limit, and
   * whose `time` gets a message about time rather than about numbers. A line that is JSON but not
   * an object is returned as it is, for the caller to refuse.
   */
  parseEvent(bytes: Buffer, start: number, end: number): Record<string, Json> | Json {
    this.b = bytes;
    this.i = start;
    this.end = end;
    this.space();
    if (this.b[this.i] !== 0x7b) return this.parse(bytes, start, end);
    this.i++;
    const event: Record<string, Json> = {};
    this.space();
    if (this.b[this.i] === 0x7d) this.i++;
    else {
      for (;;) {
        this.space();
        if (this.b[this.i] !== 0x22) throw this.syntax();
        const name = this.string();
        this.colon();
        const from = this.i;
        const value = name === 'time' ? this.time() : this.value(1);
        if (this.i - from > LIMITS.valueBytes) {
          throw new LimitExceeded(`the "${name}" value is larger than ${LIMITS.valueBytes / 2 ** 20} MiB`);
        }
        set(event, name, value);
        if (this.comma(0x7d)) break;
      }
    }
    this.space();
    if (this.i !== this.end) throw this.syntax();
    return event;
  }

  /**
   * The fast path for an event line: reads it straight into `out` (no event object) when every
   * field is one the format defines, once, with a value of the type it must have. Returns false
   * for anything else, without side effects; the caller then reads the line with `parseEvent`,
   * which gives the same event or names the problem in the same words.
   */
  eventInto(bytes: Buffer, start: number, end: number, out: EventFields): boolean {
    // A line no longer than the value limit cannot hold a value over it.
    if (end - start > LIMITS.valueBytes) return false;
    try {
      return this.fields(bytes, start, end, out);
    } catch {
      return false;
    }
  }

  private fields(bytes: Buffer, start: number, end: number, out: EventFields): boolean {
    this.b = bytes;
    this.i = start;
    this.end = end;
    this.space();
    if (bytes[this.i] !== 0x7b) return false;
    this.i++;
    let seen = 0;
    out.key = null;
    out.node = undefined;
    out.error = undefined;
    out.id = undefined;
    out.extra = undefined;
    for (;;) {
      this.space();
      if (bytes[this.i] !== 0x22) return false;
      const field = this.fieldName();
      if (field === UNKNOWN || (seen & field) !== 0) return false;
      seen |= field;
      this.colon();
      if (field === F_TIME) {
        const c = bytes[this.i];
        if (c !== 0x2d && !(c >= 0x30 && c <= 0x39)) return false;
        out.time = this.time() as number;
      } else {
        const value = this.value(1);
        switch (field) {
          case F_PROCESS:
            if (value !== 'nemesis' && !Number.isInteger(value)) return false;
            out.process = value as number | 'nemesis';
            break;
          case F_TYPE:
            if (value !== 'invoke' && value !== 'ok' && value !== 'fail' && value !== 'info') return false;
            out.type = value;
            break;
          case F_F:
            if (typeof value !== 'string') return false;
            out.f = value;
            break;
          case F_KEY:
            if (value !== null && typeof value !== 'string') return false;
            out.key = value;
            break;
          case F_VALUE:
            out.value = value;
            break;
          case F_NODE:
            out.node = value as string;
            break;
          case F_ERROR:
            out.error = value;
            break;
          default:
            out.id = value;
        }
      }
      if (this.comma(0x7d)) break;
    }
    this.space();
    return this.i === this.end && (seen & REQUIRED) === REQUIRED;
  }

  /** A field name the format defines, as its bit, without making a string; UNKNOWN otherwise. */
  private fieldName(): number {
    const b = this.b;
    const from = this.i + 1;
    let i = from;
    while (i < this.end && b[i] !== 0x22 && b[i] !== 0x5c) i++;
    if (b[i] !== 0x22) return UNKNOWN;
    this.i = i + 1;
    let field = UNKNOWN;
    // By length and first letter, then the whole name.
    switch (i - from) {
      case 1:
        field = F_F;
        break;
      case 2:
        field = F_ID;
        break;
      case 3:
        field = F_KEY;
        break;
      case 4:
        field = b[from] === 0x6e ? F_NODE : b[from + 1] === 0x69 ? F_TIME : F_TYPE;
        break;
      case 5:
        field = b[from] === 0x76 ? F_VALUE : F_ERROR;
        break;
      case 7:
        field = F_PROCESS;
        break;
      default:
        return UNKNOWN;
    }
    const name = FIELD_BYTES[31 - Math.clz32(field)];
    for (let k = 1; k < name.length; k++) if (b[from + k] !== name[k]) return UNKNOWN;
    return b[from] === name[0] ? field : UNKNOWN;
  }

  private time(): Json {
    const c = this.b[this.i];
    if (c !== 0x2d && !(c >= 0x30 && c <= 0x39)) return this.value(1);
    const from = this.i;
    const n = this.number(false);
    if (!Number.isSafeInteger(n)) {
      const text = this.b.toString('latin1', from, this.i);
      throw new InexactNumber(`"time" must be a finite integer (nanoseconds), got ${text}`);
    }
    return n;
  }

  private value(depth: number): Json {
    this.space();
    const c = this.b[this.i];
    switch (c) {
      case 0x22:
        return this.string();
      case 0x7b:
        return this.object(depth + 1);
      case 0x5b:
        return this.array(depth + 1);
      case 0x74:
        return this.word('true', true);
      case 0x66:
        return this.word('false', false);
      case 0x6e:
        return this.word('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number(true);
        throw this.syntax();
    }
  }

  private object(depth: number): Json {
    this.deep(depth);
    this.i++;
    const out: Record<string, Json> = {};
    this.space();
    if (this.b[this.i] === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.b[this.i] !== 0x22) throw this.syntax();
      const name = this.string();
      this.colon();
      set(out, name, this.value(depth));
      if (this.comma(0x7d)) return out;
    }
  }

  private array(depth: number): Json {
    this.deep(depth);
    this.i++;
    const out: Json[] = [];
    this.space();
    if (this.b[this.i] === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      if (this.comma(0x5d)) return out;
    }
  }

  private deep(depth: number): void {
    if (depth > LIMITS.depth) throw new LimitExceeded(`values are nested more than ${LIMITS.depth} deep`);
  }

  /** After a member: true at the closing bracket, false after a comma. */
  private comma(close: number): boolean {
    this.space();
    const c = this.b[this.i++];
    if (c === close) return true;
    if (c === 0x2c) return false;
    throw this.syntax();
  }

  private colon(): void {
    this.space();
    if (this.b[this.i++] !== 0x3a) throw this.syntax();
  }

  private string(): string {
    const b = this.b;
    const start = this.i + 1;
    let i = start;
    let hash = 0x811c9dc5;
    let plain = true;
    let ascii = true;
    for (;;) {
      if (i >= this.end) throw this.syntax();
      const c = b[i];
      if (c === 0x22) break;
      if (c < 0x20) throw this.syntax();
      if (c === 0x5c) {
        plain = false;
        i += 2;
        continue;
      }
      if (c >= 0x80) ascii = false;
      hash = Math.imul(hash ^ c, 0x01000193);
      i++;
    }
    this.i = i + 1;
    if (plain && ascii) return this.intern(start, i, hash);
    const bytes = b.subarray(plain ? start : start - 1, plain ? i : i + 1);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new Utf8Error('not valid UTF-8');
    }
    if (plain) return text;
    try {
      return JSON.parse(text) as string;
    } catch {
      throw this.syntax();
    }
  }

  private intern(start: number, end: number, hash: number): string {
    const b = this.b;
    const length = end - start;
    if (length > INTERN_MAX) return b.toString('latin1', start, end);
    const slot = (hash >>> 0) & (INTERN_TABLE - 1);
    const known = this.interned[slot];
    if (known !== undefined && known.length === length) {
      let same = true;
      for (let k = 0; k < length; k++) {
        if (known.charCodeAt(k) !== b[start + k]) {
          same = false;
          break;
        }
      }
      if (same) return known;
    }
    const text = internalized(b.toString('latin1', start, end));
    this.interned[slot] = text;
    return text;
  }

  /** A JSON number; integers of up to 15 digits without a fraction are read without a string. */
  private number(exact: boolean): number {
    const b = this.b;
    const start = this.i;
    let i = start;
    if (b[i] === 0x2d) i++;
    const digitsFrom = i;
    let n = 0;
    while (i < this.end && b[i] >= 0x30 && b[i] <= 0x39) n = n * 10 + (b[i++] - 0x30);
    const digits = i - digitsFrom;
    if (digits === 0 || (digits > 1 && b[digitsFrom] === 0x30)) throw this.syntax();
    let simple = digits <= 15;
    if (b[i] === 0x2e) {
      simple = false;
      i++;
      const from = i;
      while (i < this.end && b[i] >= 0x30 && b[i] <= 0x39) i++;
      if (i === from) throw this.syntax();
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      simple = false;
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      const from = i;
      while (i < this.end && b[i] >= 0x30 && b[i] <= 0x39) i++;
      if (i === from) throw this.syntax();
    }
    this.i = i;
    if (simple) return b[start] === 0x2d ? -n : n;
    const text = b.toString('latin1', start, i);
    if (exact) {
      const problem = inexactNumber(text);
      if (problem) throw new InexactNumber(problem);
    }
    return Number(text);
  }

  private word<T extends Json>(text: string, value: T): T {
    for (let k = 0; k < text.length; k++) {
      if (this.b[this.i + k] !== text.charCodeAt(k)) throw this.syntax();
    }
    this.i += text.length;
    return value;
  }

  private space(): void {
    const b = this.b;
    let i = this.i;
    while (i < this.end) {
      const c = b[i];
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
      i++;
    }
    this.i = i;
  }

  private syntax(): JsonSyntaxError {
    return new JsonSyntaxError('not valid JSON');
  }
}

/** The fields `eventInto` reads, in the order of their bits, as bytes. */
const FIELD_BYTES = ['process', 'type', 'f', 'key', 'value', 'time', 'node', 'error', 'id'].map((name) =>
  Uint8Array.from(name, (c) => c.charCodeAt(0)),
);
const F_PROCESS = 1;
const F_TYPE = 2;
const F_F = 4;
const F_KEY = 8;
const F_VALUE = 16;
const F_TIME = 32;
const F_NODE = 64;
const F_ERROR = 128;
const F_ID = 256;
const UNKNOWN = 0;
const REQUIRED = F_PROCESS | F_TYPE | F_F | F_VALUE | F_TIME;

/**
 * The engine's own copy of a string (as property names and literals are held): comparing two
 * such strings is comparing pointers, where `op.f === 'read'` on a string sliced from a buffer
 * compares characters. Names and keys are compared millions of times in a search.
 */
function internalized(text: string): string {
  for (const name in { [text]: 0 }) return name;
  return text;
}

/** Like JSON.parse: `__proto__` is an ordinary own key, never the object's prototype. */
function set(target: Record<string, Json>, name: string, value: Json): void {
  if (name === '__proto__') {
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  } else target[name] = value;
}
