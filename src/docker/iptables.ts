import type { Grudge } from '../nemesis/grudge.js';
import type { ClusterNode, Network } from '../stores/types.js';
import { execOk } from './exec.js';

/**
 * Network faults with iptables inside the node containers (Jepsen's net.clj): a grudge becomes
 * `-A INPUT -s <ip> -j DROP` on each grudging node, loss a `statistic` DROP rule, heal `-F INPUT`.
 * Only packets from other nodes are dropped by a partition: the host's bridge address (the
 * clients') is never named in a rule, so clients keep reaching every node.
 *
 * A node's whole INPUT chain is loaded in one `iptables-restore` (atomic, and one exec instead of
 * a flush plus appends: an exec costs about 100 ms here), on all nodes at once.
 */
export class IptablesNetwork implements Network {
  private readonly byName: ReadonlyMap<string, ClusterNode>;
  /** Loss in force per node: loading a grudge replaces the chain and must keep it. */
  private readonly lossByNode = new Map<string, number>();
  private grudge: Grudge = {};

  constructor(
    nodes: readonly ClusterNode[],
    private readonly timeoutMs = 10_000,
  ) {
    this.byName = new Map(nodes.map((n) => [n.name, n]));
  }

  async partition(grudge: Grudge): Promise<void> {
    for (const [node, dropped] of Object.entries(grudge)) for (const n of [node, ...dropped]) this.node(n);
    this.grudge = grudge;
    await this.forEachNode((node) => this.load(node));
  }

  /** Replaces any earlier loss: nodes not named here stop losing packets. Partitions stay. */
  async loss(nodes: readonly string[], probability: number): Promise<void> {
    if (!(probability >= 0 && probability <= 1))
      throw new RangeError(`loss probability ${probability} not in 0..1`);
    for (const n of nodes) this.node(n);
    this.lossByNode.clear();
    for (const n of nodes) this.lossByNode.set(n, probability);
    await this.forEachNode((node) => this.load(node));
  }

  async heal(): Promise<void> {
    this.grudge = {};
    this.lossByNode.clear();
    await this.forEachNode((node) => this.run(node, ['iptables', '-w', '-F', 'INPUT']));
  }

  private async load(node: ClusterNode): Promise<void> {
    const dropped = (this.grudge[node.name] ?? []).map((n) => this.node(n).ip);
    await execOk(node.containerId, ['iptables-restore'], {
      timeoutMs: this.timeoutMs,
      stdin: inputRuleset(dropped, this.lossByNode.get(node.name) ?? 0),
    });
  }

  private async forEachNode(change: (node: ClusterNode) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled([...this.byName.values()].map(change));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw failed[0].reason;
  }

  private async run(node: ClusterNode, argv: readonly string[]): Promise<void> {
    await execOk(node.containerId, argv, { timeoutMs: this.timeoutMs });
  }

  private node(name: string): ClusterNode {
    const node = this.byName.get(name);
    if (!node)
      throw new Error(`grudge names unknown node '${name}'; nodes: ${[...this.byName.keys()].join(', ')}`);
    return node;
  }
}

/** The filter table for one node: drop everything from `dropped`, and a share of the rest. */
export function inputRuleset(dropped: readonly string[], lossProbability: number): string {
  const rules = ['*filter', ':INPUT ACCEPT [0:0]', ...dropped.map((ip) => `-A INPUT -s ${ip} -j DROP`)];
  if (lossProbability > 0) {
    rules.push(`-A INPUT -m statistic --mode random --probability ${lossProbability} -j DROP`);
  }
  return `${[...rules, 'COMMIT'].join('\n')}\n`;
}
