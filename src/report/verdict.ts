import { linearizableChecker } from '../checker/linearizable.js';
import { lostWritesChecker } from '../checker/lost-writes.js';
import type { PerfResult } from '../checker/perf.js';
import { staleReadsChecker } from '../checker/stale-reads.js';
import { type CheckerResult, mergeValidity, resultOf, type Validity } from '../checker/types.js';
import { CHECKERS } from '../checkers.js';
import type { Operation } from '../history/types.js';
import { describeEarlyStop, type EarlyStop } from '../run/disk.js';
import type { FaultSpan } from './faults.js';
import type { Checkpoint } from './json-fields.js';

/** What was tested, as test.json says, or as much as a bare history file tells. */
export interface RunMeta {
  title: string;
  store?: string;
  topology?: string;
  /** Store settings that change what clients see (isolation, server options ...), in a few words each. */
  settings?: string[];
  workload?: string;
  nemeses: string[];
  /** Seconds the clients ran (from the history when not configured). */
  durationS?: number;
  seed?: number;
  concurrency?: number;
  startedAt?: string;
  /** The command that reproduces this report. */
  command: string;
  interrupted?: boolean;
  /** Set when the results are a checkpoint's: the verdict covers the run's first part. */
  checkpoint?: Checkpoint;
  /** Set when the clients stopped before the time limit because the disk was nearly full. */
  stoppedEarly?: EarlyStop;
  /** Problems the nemesis reported (a fault that could not be injected ...). */
  nemesisErrors?: string[];
  /** The Docker host of each node, by node name, when the nodes were spread over a Swarm. */
  placement?: Readonly<Record<string, string>>;
}

export interface Verdict {
  valid: Validity;
  headline: string;
  /** What ran, in one sentence. */
  ran: string;
  /** What the checkers found. */
  found: string[];
  /** What it means, in CAP terms where the evidence allows. */
  meaning: string[];
}

const WRITE_FS = new Set(['write', 'cas', 'put', 'append', 'add', 'acquire', 'release']);

/** The verdict in plain words, for the top of the page. */
export function verdictOf(
  meta: RunMeta,
  checkers: Record<string, CheckerResult>,
  perf: PerfResult,
  spans: readonly FaultSpan[],
  writes: WriteAvailability,
): Verdict {
  const valid = mergeValidity(Object.values(checkers).map((c) => c.valid));
  const lin = resultOf(linearizableChecker, checkers);
  const stale = resultOf(staleReadsChecker, checkers);
  const lost = resultOf(lostWritesChecker, checkers);
  const faultKinds = [...new Set(spans.map((s) => s.kind))];
  const found: string[] = [];
  const meaning: string[] = [];

  found.push(
    `${perf.ops.toLocaleString('en')} operations: ${perf.counts.ok.toLocaleString('en')} ok, ` +
      `${perf.counts.fail.toLocaleString('en')} failed, ${perf.counts.info.toLocaleString('en')} indeterminate (timed out or never answered).`,
  );
  if (spans.length > 0) {
    const inside = pct(perf.availability.insideFaults.share);
    const outside = pct(perf.availability.outsideFaults.share);
    found.push(
      `${spans.length} fault window${spans.length === 1 ? '' : 's'} (${faultKinds.join(', ')}): ` +
        `${inside} of operations succeeded during faults, ${outside} outside them.`,
    );
  }
  for (const checker of CHECKERS) found.push(...checker.found(checkers));
  if (meta.checkpoint)
    found.push(
      `Checkpoint: this verdict covers the first ${meta.checkpoint.atS} s of the run ` +
        `(${meta.checkpoint.operations.toLocaleString('en')} operations); the run was still going, or was killed. ` +
        '`dscheck report` on the run folder checks everything it recorded.',
    );
  if (meta.interrupted)
    found.push('The run was interrupted: the verdict covers only what was recorded before.');
  if (meta.stoppedEarly) found.push(describeEarlyStop(meta.stoppedEarly, meta.durationS));
  for (const e of meta.nemesisErrors ?? []) found.push(`Nemesis problem: ${e}`);

  if (lin?.valid === false) {
    if (spans.length === 0) {
      meaning.push(
        'Even without injected faults, clients saw results that no single order of operations explains: ' +
          'the store is not linearizable in this configuration.',
      );
    } else {
      const stayedUp = (perf.availability.insideFaults.share ?? 0) >= 0.9;
      meaning.push(
        `Under ${faultKinds.join(' and ')}, this configuration gave up consistency: clients saw results ` +
          `no single up-to-date copy of the data could give.` +
          (stayedUp
            ? ` It kept answering during the faults (${pct(perf.availability.insideFaults.share)} succeeded): it chose availability over consistency (AP).`
            : ''),
      );
    }
  } else if (lin?.valid === true && spans.length > 0) {
    meaning.push(...consistentUnderFaults(perf, writes));
  } else if (lin?.valid === true) {
    meaning.push(
      'No faults were injected: this shows the store is linearizable in normal operation, not what it does when the network breaks.',
    );
  } else if (lin) {
    meaning.push(
      'The linearizability search gave up before reaching a verdict: this run proves nothing either way about consistency.',
    );
  } else if (lost?.lost.acknowledged) {
    meaning.push(
      'The store acknowledged writes and then lost them: a client told "done" cannot rely on its data being kept' +
        (spans.length > 0 ? ` under ${faultKinds.join(' and ')}.` : '.'),
    );
  } else if (!lost && !stale && Object.keys(checkers).every((name) => name === 'perf')) {
    meaning.push('No consistency checker ran: the page shows performance and availability only.');
  }

  const headline =
    valid === false
      ? lin?.valid === false
        ? 'Not linearizable: an anomaly was found'
        : 'Invalid: a checker found an anomaly'
      : valid === true
        ? lin
          ? 'Linearizable: no anomaly found'
          : 'No anomaly found'
        : 'Unknown: a checker gave up';
  return { valid, headline, ran: ranSentence(meta), found, meaning };
}

