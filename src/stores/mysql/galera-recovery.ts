/**
 * Recovering a Galera cluster after every node crashed (a power loss), as MariaDB's documentation
 * tells an operator to: no node is running, so none can be joined and the cluster must be
 * bootstrapped again, from the node that committed the most. Bootstrapping from another node would
 * throw away the transactions only the most advanced one has.
 *
 * 1. On every node, read grastate.dat. A clean shutdown leaves the last committed seqno there; a
 *    crash leaves seqno -1, and `mariadbd --wsrep-recover` reads the position from InnoDB's log.
 * 2. The node with the highest seqno bootstraps: `safe_to_bootstrap: 1` in its grastate.dat (Galera
 *    refuses to bootstrap a node that was not the last to leave otherwise), then
 *    `mariadbd --wsrep-new-cluster`.
 * 3. The others start normally and join it (IST from its gcache, or a full SST).
 *
 * Every server starts with `--wsrep_start_position` = its recovered position, as MariaDB's own
 * galera_recovery script passes it. This file holds the pure steps; db.ts runs them.
 */

/** A node's replication position: the cluster's state UUID and the last committed seqno (-1: unknown). */
export interface GaleraPosition {
  uuid: string;
  seqno: number;
}

/** The fields of grastate.dat that recovery needs; null when the file has no state UUID. */
export function parseGrastate(text: string): (GaleraPosition & { safeToBootstrap: boolean }) | null {
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1];
  const uuid = field('uuid');
  const seqno = Number(field('seqno'));
  if (uuid === undefined || !Number.isInteger(seqno)) return null;
  return { uuid, seqno, safeToBootstrap: field('safe_to_bootstrap') === '1' };
}

/** The position `mariadbd --wsrep-recover` writes to its log ("WSREP: Recovered position: uuid:seqno"). */
export function parseRecoveredPosition(log: string): GaleraPosition | null {
  const matches = [...log.matchAll(/WSREP: Recovered position:\s*([0-9a-f-]{36}):(-?\d+)/g)];
  const last = matches.at(-1);
  return last ? { uuid: last[1], seqno: Number(last[2]) } : null;
}

/**
 * The node to bootstrap from: the highest seqno; on a tie the first by name, so the same history
 * gives the same choice. Null when no node knows its position.
 */
export function chooseBootstrap(positions: Readonly<Record<string, GaleraPosition | null>>): string | null {
  let best: { node: string; seqno: number } | null = null;
  for (const node of Object.keys(positions).sort()) {
    const seqno = positions[node]?.seqno;
    if (seqno === undefined || seqno < 0) continue;
    if (best === null || seqno > best.seqno) best = { node, seqno };
  }
  return best?.node ?? null;
}

/** grastate.dat with `safe_to_bootstrap: 1`. */
export function markSafeToBootstrap(text: string): string {
  return /^safe_to_bootstrap:/m.test(text)
    ? text.replace(/^safe_to_bootstrap:.*$/m, 'safe_to_bootstrap: 1')
    : `${text.trimEnd()}\nsafe_to_bootstrap: 1\n`;
}
