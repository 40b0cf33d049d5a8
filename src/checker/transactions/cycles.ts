import { type Findings, view } from './findings.js';
import { components, edgeKinds, type Graph, shortestPath } from './graph.js';
import {
  type Atom,
  type CycleAnomaly,
  type CycleStep,
  EDGE,
  EDGE_KINDS,
  type EdgeKind,
  type Txn,
} from './types.js';
import type { KeyAnalysis } from './versions.js';

const DATA = EDGE.ww | EDGE.wr | EDGE.rw;
const NOT_RW = ~EDGE.rw;

/**
 * Elle's search, one stage per edge kind: each stage looks, in the graph of the kinds allowed so
 * far, for cycles through an edge of its new kind (edges that also carry an earlier kind were
 * covered by an earlier stage). So G0 is found among ww edges alone, G1c once wr joins, G-single
 * and G2-item with rw, then the -process and -realtime variants.
 */
const STAGES: { allowed: number; required: number; covered: number }[] = [
  { allowed: EDGE.ww, required: EDGE.ww, covered: 0 },
  { allowed: EDGE.ww | EDGE.wr, required: EDGE.wr, covered: EDGE.ww },
  { allowed: DATA, required: EDGE.rw, covered: EDGE.ww | EDGE.wr },
  { allowed: DATA | EDGE.process, required: EDGE.process, covered: DATA },
  { allowed: DATA | EDGE.process | EDGE.realtime, required: EDGE.realtime, covered: DATA | EDGE.process },
];

/** How many edges of a component a stage tries as the start of a cycle: enough to find a short one. */
const CANDIDATES = 32;

/** Finds and classifies cycles; returns how many components (all kinds) hold a cycle. */
export function findCycles(
  graph: Graph,
  txns: readonly Txn[],
  keys: KeyAnalysis,
  findings: Findings,
): number {
  const all = components(graph, DATA | EDGE.process | EDGE.realtime);
  if (all.length === 0) return 0;
  const members = new Uint8Array(graph.nodes);
  const parent = new Int32Array(graph.nodes).fill(-1);
  for (const stage of STAGES) {
    for (const component of components(graph, stage.allowed)) {
      for (const v of component) members[v] = 1;
      const cycle = cycleThrough(graph, component, stage, members, parent);
      for (const v of component) members[v] = 0;
      if (!cycle) continue;
      const steps = cycle.nodes.map((from, i) => {
        const to = cycle.nodes[(i + 1) % cycle.nodes.length];
        return explainStep(txns, keys, from, to, label(edgeKinds(graph, from, to) & cycle.mask));
      });
      findings.add(classify(steps), () => ({
        txns: cycle.nodes.map((v) => view(txns[v])),
        steps,
        explanation: 'no order of these transactions can explain what they saw',
      }));
    }
  }
  return all.length;
}

/**
 * The shortest cycle found through one of the component's candidate edges. A cycle without rw
 * edges besides the candidate is preferred (it names the stronger anomaly: G1c over G2, G-single
 * over G2-item), then any cycle.
 */
function cycleThrough(
  graph: Graph,
  component: readonly number[],
  stage: (typeof STAGES)[number],
  members: Uint8Array,
  parent: Int32Array,
): { nodes: number[]; mask: number } | null {
  const candidates: [number, number][] = [];
  for (const u of component) {
    for (let i = graph.start[u]; i < graph.start[u + 1] && candidates.length < CANDIDATES; i++) {
      const k = graph.kinds[i];
      if (k & stage.required && !(k & stage.covered) && members[graph.target[i]])
        candidates.push([u, graph.target[i]]);
    }
  }
  for (const mask of [stage.allowed & NOT_RW, stage.allowed]) {
    let best: number[] | null = null;
    for (const [u, v] of candidates) {
      const path = shortestPath(graph, v, u, mask, members, parent);
      if (path && (!best || path.length < best.length)) best = path;
    }
    if (best) {
      // The path runs v..u; the cycle starts at u so its first step is the candidate edge.
      const u = best[best.length - 1];
      return { nodes: [u, ...best.slice(0, -1)], mask: mask | stage.required };
    }
  }
  return null;
}

/** The first kind an edge carries, data kinds first: the plainest explanation of it. */
function label(kinds: number): EdgeKind {
  return EDGE_KINDS.find((k) => kinds & EDGE[k]) ?? 'realtime';
}

/** Adya's class of a cycle from its edge kinds, with Elle's -process and -realtime variants. */
export function classify(steps: readonly CycleStep[]): CycleAnomaly {
  const count = (kind: EdgeKind) => steps.filter((s) => s.kind === kind).length;
  const rw = count('rw');
  const base = rw === 0 ? (count('wr') > 0 ? 'G1c' : 'G0') : rw === 1 ? 'G-single' : 'G2-item';
  if (count('realtime') > 0) return `${base}-realtime`;
  if (count('process') > 0) return `${base}-process`;
  return base;
}

/** One edge with the key and values that justify it. */
export function explainStep(
  txns: readonly Txn[],
  keys: KeyAnalysis,
  from: number,
  to: number,
  kind: EdgeKind,
): CycleStep {
  const step: CycleStep = { from: txns[from].index, to: txns[to].index, kind };
  if (kind === 'ww') {
    for (const m of txns[from].ops) {
      if (m.f !== 'append') continue;
      const order = keys.orders.get(m.key);
      const p = order?.position.get(m.value);
      if (order && p !== undefined && order.writers[p + 1] === to) {
        return { ...step, key: m.key, value: m.value, next: order.values[p + 1] };
      }
      const unread =
        p === undefined || p + 1 < (order?.values.length ?? 0)
          ? undefined
          : unreadAppend(txns[to], m.key, keys);
      if (unread !== undefined) return { ...step, key: m.key, value: m.value, next: unread };
    }
  } else if (kind === 'wr') {
    for (const m of txns[to].ops) {
      if (m.f !== 'r' || !m.value?.length) continue;
      const last = m.value[m.value.length - 1];
      if (keys.writers.get(m.key)?.get(last)?.txn === from) return { ...step, key: m.key, value: last };
    }
  } else if (kind === 'rw') {
    for (const m of txns[from].ops) {
      if (m.f !== 'r' || m.value === null) continue;
      const order = keys.orders.get(m.key);
      const n = m.value.length;
      if (!order) continue;
      const next =
        order.writers[n] === to
          ? order.values[n]
          : n === order.values.length
            ? unreadAppend(txns[to], m.key, keys)
            : undefined;
      if (next !== undefined) return { ...step, key: m.key, value: n > 0 ? m.value[n - 1] : null, next };
    }
  }
  return step;
}

/** A value `txn` appended to `key` that no read shows (so it comes after every version read). */
function unreadAppend(txn: Txn, key: Atom, keys: KeyAnalysis): Atom | undefined {
  const order = keys.orders.get(key);
  for (const m of txn.ops)
    if (m.f === 'append' && m.key === key && !order?.position.has(m.value)) return m.value;
  return undefined;
}
