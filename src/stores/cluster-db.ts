import type { DockerCluster } from '../docker/cluster.js';
import type { ClusterNode, HasNetwork, Network, Pausable } from './types.js';

/**
 * What every store's running cluster does alike, whatever the store: its nodes are the Docker
 * cluster's, its network faults are that cluster's iptables rules, and a pause freezes a node's
 * container. Each store's Db extends it with its own servers and clients.
 */
export abstract class ClusterDb<Options> implements HasNetwork, Pausable {
  constructor(
    protected readonly cluster: DockerCluster,
    protected readonly options: Options,
  ) {}

  get nodes(): readonly ClusterNode[] {
    return this.cluster.nodes;
  }

  /** The cluster's iptables rules: partitions and loss. */
  get network(): Network {
    return this.cluster.firewall;
  }

  async pause(node: string): Promise<void> {
    await this.cluster.pause(this.node(node).name);
  }

  async resume(node: string): Promise<void> {
    await this.cluster.resume(this.node(node).name);
  }

  protected node(name: string): ClusterNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}; nodes: ${this.nodes.map((n) => n.name).join(', ')}`);
    return node;
  }
}
