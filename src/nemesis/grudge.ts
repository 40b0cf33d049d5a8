import type { Random } from '../generator/random.js';

/**
 * A grudge: for each node, the nodes whose packets it drops. Pure values; applying one is
 * src/nemesis/net.ts's job. Shapes follow Jepsen's nemesis.clj.
 */
export type Grudge = Readonly<Record<string, readonly string[]>>;

/** The partition shapes `--partition` accepts. */
export const PARTITION_SHAPES = [
  'random-halves',
  'halves',
  'one',
  'primary',
  'majorities-ring',
  'bridge',
] as const;
export type PartitionShape = (typeof PARTITION_SHAPES)[number];

/** Each node drops every node outside its own component. Nodes in no component are left alone. */
export function complete(components: readonly (readonly string[])[]): Grudge {
  const grudge: Record<string, string[]> = {};
  const all = components.flat();
  for (const component of components) {
    for (const node of component) grudge[node] = all.filter((other) => !component.includes(other)).sort();
  }
  return grudge;
}

/** Splits the nodes in two; with an odd count the first (minority) side is the smaller. */
export function bisect(nodes: readonly string[]): [string[], string[]] {
  const cut = Math.floor(nodes.length / 2);
  return [nodes.slice(0, cut), nodes.slice(cut)];
}

/** The first half against the rest. */
export function halves(nodes: readonly string[]): Grudge {
  return complete(bisect(nodes));
}

/** Two halves drawn at random. */
export function randomHalves(nodes: readonly string[], random: Random): Grudge {
  return halves(random.shuffle(nodes));
}

/** One node, drawn at random, cut off from all others. */
export function one(nodes: readonly string[], random: Random): Grudge {
  return isolate(nodes, random.pick(nodes));
}

/** The given primary cut off from all others. */
export function primary(nodes: readonly string[], primaryNode: string): Grudge {
  if (!nodes.includes(primaryNode))
    throw new RangeError(`primary ${primaryNode} is not one of ${nodes.join(', ')}`);
  return isolate(nodes, primaryNode);
}

function isolate(nodes: readonly string[], node: string): Grudge {
  return complete([[node], nodes.filter((n) => n !== node)]);
}

/**
 * Jepsen's majorities ring: the nodes stand in a ring (in the given order, or shuffled when a
 * random source is given) and each sees the majority centred on itself, so every node sees a
 * majority and no two see the same one. With an even majority size the grudge is asymmetric.
 */
export function majoritiesRing(nodes: readonly string[], random?: Random): Grudge {
  const ring = random ? random.shuffle(nodes) : [...nodes];
  const n = ring.length;
  const m = majority(n);
  const grudge: Record<string, string[]> = {};
  for (let start = 0; start < n; start++) {
    const window = Array.from({ length: m }, (_, i) => ring[(start + i) % n]);
    const centre = window[Math.floor(m / 2)];
    grudge[centre] = ring.filter((node) => !window.includes(node)).sort();
  }
  return grudge;
}

/**
 * Two halves joined by one bridge node (the first of the second half) that sees both, as in
 * Jepsen's `bridge`: each half sees a majority through the bridge.
 */
export function bridge(nodes: readonly string[]): Grudge {
  const [left, right] = bisect(nodes);
  const [bridgeNode, ...rest] = right;
  const grudge: Record<string, readonly string[]> = { ...complete([left, rest]) };
  if (bridgeNode !== undefined) grudge[bridgeNode] = [];
  return grudge;
}

/** The smallest number of nodes that is more than half. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** The nodes a node still hears from under a grudge, itself included. */
export function visibleFrom(grudge: Grudge, node: string, nodes: readonly string[]): string[] {
  const dropped = grudge[node] ?? [];
  return nodes.filter((other) => !dropped.includes(other));
}
