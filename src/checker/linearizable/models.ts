import { UsageError } from '../../errors.js';
import type { Json, Operation } from '../../history/types.js';

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
}

export type CompleteModel<S = Json> = Required<Model<S>>;

export const MODEL_NAMES = ['register', 'cas-register', 'kv', 'mutex'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

const show = (v: Json | undefined): string => (v === undefined ? '?' : JSON.stringify(v));

/** Equality of JSON values; also the default `equal` hook. */
export function sameValue(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** FNV-1a over a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function defaultHash(state: Json): number {
  if (typeof state === 'number' && Number.isInteger(state)) return Math.imul(state | 0, 0x9e3779b1) >>> 0;
  if (typeof state === 'string') return hashString(state);
  return hashString(JSON.stringify(state) ?? 'undefined');
}

export const defaultEqual = sameValue as (a: unknown, b: unknown) => boolean;

export function withDefaults<S>(model: Model<S>): CompleteModel<S> {
  return {
    equal: defaultEqual,
    hash: (s) => defaultHash(s as Json),
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
          const [expected, next] = op.input as [Json, Json];
          return sameValue(state, expected) ? next : ILLEGAL;
        }
      }
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

/** A string per key: get returns it, put replaces it, append adds to its end (initially ""). */
const kv: Model<Json> = {
  name: 'kv',
  operations: ['get', 'put', 'append'],
  reads: ['get'],
  init: (initialValue) => (initialValue === undefined || initialValue === null ? '' : String(initialValue)),
  step(state, op) {
    switch (op.f) {
      case 'get':
        return state === (op.output ?? '') ? state : ILLEGAL;
      case 'put':
        return String(op.input ?? '');
      default:
        return (state as string) + String(op.input ?? '');
    }
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

export const MODELS: Record<ModelName, CompleteModel> = {
  register: withDefaults(register('register')),
  'cas-register': withDefaults(register('cas-register')),
  kv: withDefaults(kv),
  mutex: withDefaults(mutex),
};

/** Picks the model from the operation names; a UsageError names what was seen and the valid models. */
export function inferModel(operations: readonly Operation[]): ModelName {
  const names = new Set(operations.map((op) => op.f));
  if (names.size === 0) return 'register';
  const fits = MODEL_NAMES.filter((m) => [...names].every((f) => MODELS[m].operations.includes(f)));
  if (fits.length > 0) return fits[0];
  throw new UsageError(
    `cannot tell the model from the operations (${[...names].sort().join(', ')}); ` +
      `use --model with one of: ${MODEL_NAMES.map((m) => `${m} (${MODELS[m].operations.join('/')})`).join(', ')}`,
  );
}

/** A UsageError when the history holds operations the model does not know. */
export function assertFits(model: CompleteModel, operations: readonly Operation[]): void {
  for (const op of operations) {
    if (!model.operations.includes(op.f)) {
      throw new UsageError(
        `operation '${op.f}' (operation ${op.index}) is not part of the ${model.name} model, ` +
          `which has ${model.operations.join(', ')}; valid models: ${MODEL_NAMES.join(', ')}`,
      );
    }
  }
}
