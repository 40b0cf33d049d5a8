/**
 * Client-side sharding of keys over cache nodes, pure. `modulo` is what a naive client does
 * (hash(key) mod N): changing N moves almost every key. `consistent` places each node at many
 * points (virtual nodes) on a hash ring and gives a key to the first point at or after its hash:
 * adding or removing one node of N moves only about 1/N of the keys.
 */

export const SHARDINGS = ['modulo', 'consistent'] as const;
export type Sharding = (typeof SHARDINGS)[number];

/** Points per node on the ring: enough that each node's share stays within a few percent of 1/N. */
export const VIRTUAL_NODES = 160;

/** FNV-1a over UTF-16 code units, then Murmur3's finaliser so nearby names spread over the ring. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Which node holds a key, for one list of nodes. */
export type ShardMap = (key: string) => string;

/** hash(key) mod N over the nodes in the order given. */
export function moduloShards(nodes: readonly string[]): ShardMap {
  if (nodes.length === 0) throw new RangeError('sharding needs at least one node');
  const list = [...nodes];
  return (key) => list[hash32(key) % list.length];
}

/** A hash ring with `virtualNodes` points per node; a node's points do not depend on the other nodes. */
export function consistentShards(nodes: readonly string[], virtualNodes = VIRTUAL_NODES): ShardMap {
  if (nodes.length === 0) throw new RangeError('sharding needs at least one node');
  const points: { at: number; node: string }[] = [];
  for (const node of nodes) {
    for (let v = 0; v < virtualNodes; v++) points.push({ at: hash32(`${node}#${v}`), node });
  }
  // Ties (two points at one hash) are broken by name, so the ring is the same whatever the node order.
  points.sort((a, b) => a.at - b.at || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  const at = Uint32Array.from(points, (p) => p.at);
  const owner = points.map((p) => p.node);
  return (key) => {
    const h = hash32(key);
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    return owner[lo === at.length ? 0 : lo];
  };
}

export function shardMap(sharding: Sharding, nodes: readonly string[]): ShardMap {
  return sharding === 'modulo' ? moduloShards(nodes) : consistentShards(nodes);
}

/** The share of `keys` whose node differs between two lists of nodes (what a reshard makes cold). */
export function movedShare(
  sharding: Sharding,
  before: readonly string[],
  after: readonly string[],
  keys: readonly string[],
): number {
  if (keys.length === 0) return 0;
  const a = shardMap(sharding, before);
  const b = shardMap(sharding, after);
  let moved = 0;
  for (const key of keys) if (a(key) !== b(key)) moved++;
  return moved / keys.length;
}
