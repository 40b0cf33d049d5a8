import type { Operation } from '../../history/types.js';
import {
  type LinearizabilityOptions,
  type LinearizabilityResult,
  searched,
  searchPartitions,
} from '../linearizable/index.js';
import { type InvalidOperation, MODELS, misfit } from '../linearizable/models.js';
import type { StreamCheck } from '../types.js';
import { KeySpill } from './spill.js';

/**
 * Linearizability over a stream of operations: each is checked against the model as it comes and
 * spilled to its key's file; the search then reads one key at a time. The result equals
 * `checkLinearizable`'s on the same operations.
 */
export class LinearizableStream implements StreamCheck<LinearizabilityResult> {
  private readonly started = performance.now();
  private readonly model;
  private readonly spill = new KeySpill();
  private readonly keys = new Set<string | null>();
  private ops = 0;
  /** The first operation (by index) that does not fit the model: the one the in-memory check names. */
  private problem: InvalidOperation | undefined;

  constructor(private readonly options: LinearizabilityOptions) {
    this.model = MODELS[options.model];
  }

  add(op: Operation): void {
    this.ops++;
    this.keys.add(op.key);
    const problem = misfit(this.model, op);
    if (problem) {
      if (!this.problem || op.index < this.problem.op.index) this.problem = problem;
    } else if (searched(this.model, op)) this.spill.add(op);
  }

  finish(): LinearizabilityResult {
    try {
      if (this.problem) throw this.problem;
      return searchPartitions(
        this.spill,
        { ops: this.ops, keys: this.keys.size, started: this.started },
        this.options,
      );
    } finally {
      this.spill.close();
    }
  }
}
