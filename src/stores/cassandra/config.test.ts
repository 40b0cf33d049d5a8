import { describe, expect, it } from 'vitest';
import { cassandraYaml, initialToken, serverTimeouts } from './config.js';
import { readLogEvents } from './readiness.js';

describe('initialToken', () => {
  it("spaces the nodes evenly over Murmur3's ring, the first at its start", () => {
    expect([0, 1, 2].map((i) => initialToken(i, 3))).toEqual([
      '-9223372036854775808',
      '-3074457345618258603',
      '3074457345618258602',
    ]);
    expect(initialToken(0, 1)).toBe('-9223372036854775808');
    const five = [0, 1, 2, 3, 4].map((i) => BigInt(initialToken(i, 5)));
    expect(new Set(five.slice(1).map((t, i) => t - five[i])).size).toBe(1);
  });
});

describe('cassandraYaml', () => {
  const yaml = cassandraYaml({
    ip: '10.1.0.3',
    index: 1,
    seeds: ['10.1.0.2', '10.1.0.3', '10.1.0.4'],
    durable: false,
    timeouts: serverTimeouts(1000),
  });

  it('has the fast-start settings: one fixed token, no bootstrap, every node a seed', () => {
    expect(yaml).toContain('num_tokens: 1\ninitial_token: -3074457345618258603\nauto_bootstrap: false\n');
    expect(yaml).toContain('- seeds: "10.1.0.2,10.1.0.3,10.1.0.4"');
    expect(yaml).not.toContain('allocate_tokens');
    expect(yaml).toContain('listen_address: 10.1.0.3\nrpc_address: 10.1.0.3\n');
  });

  it("keeps the server's timeouts below the client's, a Paxos round included", () => {
    const t = serverTimeouts(1000);
    expect(t.cas + t.write).toBeLessThan(1000);
    expect(yaml).toContain('write_request_timeout: 400ms');
    expect(yaml).toContain('cas_contention_timeout: 400ms');
  });

  it('syncs the commit log before each ack only when durable', () => {
    expect(yaml).toContain('commitlog_sync: periodic');
    expect(
      cassandraYaml({
        ip: '1.1.1.1',
        index: 0,
        seeds: ['1.1.1.1'],
        durable: true,
        timeouts: serverTimeouts(1000),
      }),
    ).toContain('commitlog_sync: batch');
  });
});

describe('readLogEvents', () => {
  const lines = [
    'INFO  [GossipStage:1] 2026-11-22 01:35:01,001 Gossiper.java:1400 - InetAddress /10.1.0.2:7000 is now UP',
    'INFO  [GossipStage:1] 2026-11-22 01:35:01,002 Gossiper.java:1400 - InetAddress /10.1.0.4:7000 is now UP',
    'INFO  [main] 2026-11-22 01:35:02,000 PipelineConfigurator.java:129 - Starting listening for CQL clients on /10.1.0.3:9042 (unencrypted)...',
    'INFO  [GossipTasks:1] 2026-11-22 01:35:09,000 Gossiper.java:1420 - InetAddress /10.1.0.4:7000 is now DOWN',
  ];

  it('serves CQL once the native transport listens; peers are up until marked down', () => {
    expect(readLogEvents(lines.slice(0, 2))).toEqual({ cql: false, up: new Set(['10.1.0.2', '10.1.0.4']) });
    expect(readLogEvents(lines)).toEqual({ cql: true, up: new Set(['10.1.0.2']) });
  });
});
