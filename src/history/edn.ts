/**
 * A small reader for the EDN that Jepsen and Knossos write: maps, vectors, lists, sets,
 * keywords, strings, numbers, nil/true/false, symbols, tagged literals (#inst "..." keeps its
 * string), comments and #_ discards. Keywords become strings without the colon, so
 * `{:type :ok}` reads as `{type: "ok"}`.
 */
import { LIMITS } from './limits.js';
import { inexactNumber } from './numbers.js';

export type EdnValue = null | boolean | number | string | EdnValue[] | EdnMap;
export interface EdnMap {
  [key: string]: EdnValue;
}

export class EdnSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const DELIMITERS = new Set(['(', ')', '[', ']', '{', '}', '"', ';']);

function isSpace(c: number): boolean {
  // whitespace and the comma, which EDN treats as whitespace
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 44 || c === 12;
}

/** Reads the top-level forms of an EDN text one at a time, so a huge history is not held twice. */
export class EdnReader {
  private pos = 0;
  private depth = 0;
  private lineNo = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  /** Line of the current position, for error messages. */
  get line(): number {
    return this.lineNo;
  }

  /** Skips whitespace; true when there is another form. */
  more(): boolean {
    this.skip();
    return this.pos < this.text.length;
  }

  /** True when the next form opens a collection of the given kind (without consuming it). */
  peekOpen(): string | undefined {
    this.skip();
    const c = this.text[this.pos];
    return c === '[' || c === '(' ? c : undefined;
  }

  /** Consumes an opening bracket (for reading a top-level collection element by element). */
  open(): string {
    const c = this.text[this.pos++];
    return c === '[' ? ']' : ')';
  }

  /** True when the next character closes the collection being read. */
  atClose(close: string): boolean {
    this.skip();
    if (this.text[this.pos] === close) {
      this.pos++;
      return true;
    }
    if (this.pos >= this.text.length) throw this.error(`missing '${close}' before the end of the file`);
    return false;
  }

  read(): EdnValue {
    this.skip();
    const text = this.text;
    if (this.pos >= text.length) throw this.error('unexpected end of file');
    const c = text[this.pos];
    switch (c) {
      case '{':
        return this.readMap();
      case '[':
      case '(':
        this.pos++;
        return this.readSeq(c === '[' ? ']' : ')');
      case '"':
        return this.readString();
      case '#':
        return this.readDispatch();
      case ')':
      case ']':
      case '}':
        throw this.error(`unexpected '${c}'`);
      default:
        return this.readAtom();
    }
  }

  private readSeq(close: string): EdnValue[] {
    this.enter();
    const items: EdnValue[] = [];
    for (;;) {
      while (this.discard()) {}
      if (this.atClose(close)) break;
      items.push(this.read());
    }
    this.depth--;
    return items;
  }

  private readMap(): EdnMap {
    this.pos++;
    this.enter();
    const map: EdnMap = {};
    for (;;) {
      while (this.discard()) {}
      if (this.atClose('}')) break;
      const key = this.read();
      while (this.discard()) {}
      if (this.atCloseNoConsume('}')) throw this.error('a map needs an even number of forms');
      const value = this.read();
      // Like JSON.parse: `:__proto__` is an ordinary key, never the map's prototype.
      Object.defineProperty(map, typeof key === 'string' ? key : JSON.stringify(key), {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    this.depth--;
    return map;
  }

  private enter(): void {
    if (++this.depth > LIMITS.depth) throw this.error(`values are nested more than ${LIMITS.depth} deep`);
  }

  /** Skips a `#_` form, which may stand anywhere, also just before a closing bracket. */
  discard(): boolean {
    this.skip();
    if (this.text[this.pos] !== '#' || this.text[this.pos + 1] !== '_') return false;
    this.pos += 2;
    this.read();
    return true;
  }

  private atCloseNoConsume(close: string): boolean {
    this.skip();
    return this.text[this.pos] === close;
  }

  private readString(): string {
    const text = this.text;
    let i = this.pos + 1;
    let out = '';
    let from = i;
    for (;;) {
      if (i >= text.length) throw this.error('unterminated string');
      const ch = text.charCodeAt(i);
      if (ch === 34) break;
      if (ch === 10) this.newline(i);
      if (ch === 92) {
        out += text.slice(from, i);
        const esc = text[i + 1];
        const map: Record<string, string> = {
          n: '\n',
          t: '\t',
          r: '\r',
          '"': '"',
          '\\': '\\',
          b: '\b',
          f: '\f',
        };
        if (esc === 'u') {
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          out += map[esc] ?? esc;
          i += 2;
        }
        from = i;
        continue;
      }
      i++;
    }
    out += text.slice(from, i);
    this.pos = i + 1;
    return out;
  }

  private readDispatch(): EdnValue {
    const next = this.text[this.pos + 1];
    if (next === '{') {
      this.pos++;
      this.pos++;
      return this.readSeq('}');
    }
    if (next === '_') {
      this.pos += 2;
      this.read();
      return this.read();
    }
    // A tagged literal such as #inst "..." or #jepsen.history.Op{...}: keep the value.
    this.pos++;
    this.readToken();
    return this.read();
  }

  private readToken(): string {
    const text = this.text;
    const start = this.pos;
    let i = start;
    while (i < text.length && !isSpace(text.charCodeAt(i)) && !DELIMITERS.has(text[i])) i++;
    this.pos = i;
    return text.slice(start, i);
  }

  private readAtom(): EdnValue {
    const token = this.readToken();
    if (token === '') throw this.error(`unexpected '${this.text[this.pos]}'`);
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    const first = token.charCodeAt(0);
    if (first === 58) return token.slice(1); // :keyword
    if ((first >= 48 && first <= 57) || ((first === 45 || first === 43) && token.length > 1)) {
      const numeric = token.replace(/[NM]$/, '');
      const n = Number(numeric.includes('/') ? ratio(numeric) : numeric);
      if (!Number.isNaN(n)) {
        const inexact = numeric.includes('/') ? undefined : inexactNumber(numeric);
        if (inexact) throw this.error(inexact);
        return n;
      }
    }
    if (token.startsWith('\\')) return token.slice(1); // character literal
    return token; // symbol
  }

  private skip(): void {
    const text = this.text;
    let i = this.pos;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        this.newline(i);
        i++;
      } else if (isSpace(c)) {
        i++;
      } else if (c === 59) {
        while (i < text.length && text.charCodeAt(i) !== 10) i++;
      } else break;
    }
    this.pos = i;
  }

  private newline(at: number): void {
    if (at >= this.lineStart) {
      this.lineNo++;
      this.lineStart = at + 1;
    }
  }

  private error(message: string): EdnSyntaxError {
    return new EdnSyntaxError(this.lineNo, message);
  }
}

function ratio(token: string): number {
  const [a, b] = token.split('/');
  return Number(a) / Number(b);
}

/** Parses a whole EDN text holding one form. */
export function parseEdn(text: string): EdnValue {
  const reader = new EdnReader(text);
  const value = reader.read();
  if (reader.more()) throw new EdnSyntaxError(reader.line, 'unexpected text after the first form');
  return value;
}
