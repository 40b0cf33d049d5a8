import type { KeyFailure, LinearizabilityResult } from '../../checker/linearizable/index.js';
import { MODELS } from '../../checker/linearizable/models.js';
import type { Operation } from '../../history/types.js';
import { esc } from '../escape.js';
import type { KeyOperations, ReportContext, ReportSection } from './types.js';

/** Operations drawn per counterexample; earlier ones are summed up by the state they left. */
const MAX_DRAWN = 240;
/** Failing keys whose counterexample the page draws; the others are named, so the page stays small. */
const MAX_COUNTEREXAMPLES = 20;

/** One operation of a counterexample, positioned by the rank of its events (as Porcupine does). */
export interface CounterexampleOp {
  /** Index of the operation in the history. */
  i: number;
  lane: number;
  process: number;
  /** Rank of the invocation; rank of the completion, or null while pending (open to the end). */
  c: number;
  r: number | null;
  text: string;
  /** Position in the linearization (0-based), or -1 when the prefix does not include it. */
  step: number;
  /** Where its linearization point is drawn, in rank units. */
  x?: number;
  before?: string;
  after?: string;
  blocked?: true;
}

/** What the section's browser code draws (browser/sections/linearizable.ts). */
export interface LinearizableDrawing {
  failures: Counterexample[];
}

export interface Counterexample {
  key: string | null;
  processes: number[];
  /** Ranks in use: the drawing is this wide. */
  ranks: number;
  ops: CounterexampleOp[];
  /** Operations on the key before the drawn ones, left out to keep the drawing readable. */
  hidden: number;
  /** The state before the first drawn step. */
  startState: string;
  finalState: string;
  explanation: string;
}

/** Lays out the counterexample of one failing key: lanes per process, ranks, linearization points. */
export function counterexample(
  failure: KeyFailure,
  operations: readonly Operation[],
  model: LinearizabilityResult['model'],
  hiddenBefore = 0,
  blocked: Operation = operations[failure.op.index],
): Counterexample {
  const m = MODELS[model];
  const cutoff = Number.isFinite(blocked.ret) ? blocked.ret : Number.POSITIVE_INFINITY;
  const steps = new Map(failure.linearized.map((s, n) => [s.index, { ...s, n }]));
  // What the checker considered: failed operations and pending reads change nothing.
  let relevant = operations.filter(
    (op) =>
      op.key === failure.key &&
      op.outcome !== 'fail' &&
      !(op.pending && m.reads.includes(op.f)) &&
      (op.call <= cutoff || steps.has(op.index)),
  );
  const hidden = Math.max(0, hiddenBefore + relevant.length - MAX_DRAWN);
  relevant = relevant.slice(hidden - hiddenBefore);

  const times = [
    ...new Set(relevant.flatMap((op) => (Number.isFinite(op.ret) ? [op.call, op.ret] : [op.call]))),
  ].sort((a, b) => a - b);
  const rank = new Map(times.map((t, i) => [t, i]));
  const processes = [...new Set(relevant.map((op) => op.process))].sort((a, b) => a - b);
  const lane = new Map(processes.map((p, i) => [p, i]));
  const ranks = times.length + 1;

  const ops: CounterexampleOp[] = relevant.map((op) => {
    const step = steps.get(op.index);
    const drawn: CounterexampleOp = {
      i: op.index,
      lane: lane.get(op.process) as number,
      process: op.process,
      c: rank.get(op.call) as number,
      r: Number.isFinite(op.ret) ? (rank.get(op.ret) as number) : null,
      text: step?.description ?? describe(m, op),
      step: step?.n ?? -1,
    };
    if (step) {
      drawn.before = step.before;
      drawn.after = step.after;
    }
    if (op.index === blocked.index) drawn.blocked = true;
    return drawn;
  });

  // Linearization points: each as early as its invocation and the previous point allow, so the
  // order reads left to right and every point stays inside its operation's interval.
  const inOrder = ops.filter((op) => op.step >= 0).sort((a, b) => a.step - b.step);
  let previous = Number.NEGATIVE_INFINITY;
  for (const op of inOrder) {
    const hi = (op.r ?? ranks) - 0.15;
    const x = Math.min(Math.max(op.c + 0.3, previous + 0.25), hi);
    op.x = Math.round(x * 100) / 100;
    previous = x;
  }
  const first = inOrder[0];
  return {
    key: failure.key,
    processes,
    ranks,
    ops,
    hidden,
    startState: first?.before ?? failure.finalState,
    finalState: failure.finalState,
    explanation: failure.explanation,
  };
}

