import { linearizableChecker } from '../../checker/linearizable.js';
import { lostWritesChecker } from '../../checker/lost-writes.js';
import type { SideAvailability } from '../../checker/perf.js';
import { staleReadsChecker } from '../../checker/stale-reads.js';
import { digestOf } from '../../checker/types.js';
import { duration, percent as pct } from '../../checker/words.js';
import type { CompareRun } from './data.js';

/** Where a run landed in CAP terms, as the measurements show it (not as the vendor claims). */
export type CapChoice =
  | 'availability'
  | 'consistency'
  | 'neither'
  | 'not forced'
  | 'no faults'
  | 'not judged';

export interface Reading {
  choice: CapChoice;
  /** P(artition): what it did while faults were active, in plain words with the numbers. */
  cap: string;
  /** E(lse): latency in healthy periods, compared with the other runs on the page. */
  pacelc: string;
}

/** A run answering at least this share during faults counts as having stayed available. */
const AVAILABLE = 0.9;
/** Writes a node must have seen during faults before its refusals count as a pattern. */
const MIN_WRITES = 3;

type Measured = Pick<
  CompareRun,
  | 'faultKinds'
  | 'answeredInside'
  | 'answeredOutside'
  | 'checks'
  | 'faultWrites'
  | 'healthyLatencyMs'
  | 'label'
  | 'clientTime'
  | 'firstFailure'
  | 'store'
> &
  Partial<Pick<CompareRun, 'sides' | 'settings'>>;

/**
 * Below this share of its clients' time served, a side of a fault counts as refused. A side served
 * half its time did not refuse (Sentinel + WAIT's old primary, recorded: 48%, reads answered, writes
 * timing out), so its anomalies are not the other side's; QUORUM's and SERIAL's cut-off node,
 * recorded: 0% and 2%.
 */
const REFUSED = 0.1;

/**
 * Reads each run in CAP and PACELC terms from its numbers. The "else" side compares healthy-period
 * p99 latency with the fastest run on the page, so it needs all of them. Pure.
 */
export function readRuns(runs: readonly Measured[]): Reading[] {
  const fastest = runs
    .filter((r) => r.healthyLatencyMs !== undefined)
    .reduce<Measured | undefined>(
      (best, r) =>
        best?.healthyLatencyMs && r.healthyLatencyMs && best.healthyLatencyMs.p99 <= r.healthyLatencyMs.p99
          ? best
          : r,
      undefined,
    );
  return runs.map((run) => {
    const { choice, cap } = capReading(run);
    return { choice, cap, pacelc: elseReading(run, runs.length > 1 ? fastest : undefined) };
  });
}

