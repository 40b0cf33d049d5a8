import type { Grudge } from '../nemesis/grudge.js';
import type { ClusterNode, Network } from '../stores/types.js';
import { execOk, type ResidentProcess, startResident } from './exec.js';
import { debug, errorText } from './log.js';

/**
 * The firewall's resident shell in each node: reads a ruleset per line (its lines joined by '|'),
 * loads it with iptables-restore, answers `exit <code> <output>`. Values arrive on standard input
 * and are only ever printed (`printf %s`), never read as shell syntax.
 */
const LOADER = [
  'sh',
  '-c',
  String.raw`while IFS= read -r rules; do
  out=$(printf '%s\n' "$rules" | tr '|' '\n' | iptables-restore 2>&1)
  code=$?
  printf 'exit %s %s\n' "$code" "$(printf '%s' "$out" | tr '\n' ' ')"
done`,
] as const;

/**
 * Network faults with iptables inside the node containers (Jepsen's net.clj): a grudge becomes
 * `-A INPUT -s <ip> -j DROP` on each grudging node, loss a `statistic` DROP rule, heal an empty chain.
 * Only packets from other nodes are dropped by a partition: the host's bridge address (the
 * clients') is never named in a rule, so clients keep reaching every node.
 *
 * A node's whole INPUT chain is loaded in one `iptables-restore` (atomic), on all nodes at once,
 * by a resident loader started in each node with the firewall: a fault is then one line written to
 * each node, not an exec (an exec costs 100 ms or more on a busy engine, most of it starting the
 * process). A node whose loader is gone, or that is paused (its loader would answer only once
 * resumed, and late), gets an exec as before.
 */
export class IptablesNetwork implements Network {
  private readonly byName: ReadonlyMap<string, ClusterNode>;
  /** Loss in force per node: loading a grudge replaces the chain and must keep it. */
  private readonly lossByNode = new Map<string, number>();
  private grudge: Grudge = {};

  private readonly loaders = new Map<string, Promise<ResidentProcess | undefined>>();

  constructor(
    nodes: readonly ClusterNode[],
    private readonly timeoutMs = 10_000,
    private readonly isPaused: (node: string) => boolean = () => false,
  ) {
    this.byName = new Map(nodes.map((n) => [n.name, n]));
  }

  /** Starts the loaders now, so that the first fault does not pay for them. */
  warm(): void {
    for (const node of this.byName.values()) void this.loader(node);
  }

  /** Stops the loaders (removing the containers would end them too). */
  async close(): Promise<void> {
    const loaders = await Promise.all(this.loaders.values());
    for (const loader of loaders) loader?.close();
    this.loaders.clear();
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
    await this.forEachNode((node) => this.load(node));
  }

  private async load(node: ClusterNode): Promise<void> {
    const dropped = (this.grudge[node.name] ?? []).map((n) => this.node(n).ip);
    const ruleset = inputRuleset(dropped, this.lossByNode.get(node.name) ?? 0);
    const loader = this.isPaused(node.name) ? undefined : await this.loader(node);
    if (loader && !loader.broken) {
      let answer: string | undefined;
      try {
        answer = await loader.request(ruleset.trimEnd().split('\n').join('|'), this.timeoutMs);
      } catch (err) {
        debug(`firewall loader of ${node.name}: ${errorText(err)}; using an exec`);
      }
      if (answer !== undefined) {
        const [, code, output] = /^exit (\d+) ?(.*)$/.exec(answer) ?? [];
        if (code === '0') return;
        throw new Error(
          `iptables-restore on ${node.name} failed (${code ?? 'no exit code'}): ${output ?? answer}`,
        );
      }
    }
    await execOk(node.containerId, ['iptables-restore'], { timeoutMs: this.timeoutMs, stdin: ruleset });
  }

  /** The node's loader, started on first use and again after it ended; undefined if it cannot start. */
  private loader(node: ClusterNode): Promise<ResidentProcess | undefined> {
    const current = this.loaders.get(node.name);
    const started =
      current ??
      startResident(node.containerId, LOADER).catch((err: unknown) => {
        debug(`firewall loader of ${node.name} did not start: ${errorText(err)}`);
        this.loaders.delete(node.name);
        return undefined;
      });
    this.loaders.set(node.name, started);
    return started.then((loader) => {
      if (loader?.broken && this.loaders.get(node.name) === started) this.loaders.delete(node.name);
      return loader;
    });
  }

  private async forEachNode(change: (node: ClusterNode) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled([...this.byName.values()].map(change));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw failed[0].reason;
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
