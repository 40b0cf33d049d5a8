/**
 * MariaDB GTID positions (`domain-server-seq`, comma-separated, one per replication domain) and
 * the failover tool's choice of a new primary. Pure: the unit tests hammer it.
 */

/** Highest sequence number seen per replication domain. */
export type GtidPosition = ReadonlyMap<number, number>;

/** Parses `0-1-120,1-3-7`; an empty string is the empty position. Throws on anything else. */
export function parseGtidPosition(text: string): GtidPosition {
  const position = new Map<number, number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const match = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (!match) throw new Error(`not a GTID position: '${text}'`);
    const domain = Number(match[1]);
    position.set(domain, Math.max(position.get(domain) ?? 0, Number(match[3])));
  }
  return position;
}

/** -1, 0 or 1 when `a` is behind, level with or ahead of `b` in every domain; null when each is ahead somewhere. */
export function compareGtid(a: GtidPosition, b: GtidPosition): -1 | 0 | 1 | null {
  let ahead = false;
  let behind = false;
  for (const domain of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(domain) ?? 0;
    const y = b.get(domain) ?? 0;
    if (x > y) ahead = true;
    if (x < y) behind = true;
  }
  if (ahead && behind) return null;
  return ahead ? 1 : behind ? -1 : 0;
}

/** A replica the failover tool could promote. */
export interface Candidate {
  node: string;
  /** What it has received from the old primary (Gtid_IO_Pos), applied or not. */
  received: string;
  /** Whether it was replicating from the old primary (not broken, not pointed elsewhere). */
  replicating: boolean;
}

/**
 * The replica to promote: the most advanced by received position, so the fewest acknowledged
 * writes are given up; replicas still replicating from the old primary before ones whose
 * replication was broken; ties (and positions that are each ahead in some domain) go to the
 * greater total, then to the lowest node name, so the choice is deterministic. Null when there is
 * no candidate.
 */
export function choosePromotion(candidates: readonly Candidate[]): string | null {
  const ranked = candidates.map((c) => ({ ...c, position: parseGtidPosition(c.received) }));
  ranked.sort((a, b) => {
    if (a.replicating !== b.replicating) return a.replicating ? -1 : 1;
    const order = compareGtid(a.position, b.position);
    if (order !== null && order !== 0) return -order;
    const total = sum(b.position) - sum(a.position);
    if (total !== 0) return total;
    return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
  });
  return ranked[0]?.node ?? null;
}

const sum = (position: GtidPosition): number => [...position.values()].reduce((s, v) => s + v, 0);
