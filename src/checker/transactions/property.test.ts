import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json, Operation } from '../../history/types.js';
import { type TxnSpec, txnOperations } from './fixtures.js';
import { type CycleStep, checkTransactions } from './index.js';

type Step = [string, number, Json];

/** A random transaction before it runs: which keys it reads or appends to, and how it ends. */
interface Plan {
  steps: { read: boolean; key: number }[];
  outcome: 'ok' | 'info' | 'fail';
  /** For a pending transaction: whether its appends landed. */
  lands: boolean;
  /** Replaces each read by a prefix of this length (mod) of the key's final list: a perturbation. */
  perturb: number | null;
  call: number;
  length: number;
  process: number;
}

const planArb = fc.record({
  steps: fc.array(fc.record({ read: fc.boolean(), key: fc.nat(2) }), { minLength: 1, maxLength: 3 }),
  outcome: fc.constantFrom<Plan['outcome']>('ok', 'ok', 'ok', 'ok', 'info', 'fail'),
  lands: fc.boolean(),
  perturb: fc.option(fc.nat(5), { freq: 3 }),
  call: fc.nat(10),
  length: fc.nat(6),
  process: fc.nat(2),
});

/** Runs the plans in a serial order (so the history starts out serializable), then perturbs some reads. */
function history(plans: Plan[], order: number[], keys: number): Operation[] {
  const state: number[][] = Array.from({ length: keys }, () => []);
  const next = new Array(keys).fill(1);
  const ops: Step[][] = plans.map(() => []);
  for (const i of order) {
    const plan = plans[i];
    const applies = plan.outcome === 'ok' || (plan.outcome === 'info' && plan.lands);
    for (const s of plan.steps) {
      const key = s.key % keys;
      if (s.read) {
        ops[i].push(['r', key, [...state[key]]]);
      } else {
        const value = next[key]++;
        ops[i].push(['append', key, value]);
        if (applies) state[key].push(value);
      }
    }
  }
  const specs: TxnSpec[] = plans.map((plan, i) => ({
    process: plan.process * 10 + i,
    outcome: plan.outcome,
    call: plan.call,
    ret: plan.call + plan.length,
    ops: ops[i].map(([f, key, value]) =>
      f === 'r' && plan.perturb !== null
        ? [f, key, state[key].slice(0, plan.perturb % (state[key].length + 1))]
        : [f, key, value],
    ),
  }));
  return txnOperations(specs);
}

/** Brute force: is there a serial order of the committed transactions (and some of the pending) that gives every read? */
function serializable(operations: Operation[]): boolean {
  const committed = operations.filter((o) => o.outcome === 'ok');
  const pending = operations.filter((o) => o.outcome === 'info');
  for (let mask = 0; mask < 1 << pending.length; mask++) {
    const chosen = [...committed, ...pending.filter((_, i) => mask & (1 << i))];
    if (someOrderWorks(chosen, [], new Set())) return true;
  }
  return false;
}

function someOrderWorks(txns: Operation[], prefix: Operation[], used: Set<number>): boolean {
  if (prefix.length === txns.length) return replays(prefix);
  for (const t of txns) {
    if (used.has(t.index)) continue;
    used.add(t.index);
    prefix.push(t);
    const ok = replays(prefix) && someOrderWorks(txns, prefix, used);
    prefix.pop();
    used.delete(t.index);
    if (ok) return true;
  }
  return false;
}

function replays(order: Operation[]): boolean {
  const state = new Map<Json, Json[]>();
  for (const t of order) {
    for (const [f, key, value] of (t.output ?? t.input) as Step[]) {
      const list = state.get(key) ?? [];
      if (f === 'append') state.set(key, [...list, value]);
      else if (t.outcome === 'ok' && JSON.stringify(value) !== JSON.stringify(list)) return false;
    }
  }
  return true;
}

/** Each step of a reported cycle, checked against the raw history with no help from the checker. */
function justified(step: CycleStep, operations: Operation[]): boolean {
  const from = operations[step.from];
  const to = operations[step.to];
  const steps = (o: Operation) => (o.output ?? o.input) as Step[];
  const reads = operations
    .filter((o) => o.outcome === 'ok')
    .flatMap((o) => steps(o).filter((s) => s[0] === 'r' && s[1] === step.key));
  const appended = (o: Operation, v: Json) =>
    steps(o).some(([f, k, x]) => f === 'append' && k === step.key && x === v);
  const adjacent = (a: Json | null, b: Json) =>
    reads.some(([, , list]) => {
      const l = list as Json[];
      const i = a === null ? -1 : l.indexOf(a);
      return (a === null || i >= 0) && l[i + 1] === b;
    });
  // A committed append no read shows follows the last version any read shows.
  const unread = (v: Json | null) =>
    !reads.some(([, , l]) => (l as Json[]).includes(v)) &&
    reads.every(
      ([, , l]) =>
        (l as Json[]).length === 0 ||
        reads.some(
          ([, , m]) => (m as Json[]).at(-1) === step.value && (m as Json[]).length >= (l as Json[]).length,
        ),
    );
  const follows = (a: Json | null, b: Json | null) => adjacent(a, b) || (to.outcome !== 'fail' && unread(b));
  switch (step.kind) {
    case 'ww':
      return (
        appended(from, step.value ?? null) &&
        appended(to, step.next ?? null) &&
        follows(step.value ?? null, step.next ?? null)
      );
    case 'wr':
      return (
        appended(from, step.value ?? null) &&
        steps(to).some(([f, k, l]) => f === 'r' && k === step.key && (l as Json[]).at(-1) === step.value)
      );
    case 'rw':
      return (
        appended(to, step.next ?? null) &&
        follows(step.value ?? null, step.next ?? null) &&
        steps(from).some(
          ([f, k, l]) => f === 'r' && k === step.key && ((l as Json[]).at(-1) ?? null) === step.value,
        )
      );
    case 'process':
      return from.process === to.process && from.index < to.index;
    case 'realtime':
      return from.ret < to.call;
  }
}

describe('transactions checker against brute force', () => {
  it('agrees with a search over serial orders, and every cycle it reports is real', () => {
    fc.assert(
      fc.property(
        fc.array(planArb, { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.infiniteStream(fc.nat()),
        (plans, keys, shuffle) => {
          const order = plans.map((_, i) => i);
          const picks = shuffle.take(order.length);
          for (const [i, r] of [...picks].entries()) {
            const j = i + (r % (order.length - i));
            [order[i], order[j]] = [order[j], order[i]];
          }
          const operations = history(plans, order, keys);
          const result = checkTransactions(operations);
          expect(result.notOk.includes('serializable')).toBe(!serializable(operations));
          for (const example of Object.values(result.examples)) {
            const steps = example?.steps ?? [];
            steps.forEach((s, i) => {
              expect(justified(s, operations), JSON.stringify(s)).toBe(true);
              expect(steps[(i + 1) % steps.length].from).toBe(s.to);
            });
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