/**
 * The operations each failing key's counterexample needs, one operation at a time in any order:
 * per key, the last ones (by index) that the drawing can show, and a count of the earlier ones it
 * leaves out, so a history of any length gives the same drawing as `counterexample` on the whole.
 */
export class CounterexampleTally {
  private readonly keys = new Map<
    string | null,
    {
      failure: KeyFailure;
      steps: Set<number>;
      blocked?: Operation;
      cutoff?: number;
      ops: Operation[];
      hiddenBefore: number;
    }
  >();
  private readonly model;

  constructor(result: LinearizabilityResult) {
    this.model = MODELS[result.model];
    for (const failure of result.failures.slice(0, MAX_COUNTEREXAMPLES)) {
      const steps = new Set(failure.linearized.map((s) => s.index));
      this.keys.set(failure.key, { failure, steps, ops: [], hiddenBefore: 0 });
    }
  }

  /** Operations come in completion order (as streamOperations hands them over), pending ones last. */
  add(op: Operation): void {
    const key = this.keys.get(op.key);
    if (!key) return;
    if (op.index === key.failure.op.index) {
      key.blocked = op;
      key.cutoff = Number.isFinite(op.ret) ? op.ret : Number.POSITIVE_INFINITY;
    }
    if (op.outcome === 'fail' || (op.pending && this.model.reads.includes(op.f))) return;
    // Before the blocked operation completes, every operation seen was invoked before that: all count.
    if (key.cutoff !== undefined && op.call > key.cutoff && !key.steps.has(op.index)) return;
    key.ops.push(op);
    if (key.ops.length >= 4 * MAX_DRAWN) {
      // The drawing shows the last MAX_DRAWN by index: earlier ones are only counted.
      key.ops.sort((a, b) => a.index - b.index);
      const drop = key.ops.length - MAX_DRAWN;
      key.hiddenBefore += drop;
      key.ops.splice(0, drop);
    }
  }

  finish(): Map<string | null, KeyOperations> {
    const kept = new Map<string | null, KeyOperations>();
    for (const [k, v] of this.keys) {
      if (!v.blocked) continue;
      kept.set(k, {
        ops: v.ops.sort((a, b) => a.index - b.index),
        hiddenBefore: v.hiddenBefore,
        blocked: v.blocked,
      });
    }
    return kept;
  }
}

function describe(model: (typeof MODELS)[keyof typeof MODELS], op: Operation): string {
  return model.describeOperation({
    f: op.f,
    input: op.input,
    output: op.pending ? undefined : op.output,
    pending: op.pending,
  });
}

function keyName(key: string | null): string {
  return key === null ? 'the single object' : `key ${JSON.stringify(key)}`;
}

/** A failing key's counterexample from the whole history, or from what a streaming pass kept of it. */
function drawn(
  failure: KeyFailure,
  history: ReportContext['history'],
  model: LinearizabilityResult['model'],
): Counterexample {
  const kept = history.keyOperations?.get(failure.key);
  return kept
    ? counterexample(failure, kept.ops, model, kept.hiddenBefore, kept.blocked)
    : counterexample(failure, history.operations, model);
}