/** The CAP side of one run. */
export function capReading(run: Measured): { choice: CapChoice; cap: string } {
  const faults = run.faultKinds.length > 0 ? run.faultKinds.join(' and ') : '';
  const during = faults ? `during the ${faults}` : '';
  const inside = run.answeredInside;
  const { duringFaults: anomalies, healthy } = anomalyWords(run);
  const separately = healthy ? `; separately, ${healthy}` : '';
  const noAnomaly = healthy ? 'no anomaly during the faults' : 'no anomaly found';
  const judged =
    digestOf(linearizableChecker, run.checks)?.valid === true ||
    digestOf(linearizableChecker, run.checks)?.valid === false ||
    digestOf(staleReadsChecker, run.checks) !== undefined ||
    (digestOf(lostWritesChecker, run.checks) ?? { valid: 'unknown' }).valid !== 'unknown';
  if (!faults || inside === null) {
    const all = [...anomalies, ...(healthy ? [healthy] : [])];
    return {
      choice: 'no faults',
      cap: `no fault was active: CAP does not apply${all.length > 0 ? `, yet ${all.join('; ')}` : ''}`,
    };
  }
  const sides = run.sides ?? [];
  const cutOff = sides.find((s) => s.side === 'minority' || s.side === 'faulted');
  const rest = sides.find((s) => s.side === 'majority' || s.side === 'others');
  const timeShare = run.clientTime?.insideFaults.share ?? null;
  const answeredWords = `answered ${pct(inside)} ${during}${timeShare === null ? '' : ` (${pct(timeShare)} of client time)`}`;
  const sideWords = cutOff ? sidesWords(cutOff, rest) : '';
  const cutOffServed = cutOff?.clientTime.share ?? cutOff?.answeredShare ?? null;
  if (cutOff && cutOffServed !== null && cutOffServed < REFUSED) {
    // The cut-off side answered nothing, so it returned nothing wrong: anomalies came from the side
    // that kept a quorum (a cas under last-write-wins ...), beside the choice, unless writes were lost.
    const lost = anomalies.filter((a) => a.startsWith('lost '));
    if (lost.length > 0) {
      return {
        choice: 'neither',
        cap: `gave up both: ${sideWords} ${during}, and still ${anomalies.join('; ')}${separately}`,
      };
    }
    const apart = [
      ...anomalies.map((a) => `${a} on the ${rest?.side ?? 'other'} side`),
      ...(healthy ? [healthy] : []),
    ];
    return {
      choice: 'consistency',
      cap: `chose consistency on the ${cutOff.side} side: ${sideWords} ${during}; ${apart.length > 0 ? `separately, ${apart.join('; ')}${healthy ? '' : casCause(run)}` : 'no anomaly found'}`,
    };
  }
  const served = cutOffServed ?? timeShare ?? inside;
  if (anomalies.length > 0) {
    return served >= AVAILABLE
      ? {
          choice: 'availability',
          cap: `chose availability: answered ${pct(inside)} ${during}, ${anomalies.join('; ')}${separately}${cutOff ? `; ${sideWords}` : ''}`,
        }
      : {
          choice: 'neither',
          cap: `gave up both: answered only ${pct(inside)} ${during} and still ${anomalies.join('; ')}${separately}`,
        };
  }
  if (!judged) {
    return {
      choice: 'not judged',
      cap: `${answeredWords}; no consistency checker reached a verdict, so the choice cannot be told`,
    };
  }
  const refused = run.faultWrites.filter((n) => n.ops >= MIN_WRITES && n.ok === 0);
  const accepting = run.faultWrites.filter((n) => n.ops >= MIN_WRITES && n.ok / n.ops >= 0.5);
  if (refused.length > 0) {
    const side =
      accepting.length > 0 ? ` while ${accepting.map((n) => n.node).join(', ')} kept accepting them` : '';
    const who = refused.map((n) => n.node).join(', ');
    return {
      choice: 'consistency',
      cap: `chose consistency: clients of ${who} had 100% of writes refused or timed out ${during}${side}; ${noAnomaly}${separately}`,
    };
  }
  const outside = run.answeredOutside ?? 1;
  if (inside < Math.min(AVAILABLE, outside - 0.05)) {
    return {
      choice: 'consistency',
      cap: `chose consistency: answered only ${pct(inside)} ${during} (${pct(outside)} outside), ${noAnomaly}${separately}`,
    };
  }
  if (healthy) {
    return { choice: 'not forced', cap: `${answeredWords}; ${healthy}, so the faults did not decide it` };
  }
  return {
    choice: 'not forced',
    cap: `${answeredWords} with no anomaly: these faults did not force a choice`,
  };
}

/** "the minority side (n1) got answers in 0% of its clients' time (0 of 40 operations), the majority side in 99%". */
function sidesWords(cutOff: SideAvailability, rest: SideAvailability | undefined): string {
  const time = (s: SideAvailability) =>
    s.clientTime.share === null ? pct(s.answeredShare ?? 0) : pct(s.clientTime.share);
  const head = `the ${cutOff.side} side (${cutOff.nodes.join(', ')}) got answers in ${time(cutOff)} of its clients' time (${cutOff.answered.toLocaleString('en')} of ${cutOff.ops.toLocaleString('en')} operations answered)`;
  return rest ? `${head}, the ${rest.side} side in ${time(rest)}` : head;
}

