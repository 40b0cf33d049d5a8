/**
 * A grudge: for each node, the nodes whose packets it drops. Pure values; applying one is
 * src/nemesis/net.ts's job. Shapes follow Jepsen's nemesis.clj.
 */
export type Grudge = Readonly<Record<string, readonly string[]>>;
