/**
 * A dependency graph between transactions, in compressed sparse rows: typed arrays, because
 * histories run to millions of edges. Edges between the same two transactions are merged and
 * carry their kinds as bits (EDGE in types.ts).
 */

/** Edges as they are found, in any order, duplicates allowed. */
export class EdgeList {
  private from = new Int32Array(1024);
  private to = new Int32Array(1024);
  private kind = new Uint8Array(1024);
  length = 0;

  add(from: number, to: number, kind: number): void {
    if (this.length === this.from.length) this.grow();
    this.from[this.length] = from;
    this.to[this.length] = to;
    this.kind[this.length] = kind;
    this.length++;
  }

  /** Where the i-th edge added starts. */
  fromAt(i: number): number {
    return this.from[i];
  }

  private grow(): void {
    const size = this.from.length * 2;
    const from = new Int32Array(size);
    const to = new Int32Array(size);
    const kind = new Uint8Array(size);
    from.set(this.from);
    to.set(this.to);
    kind.set(this.kind);
    this.from = from;
    this.to = to;
    this.kind = kind;
  }

  /** The graph on `nodes` vertices: each node's successors sorted, duplicates merged. */
  toGraph(nodes: number): Graph {
    const count = new Int32Array(nodes + 1);
    for (let i = 0; i < this.length; i++) count[this.from[i] + 1]++;
    for (let v = 0; v < nodes; v++) count[v + 1] += count[v];
    const fill = count.slice(0, nodes);
    const target = new Int32Array(this.length);
    const kinds = new Uint8Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const at = fill[this.from[i]]++;
      target[at] = this.to[i];
      kinds[at] = this.kind[i];
    }
    return mergeDuplicates(nodes, count, target, kinds);
  }
}

export interface Graph {
  nodes: number;
  /** Successors of v are target[start[v] .. start[v+1]). */
  start: Int32Array;
  target: Int32Array;
  kinds: Uint8Array;
}

function mergeDuplicates(nodes: number, start: Int32Array, target: Int32Array, kinds: Uint8Array): Graph {
  const outStart = new Int32Array(nodes + 1);
  const seen = new Int32Array(nodes).fill(-1);
  const slot = new Int32Array(nodes);
  let n = 0;
  for (let v = 0; v < nodes; v++) {
    outStart[v] = n;
    for (let i = start[v]; i < start[v + 1]; i++) {
      const w = target[i];
      if (seen[w] === v) {
        kinds[slot[w]] |= kinds[i];
        continue;
      }
      seen[w] = v;
      slot[w] = n;
      target[n] = w;
      kinds[n] = kinds[i];
      n++;
    }
  }
  outStart[nodes] = n;
  return { nodes, start: outStart, target: target.slice(0, n), kinds: kinds.slice(0, n) };
}

/**
 * Strongly connected components over the edges whose kinds meet `mask` (Tarjan's algorithm with
 * an explicit stack: histories are too deep for recursion). Returns only components of two or
 * more nodes, each as a list of nodes.
 */
export function components(graph: Graph, mask: number): number[][] {
  const { nodes, start, target, kinds } = graph;
  const index = new Int32Array(nodes).fill(-1);
  const low = new Int32Array(nodes);
  const onStack = new Uint8Array(nodes);
  const stack: number[] = [];
  const callNode: number[] = [];
  const callEdge: number[] = [];
  const found: number[][] = [];
  let counter = 0;
  for (let root = 0; root < nodes; root++) {
    if (index[root] >= 0) continue;
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    callNode.push(root);
    callEdge.push(start[root]);
    while (callNode.length > 0) {
      const top = callNode.length - 1;
      const v = callNode[top];
      let i = callEdge[top];
      let descended = false;
      for (; i < start[v + 1]; i++) {
        if ((kinds[i] & mask) === 0) continue;
        const w = target[i];
        if (index[w] < 0) {
          callEdge[top] = i + 1;
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          callNode.push(w);
          callEdge.push(start[w]);
          descended = true;
          break;
        }
        if (onStack[w] && index[w] < low[v]) low[v] = index[w];
      }
      if (descended) continue;
      callNode.pop();
      callEdge.pop();
      if (callNode.length > 0) {
        const parent = callNode[callNode.length - 1];
        if (low[v] < low[parent]) low[parent] = low[v];
      }
      if (low[v] !== index[v]) continue;
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop() as number;
        onStack[w] = 0;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component);
    }
  }
  return found;
}

/**
 * The shortest path from `from` to `to` inside `members` over edges whose kinds meet `mask`
 * (breadth-first), as the nodes along it, or null. `visited` is scratch space of graph size.
 */
export function shortestPath(
  graph: Graph,
  from: number,
  to: number,
  mask: number,
  members: Uint8Array,
  parent: Int32Array,
): number[] | null {
  const { start, target, kinds } = graph;
  const touched: number[] = [from];
  parent[from] = from;
  let found = from === to;
  for (let head = 0; head < touched.length && !found; head++) {
    const v = touched[head];
    for (let i = start[v]; i < start[v + 1]; i++) {
      const w = target[i];
      if ((kinds[i] & mask) === 0 || !members[w] || parent[w] >= 0) continue;
      parent[w] = v;
      touched.push(w);
      if (w === to) {
        found = true;
        break;
      }
    }
  }
  let path: number[] | null = null;
  if (found) {
    path = [];
    for (let v = to; v !== from; v = parent[v]) path.push(v);
    path.push(from);
    path.reverse();
  }
  for (const v of touched) parent[v] = -1;
  return path;
}

/** The kinds of the edge from `from` to `to` (0 when there is none). */
export function edgeKinds(graph: Graph, from: number, to: number): number {
  for (let i = graph.start[from]; i < graph.start[from + 1]; i++)
    if (graph.target[i] === to) return graph.kinds[i];
  return 0;
}
