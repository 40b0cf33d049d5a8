import type { HistoryEvent } from '../history/types.js';
import { Random } from './random.js';

/**
 * A seeded, linearizable cas-register history of any size, for benchmarks and tests: clients
 * run read / write / cas on random keys; every operation takes effect at a random instant
 * between its invocation and completion, and results are computed by applying the operations in
 * that order to real registers. A share of writes ends `info` (their effect may or may not
 * happen); the client then continues under a new process id, as HISTORY.md requires.
 */
export interface SyntheticOptions {
  operations: number;
  keys: number;
  clients: number;
  /** Share of writes whose completion is lost (`info`). */
  pendingWrites: number;
  seed: number;
}

const READ = 0;
const WRITE = 1;
const CAS = 2;

export function* syntheticHistory(options: SyntheticOptions): Generator<HistoryEvent> {
  const { operations: n, keys, clients, pendingWrites } = options;
  const random = Random.fromSeed(options.seed);
  const kind = new Uint8Array(n);
  const key = new Int32Array(n);
  const arg = new Int32Array(n);
  const expected = new Int32Array(n);
  const call = new Float64Array(n);
  const ret = new Float64Array(n);
  const at = new Float64Array(n);
  const process = new Int32Array(n);
  const pending = new Uint8Array(n);
  const result = new Int32Array(n); // read value (-1 = null) / cas success (1) or failure (0)

  // Invocations and completions, client by client; each client runs its operations back to back.
  const nextWrite = new Int32Array(keys);
  const lastWritten = new Int32Array(keys).fill(-1);
  const clientTime = new Float64Array(clients);
  const clientProcess = new Int32Array(clients);
  for (let c = 0; c < clients; c++) clientProcess[c] = c;
  for (let i = 0; i < n; i++) {
    const c = i % clients;
    const k = random.int(0, keys - 1);
    const roll = random.int(0, 99);
    key[i] = k;
    kind[i] = roll < 50 ? READ : roll < 80 ? WRITE : CAS;
    if (kind[i] !== READ) arg[i] = ++nextWrite[k];
    if (kind[i] === CAS) expected[i] = Math.max(lastWritten[k], 0);
    if (kind[i] !== READ) lastWritten[k] = arg[i];
    call[i] = clientTime[c] + random.int(1_000, 50_000);
    ret[i] = call[i] + random.int(20_000, 2_000_000);
    at[i] = call[i] + random.float() * (ret[i] - call[i]);
    process[i] = clientProcess[c];
    clientTime[c] = ret[i];
    if (kind[i] === WRITE && random.float() < pendingWrites) {
      pending[i] = 1;
      clientProcess[c] += clients; // the process is retired
    }
  }

  // Apply in linearization order to compute what every operation returned.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => at[a] - at[b]);
  const state = new Int32Array(keys).fill(-1);
  for (const i of order) {
    const k = key[i];
    if (kind[i] === READ) result[i] = state[k];
    else if (kind[i] === WRITE) {
      if (!pending[i] || random.chance(0.5)) state[k] = arg[i];
    } else {
      result[i] = state[k] === expected[i] ? 1 : 0;
      if (result[i] === 1) state[k] = arg[i];
    }
  }

  // Events in time order: invocations at `call`, completions at `ret`.
  const eventOrder = Array.from({ length: 2 * n }, (_, e) => e).sort(
    (a, b) => timeOf(a) - timeOf(b) || a - b,
  );
  function timeOf(e: number): number {
    const i = e >>> 1;
    return e & 1 ? ret[i] : call[i];
  }
  for (const e of eventOrder) {
    const i = e >>> 1;
    const isCall = (e & 1) === 0;
    const k = `k${key[i]}`;
    const time = Math.round(timeOf(e));
    const f = kind[i] === READ ? 'read' : kind[i] === WRITE ? 'write' : 'cas';
    const input = kind[i] === READ ? null : kind[i] === WRITE ? arg[i] : [expected[i], arg[i]];
    if (isCall) {
      yield { process: process[i], type: 'invoke', f, key: k, value: input, time };
    } else if (pending[i]) {
      yield { process: process[i], type: 'info', f, key: k, value: input, time, error: 'timeout' };
    } else if (kind[i] === READ) {
      yield { process: process[i], type: 'ok', f, key: k, value: result[i] < 0 ? null : result[i], time };
    } else if (kind[i] === CAS && result[i] === 0) {
      yield { process: process[i], type: 'fail', f, key: k, value: input, time };
    } else {
      yield { process: process[i], type: 'ok', f, key: k, value: input, time };
    }
  }
}