function ranSentence(meta: RunMeta): string {
  const parts: string[] = [];
  if (meta.store) parts.push(`${meta.store}${meta.topology ? ` (${meta.topology})` : ''}`);
  parts.push(...(meta.settings ?? []));
  if (meta.workload) parts.push(`workload ${meta.workload}`);
  parts.push(meta.nemeses.length > 0 ? `faults: ${meta.nemeses.join(', ')}` : 'no faults');
  if (meta.durationS !== undefined) parts.push(`${round1(meta.durationS)} s`);
  if (meta.concurrency !== undefined) parts.push(`${meta.concurrency} clients`);
  if (meta.seed !== undefined) parts.push(`seed ${meta.seed}`);
  if (meta.placement) {
    const nodes = Object.entries(meta.placement).map(([node, host]) => `${node} on ${host}`);
    parts.push(`nodes: ${nodes.join(', ')}`);
  }
  return parts.join(' · ');
}

export interface WriteAvailability {
  inside: { ops: number; ok: number };
  /** Writes during faults per node the client talked to. */
  byNode: Map<string, { ops: number; ok: number }>;
}

/** Writes invoked during the faults, one operation at a time: counts per node. */
export class WriteTally {
  readonly writes: WriteAvailability = { inside: { ops: 0, ok: 0 }, byNode: new Map() };

  constructor(private readonly spans: readonly FaultSpan[]) {}

  add(op: Operation): void {
    if (this.spans.length === 0 || !WRITE_FS.has(op.f)) return;
    if (!this.spans.some((s) => op.call >= s.start && op.call < s.end)) return;
    const ok = op.outcome === 'ok' ? 1 : 0;
    const { inside, byNode } = this.writes;
    inside.ops++;
    inside.ok += ok;
    if (op.node !== undefined) {
      const n = byNode.get(op.node) ?? { ops: 0, ok: 0 };
      n.ops++;
      n.ok += ok;
      byNode.set(op.node, n);
    }
  }
}

/** Linearizable with faults: did it stay available, or refuse to stay consistent? */
function consistentUnderFaults(perf: PerfResult, writes: WriteAvailability): string[] {
  const inside = perf.availability.insideFaults.share ?? 1;
  const outside = perf.availability.outsideFaults.share ?? 1;
  const refused = [...writes.byNode].filter(([, n]) => n.ops >= 3 && n.ok === 0).map(([node]) => node);
  const served = [...writes.byNode]
    .filter(([, n]) => n.ops >= 3 && n.ok / n.ops >= 0.5)
    .map(([node]) => node);
  if (refused.length > 0 && served.length > 0) {
    return [
      `During the faults, clients talking to ${refused.sort().join(', ')} had every write refused or timed out, ` +
        `while ${served.sort().join(', ')} kept accepting writes, and no result was inconsistent: ` +
        'this configuration chose consistency over availability (CP) on the cut-off side.',
    ];
  }
  if (writes.inside.ops > 0 && writes.inside.ok === 0) {
    return [
      'During the faults every write was refused or timed out, and no result was inconsistent: ' +
        'this configuration chose consistency over availability (CP).',
    ];
  }
  if (inside < outside - 0.1) {
    return [
      `During the faults ${pct(1 - inside)} of operations failed or timed out (${pct(1 - outside)} outside them), ` +
        'and no result was inconsistent: this configuration traded availability for consistency (CP).',
    ];
  }
  return [
    `It stayed available during the faults (${pct(inside)} of operations succeeded) and every result was ` +
      'linearizable: these faults did not force it to choose. A longer run, other faults or more keys may still.',
  ];
}

function pct(share: number | null): string {
  return share === null ? 'n/a' : `${(share * 100).toFixed(share > 0.999 || share < 0.001 ? 0 : 1)}%`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
