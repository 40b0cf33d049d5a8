import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { refuseUnlessReady, type SwarmFinding } from './check.js';

describe('refusing a run on hosts that cannot carry it', () => {
  const ok: SwarmFinding = { host: 'ssh://db1', check: 'reachable', ok: true, detail: 'Docker 26.1.4' };

  it('lets a run through when every finding is good', () => {
    expect(() => refuseUnlessReady([ok])).not.toThrow();
  });

  it('names every failing host and what failed (exit 254)', () => {
    const findings: SwarmFinding[] = [
      ok,
      { host: 'ssh://db2', check: 'swarm', ok: false, detail: "not in a Swarm (state 'inactive')" },
      { host: 'tcp://db3:2376', check: 'iptables', ok: false, detail: 'iptables fails inside a container' },
    ];
    expect(() => refuseUnlessReady(findings)).toThrow(UsageError);
    expect(() => refuseUnlessReady(findings)).toThrow(
      /ssh:\/\/db2: swarm: not in a Swarm[\s\S]*tcp:\/\/db3:2376: iptables: iptables fails/,
    );
    expect(() => refuseUnlessReady(findings)).not.toThrow(/ssh:\/\/db1/);
  });
});
