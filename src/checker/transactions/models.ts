import type { AnomalyClass } from './types.js';

/**
 * Consistency models, weakest first, and which models each is at least as strong as: a history
 * that rules out a model rules out every stronger one. After Elle's elle.consistency-model,
 * narrowed to the models dscheck names (consistent-view and cursor-stability fold into
 * snapshot-isolation).
 */
export const MODELS = [
  'read-uncommitted',
  'read-committed',
  'repeatable-read',
  'snapshot-isolation',
  'serializable',
  'strong-session-serializable',
  'strict-serializable',
] as const;
export type ConsistencyModel = (typeof MODELS)[number];

const STRONGER: Record<ConsistencyModel, ConsistencyModel[]> = {
  'read-uncommitted': ['read-committed'],
  'read-committed': ['repeatable-read', 'snapshot-isolation'],
  'repeatable-read': ['serializable'],
  'snapshot-isolation': ['serializable'],
  serializable: ['strong-session-serializable'],
  'strong-session-serializable': ['strict-serializable'],
  'strict-serializable': [],
};

/**
 * The weakest models each anomaly rules out directly (Elle's direct-proscribed-anomalies with its
 * implications folded in: G0 implies G1c, lost update implies G2-item, incompatible order implies
 * G1a, G-single implies G2, a -process anomaly implies its -realtime twin).
 */
const RULES_OUT: Record<AnomalyClass, ConsistencyModel[]> = {
  G0: ['read-uncommitted'],
  'duplicate-elements': ['read-uncommitted'],
  garbage: ['read-uncommitted'],
  G1a: ['read-committed'],
  G1b: ['read-committed'],
  G1c: ['read-committed'],
  'incompatible-order': ['read-committed'],
  // A transaction reading its own later append is a trivial cycle: Elle counts it as G1c.
  'future-read': ['read-committed'],
  'lost-update': ['repeatable-read', 'snapshot-isolation'],
  'G-single': ['snapshot-isolation', 'repeatable-read'],
  'G2-item': ['repeatable-read'],
  internal: ['snapshot-isolation', 'serializable'],
  'G0-process': ['strong-session-serializable'],
  'G1c-process': ['strong-session-serializable'],
  'G-single-process': ['strong-session-serializable'],
  'G2-item-process': ['strong-session-serializable'],
  'G0-realtime': ['strict-serializable'],
  'G1c-realtime': ['strict-serializable'],
  'G-single-realtime': ['strict-serializable'],
  'G2-item-realtime': ['strict-serializable'],
  // An acknowledged append missing from a read that began after it finished: not even a
  // real-time order explains it.
  lost: ['strict-serializable'],
};

/** Every model the anomalies rule out, weakest first. */
export function ruledOut(anomalies: Iterable<AnomalyClass>): ConsistencyModel[] {
  const out = new Set<ConsistencyModel>();
  const pending = [...anomalies].flatMap((a) => RULES_OUT[a]);
  while (pending.length > 0) {
    const model = pending.pop() as ConsistencyModel;
    if (out.has(model)) continue;
    out.add(model);
    pending.push(...STRONGER[model]);
  }
  return MODELS.filter((m) => out.has(m));
}