/** The linearizability checker's section: the verdict and a counterexample per failing key. */
export const linearizableSection: ReportSection<LinearizabilityResult> = {
  id: 'linearizability',
  title: 'Linearizability',
  render({ result, history }: ReportContext<LinearizabilityResult>): string {
    const head = `<p>Model <strong>${esc(result.model)}</strong> · ${result.ops.toLocaleString('en')} operations on ${result.keys.toLocaleString('en')} key(s) · searched ${result.configurations.toLocaleString('en')} configurations in ${result.ms.toLocaleString('en')} ms.</p>`;
    const unknown =
      result.unknown.length === 0
        ? ''
        : `<p>The search gave up on ${result.unknown.length} key(s):</p><ul>${result.unknown
            .slice(0, 50)
            .map((u) => `<li>${esc(keyName(u.key))}: ${esc(u.reason)}</li>`)
            .join('')}</ul>`;
    if (result.valid === true) {
      return `${head}<p class="good">Every operation fits a single order that respects real time: the history is linearizable.</p>`;
    }
    const drawnFailures = result.failures.slice(0, MAX_COUNTEREXAMPLES);
    const more = result.failures.length - drawnFailures.length;
    const rest =
      more > 0
        ? `<p class="note">${more.toLocaleString('en')} more key(s) cannot be linearized either; their counterexamples are left out of the page (results.json names them all): ${esc(
            result.failures
              .slice(MAX_COUNTEREXAMPLES, MAX_COUNTEREXAMPLES + 50)
              .map((f) => keyName(f.key))
              .join(', '),
          )}${more > 50 ? ', …' : ''}.</p>`
        : '';
    const failures = drawnFailures.map((failure, n) => {
      const cx = drawn(failure, history, result.model);
      const table = cx.ops
        .filter((op) => op.step >= 0 || op.blocked)
        .sort((a, b) => (a.blocked ? 1 : b.blocked ? -1 : a.step - b.step))
        .map((op) =>
          op.blocked
            ? `<tr class="blocked" data-op="${op.i}"><td>✗</td><td>p${op.process}</td><td>${esc(op.text)}</td><td>${esc(cx.finalState)}</td><td>no state explains it</td></tr>`
            : `<tr data-op="${op.i}"><td>${op.step + 1}</td><td>p${op.process}</td><td>${esc(op.text)}</td><td>${esc(op.before ?? '')}</td><td>${esc(op.after ?? '')}</td></tr>`,
        )
        .join('\n');
      return `<article class="cx">
<h3>Counterexample on ${esc(keyName(failure.key))}</h3>
<p class="explain">${esc(failure.explanation)}.</p>
<p class="legend"><span class="sw lin"></span>in the longest linearizable prefix (dot: where it takes effect, numbered in order; the line joins them) <span class="sw blocked"></span>cannot be linearized <span class="sw other"></span>not in the prefix <span class="sw pend"></span>pending (may take effect any time later). Hover an operation for the state before and after it.</p>
${cx.hidden > 0 ? `<p class="note">${cx.hidden.toLocaleString('en')} earlier operations on this key are not drawn; the drawing starts in state ${esc(cx.startState)}.</p>` : ''}
<div class="cx-draw" data-cx="${n}" role="img" aria-label="operations on ${esc(keyName(failure.key))} per process, with the linearization"></div>
<details class="steps"><summary>The linearization step by step (${cx.ops.filter((op) => op.step >= 0).length} operations, then the one that fails)</summary>
<table class="stats"><thead><tr><th>#</th><th>process</th><th>operation</th><th>state before</th><th>state after</th></tr></thead>
<tbody>
${table}
</tbody></table></details>
</article>`;
    });
    return `${head}${unknown}${failures.join('\n')}${rest}`;
  },
  data({ result, history }: ReportContext<LinearizabilityResult>): LinearizableDrawing {
    return {
      failures: result.failures.slice(0, MAX_COUNTEREXAMPLES).map((f) => drawn(f, history, result.model)),
    };
  },
  script: 'linearizable',
};
