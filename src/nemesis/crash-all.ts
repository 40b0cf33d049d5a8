import { UsageError } from '../errors.js';
import { isCrashRecoverable, isKillable } from '../stores/types.js';
import { NEMESIS_FS } from './events.js';
import { type Fault, type FaultOptions, nodeNames } from './fault.js';

/**
 * A power loss: SIGKILL every node's server at once (all kills sent together, done within about a
 * second), so no node outlives the others to hand its state on. At the end of the faulty period
 * the cluster is brought back as its operator would (`CrashRecoverable`: Galera bootstraps from
 * its most advanced node), or every node restarts together. What survives the crash is what each
 * node had flushed: with relaxed flushing (`--server-option innodb_flush_log_at_trx_commit=2`)
 * acknowledged commits may be gone.
 */
export function crashAllFault(options: FaultOptions): Fault {
  const { db } = options;
  if (!isKillable(db)) throw new UsageError(`store ${db.store} cannot kill nodes`);
  const nodes = nodeNames(db);
  return {
    kind: 'crash-all',
    startF: NEMESIS_FS['crash-all'].start,
    stopF: NEMESIS_FS['crash-all'].stop,
    async start() {
      const began = performance.now();
      await Promise.all(nodes.map((node) => db.kill(node)));
      // The kills are sent together; this is until every server was seen gone (slower on a busy host).
      return { nodes, allDeadAfterMs: Math.round(performance.now() - began) };
    },
    async stop() {
      if (isCrashRecoverable(db)) return await db.recoverAll();
      await Promise.all(nodes.map((node) => db.restart(node)));
      return { nodes };
    },
  };
}
