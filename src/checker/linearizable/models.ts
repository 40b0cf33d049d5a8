import { UsageError } from '../../errors.js';
import type { Json, Operation } from '../../history/types.js';
import { canonicalJson, hashValue, sameValue } from '../../history/values.js';

export { sameValue } from '../../history/values.js';

/** What the model sees of an operation: its argument, and its result unless pending. */
export interface ModelOp {
  f: string;
  input: Json;
  /** Undefined when the operation is pending: it may take effect, but its result is unknown. */
  output: Json | undefined;
  pending: boolean;
}

/** Returned by `step` when the operation cannot happen in that state. */
export const ILLEGAL: unique symbol = Symbol('illegal');

/**
 * A sequential specification as data, as in Porcupine's model.go: required `init` and `step`,
 * optional hooks whose defaults `withDefaults` fills in one place.
 */
export interface Model<S = Json> {
  readonly name: ModelName;
  /** Operation names the model knows. */
  readonly operations: readonly string[];
  /** Operations without side effects: pending ones constrain nothing and are dropped. */
  readonly reads: readonly string[];
  /** The state before any operation; `initialValue` comes from --initial-value. */
  init(initialValue: Json | undefined): S;
  /** The state after `op`, or ILLEGAL when `op` cannot have returned what it did in `state`. */
  step(state: S, op: ModelOp): S | typeof ILLEGAL;
  equal?(a: S, b: S): boolean;
  /** A 32-bit hash; equal states must hash equally. */
  hash?(state: S): number;
  describeOperation?(op: ModelOp): string;
  describeState?(state: S): string;
  /** Why the operation's values do not fit the model (e.g. a cas that is not a pair), if they do not. */
  validate?(op: ModelOp): string | undefined;
}

export type CompleteModel<S = Json> = Required<Model<S>>;

export const MODEL_NAMES = ['register', 'cas-register', 'kv', 'mutex', 'multi-register'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

const show = (v: Json | undefined): string => (v === undefined ? '?' : canonicalJson(v));

export const defaultEqual = sameValue as (a: unknown, b: unknown) => boolean;

export function withDefaults<S>(model: Model<S>): CompleteModel<S> {
  return {
    equal: defaultEqual,
    hash: (s) => hashValue(s as Json),
    validate: () => undefined,
    describeOperation: (op) =>
      `${op.f} ${show(op.input)}${op.pending ? ' (pending)' : op.output !== undefined ? ` -> ${show(op.output)}` : ''}`,
    describeState: (s) => show(s as Json),
    ...model,
  } as CompleteModel<S>;
}

/** A register: read returns the value, write sets it; `cas [expected, new]` for cas-register. */
function register(name: 'register' | 'cas-register'): Model<Json> {
  const operations = name === 'register' ? ['read', 'write'] : ['read', 'write', 'cas'];
  return {
    name,
    operations,
    reads: ['read'],
    init: (initialValue) => initialValue ?? null,
    step(state, op) {
      switch (op.f) {
        case 'read':
          return sameValue(state, op.output) ? state : ILLEGAL;
        case 'write':
          return op.input;
        default: {
          // By index: destructuring goes through the array iterator, a third of step's time.
          const pair = op.input as [Json, Json];
          return sameValue(state, pair[0]) ? pair[1] : ILLEGAL;
        }
      }
    },
    validate(op) {
      if (op.f !== 'cas') return undefined;
      const pair = (v: Json | undefined): boolean => Array.isArray(v) && v.length === 2;
      if (!pair(op.input)) return `a cas needs a pair [expected, new], got ${show(op.input)}`;
      if (op.output !== undefined && op.output !== null && !sameValue(op.output, op.input))
        return `a cas completes with its own [expected, new] pair ${show(op.input)}, got ${show(op.output)}`;
      return undefined;
    },
    describeOperation(op) {
      if (op.f === 'cas') {
        const [expected, next] = op.input as [Json, Json];
        return `cas ${show(expected)}->${show(next)}${op.pending ? ' (pending)' : ''}`;
      }
      if (op.f === 'read') return `read ${op.pending ? '?' : show(op.output)}`;
      return `write ${show(op.input)}${op.pending ? ' (pending)' : ''}`;
    },
  };
}

/**
 * A kv value as the search holds it: the string, and a hash of it that an append extends from
 * the appended characters alone (a polynomial hash is a fold over the characters), so interning
 * a state never reads the whole string, which appends make long. Equal strings hash equally
 * whichever puts and appends built them.
 */
interface KvState {
  readonly text: string;
  readonly hash: number;
}

function textHash(text: string, from = 0): number {
  let h = from;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 0x01000193) + text.charCodeAt(i)) | 0;
  return h;
}

const kvState = (text: string): KvState => ({ text, hash: textHash(text) });

/** A string per key: get returns it, put replaces it, append adds to its end (initially ""). */
const kv: Model<KvState> = {
  name: 'kv',
  operations: ['get', 'put', 'append'],
  reads: ['get'],
  init: (initialValue) =>
    kvState(initialValue === undefined || initialValue === null ? '' : String(initialValue)),
  step(state, op) {
    switch (op.f) {
      case 'get':
        return state.text === (op.output ?? '') ? state : ILLEGAL;
      case 'put':
        return kvState(op.input as string);
      default:
        return { text: state.text + (op.input as string), hash: textHash(op.input as string, state.hash) };
    }
  },
  equal: (a, b) => a.hash === b.hash && a.text === b.text,
  hash: (s) => s.hash,
  describeState: (s) => show(s.text),
  // Values are strings: converting others (5 -> "5") would make distinct values equal.
  validate(op) {
    if (op.f === 'get') {
      const v = op.output;
      return v === undefined || v === null || typeof v === 'string'
        ? undefined
        : `a kv get returns a string, got ${show(v)}`;
    }
    return typeof op.input === 'string' ? undefined : `a kv ${op.f} takes a string, got ${show(op.input)}`;
  },
  describeOperation(op) {
    if (op.f === 'get') return `get -> ${op.pending ? '?' : show(op.output ?? '')}`;
    return `${op.f} ${show(op.input)}${op.pending ? ' (pending)' : ''}`;
  },
};