/**
 * The anomalies a run showed, each in a few words with its size: those that came with the faults,
 * and a linearizability failure that already happened in a healthy period (the faults did not cause it).
 */
function anomalyWords(run: Measured): { duringFaults: string[]; healthy?: string } {
  const words: string[] = [];
  const stale = digestOf(staleReadsChecker, run.checks);
  if (stale && stale.stale > 0) {
    words.push(
      `${pct(stale.share ?? 0)} of reads stale${stale.maxMs === null ? '' : ` by up to ${duration(stale.maxMs)}`}`,
    );
  }
  const lost = digestOf(lostWritesChecker, run.checks);
  if (lost && lost.acknowledged > 0) {
    words.push(
      `lost ${lost.acknowledged.toLocaleString('en')} of ${lost.acked.toLocaleString('en')} acknowledged writes`,
    );
  }
  const lin = digestOf(linearizableChecker, run.checks);
  if (lin?.valid !== false) return { duringFaults: words };
  const notLinearizable = `not linearizable on ${lin.failingKeys} of ${lin.keys} key${lin.keys === 1 ? '' : 's'}`;
  if (run.firstFailure === undefined || run.firstFailure.duringFault) {
    return { duringFaults: [...words, notLinearizable] };
  }
  return {
    duringFaults: words,
    healthy: `${notLinearizable} also without faults (first failure at ${run.firstFailure.at} s, in a healthy period)${casCause(run)}`,
  };
}

/** Cassandra's cas without lightweight transactions reads, then writes: two clients can both win. */
function casCause(run: Measured): string {
  const lin = digestOf(linearizableChecker, run.checks);
  return lin?.valid === false &&
    run.store === 'cassandra' &&
    !(run.settings ?? []).includes('lightweight transactions')
    ? ' (read-then-write cas under last-write-wins)'
    : '';
}

/**
 * The page's closing sentence for a CAP lesson: each run's choice with the numbers that decided it
 * (how much its cut-off side was served, what went wrong), then the healthy p99 of each: the two
 * halves of PACELC side by side.
 */
export function capClosing(runs: readonly Measured[], readings: readonly Reading[]): string {
  if (runs.length === 0) return '';
  const each = runs
    .map((run, i) => {
      const cutOff = (run.sides ?? []).find((s) => s.side === 'minority' || s.side === 'faulted');
      const served = cutOff?.clientTime.share ?? cutOff?.answeredShare;
      const evidence = [
        served == null ? undefined : `${cutOff?.side} side served ${pct(served)} of its time`,
        ...anomalyWords(run).duringFaults,
      ].filter((w): w is string => w !== undefined);
      const choice = readings[i]?.choice ?? 'not judged';
      const chose =
        choice === 'availability' || choice === 'consistency'
          ? `chose ${choice}`
          : choice === 'neither'
            ? 'gave up both'
            : choice;
      return `${run.label} ${chose}${evidence.length > 0 ? ` (${evidence.join('; ')})` : ''}`;
    })
    .join('; ');
  const p99 = runs
    .filter((r) => r.healthyLatencyMs !== undefined)
    .map((r) => `${r.label} ${duration(r.healthyLatencyMs?.p99 ?? 0)}`);
  return `${each}.${p99.length > 1 ? ` Healthy p99: ${p99.join(', ')}.` : ''}`;
}

function elseReading(run: Measured, fastest: Measured | undefined): string {
  const h = run.healthyLatencyMs;
  if (!h) return 'else: no operation outside the faults to measure latency on';
  const base = `else (healthy periods): p50 ${duration(h.p50)}, p99 ${duration(h.p99)}`;
  const best = fastest?.healthyLatencyMs;
  if (!best || best.p99 <= 0) return base;
  if (fastest === run) return `${base}, the fastest here`;
  const ratio = h.p99 / best.p99;
  if (ratio < 1.2) return `${base}, about as fast as the fastest here`;
  return `${base}, ${ratio.toFixed(1)}× the p99 of ${fastest.label}`;
}

export { duration, pct };