/** A lock: acquire succeeds only when free, release only when held. */
const mutex: Model<Json> = {
  name: 'mutex',
  operations: ['acquire', 'release'],
  reads: [],
  init: (initialValue) => initialValue === true,
  step(state, op) {
    if (op.f === 'acquire') return state === true ? ILLEGAL : true;
    return state === true ? false : ILLEGAL;
  },
  describeState: (s) => (s === true ? 'held' : 'free'),
  describeOperation: (op) => `${op.f}${op.pending ? ' (pending)' : ''}`,
};

/** A micro-operation of a multi-register transaction: read or write one register. */
type Micro = [f: 'read' | 'write', register: string, value: Json];

const MICRO_NAMES: Record<string, Micro[0]> = { read: 'read', r: 'read', write: 'write', w: 'write' };

function micros(value: Json | undefined): Micro[] | string {
  if (!Array.isArray(value))
    return `a txn holds a list of [f register value] micro-operations, got ${show(value)}`;
  const out: Micro[] = [];
  for (const m of value) {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== 'string' || typeof m[1] !== 'string') {
      return `a txn micro-operation is [read|write register value], got ${show(m)}`;
    }
    const f = MICRO_NAMES[m[0]];
    if (!f) return `a txn micro-operation is read or write, got '${m[0]}'`;
    out.push([f, m[1], m[2]]);
  }
  return out;
}

/**
 * Several registers changed together, as Knossos's multi-register: a `txn` is a list of
 * `[read k v]` / `[write k v]` micro-operations applied in order; a read of nil is not known and
 * constrains nothing. The state maps register names to values (initially --initial-value, e.g.
 * {"x":0,"y":0}; a register never written reads as null).
 */
const multiRegister: Model<Json> = {
  name: 'multi-register',
  operations: ['txn'],
  reads: [],
  init: (initialValue) =>
    typeof initialValue === 'object' && initialValue !== null && !Array.isArray(initialValue)
      ? initialValue
      : {},
  step(state, op) {
    // The completion's values are the ones the reads returned; a pending txn only has its own.
    const list = micros(op.output ?? op.input);
    if (typeof list === 'string') return ILLEGAL;
    let registers = state as Record<string, Json>;
    for (const [f, k, v] of list) {
      if (f === 'read') {
        if (v !== null && !sameValue(registers[k] ?? null, v)) return ILLEGAL;
      } else if (!sameValue(registers[k] ?? null, v)) {
        registers = { ...registers, [k]: v };
      }
    }
    return registers;
  },
  validate(op) {
    for (const value of [op.input, op.output]) {
      if (value === undefined) continue;
      const list = micros(value);
      if (typeof list === 'string') return list;
    }
    return undefined;
  },
  describeOperation(op) {
    const list = micros(op.output ?? op.input);
    const text =
      typeof list === 'string' ? show(op.input) : list.map(([f, k, v]) => `${f} ${k} ${show(v)}`).join(', ');
    return `txn [${text}]${op.pending ? ' (pending)' : ''}`;
  },
};

export const MODELS: Record<ModelName, CompleteModel> = {
  register: withDefaults(register('register')),
  'cas-register': withDefaults(register('cas-register')),
  kv: withDefaults(kv) as unknown as CompleteModel,
  mutex: withDefaults(mutex),
  'multi-register': withDefaults(multiRegister),
};

/** Picks the model from the operation names; a UsageError names what was seen and the valid models. */
export function inferModel(operations: readonly Pick<Operation, 'f'>[]): ModelName {
  const names = new Set<string>();
  let last: string | undefined;
  for (const op of operations) {
    if (op.f !== last) names.add(op.f);
    last = op.f;
  }
  if (names.size === 0) return 'register';
  const fits = MODEL_NAMES.filter((m) => [...names].every((f) => MODELS[m].operations.includes(f)));
  if (fits.length > 0) return fits[0];
  throw new UsageError(
    `cannot tell the model from the operations (${[...names].sort().join(', ')}); ` +
      `use --model with one of: ${MODEL_NAMES.map((m) => `${m} (${MODELS[m].operations.join('/')})`).join(', ')}`,
  );
}

/** An operation that does not fit the model; the caller, who knows the file, names its line. */
export class InvalidOperation extends UsageError {
  constructor(
    readonly op: Operation,
    readonly problem: string,
  ) {
    super(`${op.line === undefined ? `operation ${op.index}` : `line ${op.line}`}: ${problem}`);
  }
}

/** What the model sees of an operation. */
export function modelOp(op: Operation): ModelOp {
  // An operation is already that view when it has no output while pending (as the readers make them).
  if (!(op.pending && op.output !== undefined)) return op as ModelOp;
  return { f: op.f, input: op.input, output: undefined, pending: true };
}

/** Why an operation does not fit the model, or undefined when it does. */
export function misfit(model: CompleteModel, op: Operation): InvalidOperation | undefined {
  if (!model.operations.includes(op.f)) {
    return new InvalidOperation(
      op,
      `operation '${op.f}' (operation ${op.index}) is not part of the ${model.name} model, ` +
        `which has ${model.operations.join(', ')}; valid models: ${MODEL_NAMES.join(', ')}`,
    );
  }
  if (op.outcome === 'fail') return undefined;
  const problem = model.validate(modelOp(op));
  return problem === undefined ? undefined : new InvalidOperation(op, problem);
}
