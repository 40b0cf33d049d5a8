import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { cassandraYaml, serverTimeouts } from './cassandra/config.js';
import { serverConfig as mysqlConfig } from './mysql/config.js';
import { serverConfig as redisConfig } from './redis/config.js';
import { blamedOption, parseServerOption, serverOptionPairs } from './server-options.js';

const flag = '--server-option';

describe('--server-option', () => {
  it('takes NAME=VALUE, spaces around = dropped, values with = or spaces kept', () => {
    expect(parseServerOption(' innodb_flush_log_at_trx_commit = 2 ', flag)).toBe(
      'innodb_flush_log_at_trx_commit=2',
    );
    expect(parseServerOption('wsrep_provider_options=gcache.size=128M; pc.ignore_sb=true', flag)).toBe(
      'wsrep_provider_options=gcache.size=128M; pc.ignore_sb=true',
    );
    expect(serverOptionPairs(['save=900 1'])).toEqual([{ name: 'save', value: '900 1' }]);
  });

  it.each(['no-equals', '=2', '9lives=1', 'a b=1', 'x=', 'x=1\ny=2', '[mysqld]=1'])('refuses %j', (text) => {
    expect(() => parseServerOption(text, flag)).toThrow(UsageError);
    expect(() => parseServerOption(text, flag)).toThrow(flag);
  });

  it("blames the option a server's error names, in either spelling", () => {
    const options = serverOptionPairs(['sync_binlog=0', 'innodb_no_such=1']);
    expect(blamedOption("mariadbd: unknown variable 'innodb-no-such=1'", options)?.name).toBe(
      'innodb_no_such',
    );
    expect(blamedOption('InnoDB: cannot allocate memory', options)).toBeUndefined();
  });

  it("goes last into each store's configuration, so it wins over dscheck's own line", () => {
    const options = serverOptionPairs(['innodb_flush_log_at_trx_commit=2', 'wsrep_sync_wait=0']);
    const mycnf = mysqlConfig({
      topology: 'galera',
      serverId: 1,
      nodeName: 'n1',
      nodeIp: '10.1.0.2',
      clusterIps: ['10.1.0.2', '10.1.0.3', '10.1.0.4'],
      readOnly: false,
      semiSyncTimeoutMs: 2000,
      serverOptions: options,
    });
    expect(mycnf.trimEnd().split('\n').slice(-2)).toEqual([
      'innodb_flush_log_at_trx_commit=2',
      'wsrep_sync_wait=0',
    ]);
    expect(mycnf).toContain('innodb_flush_log_at_trx_commit=1\n');

    const conf = redisConfig({ durable: false, serverOptions: serverOptionPairs(['appendfsync=everysec']) });
    expect(conf.trimEnd().split('\n').at(-1)).toBe('appendfsync everysec');

    const yaml = cassandraYaml({
      ip: '10.1.0.2',
      index: 0,
      seeds: ['10.1.0.2'],
      durable: false,
      timeouts: serverTimeouts(1000),
      serverOptions: serverOptionPairs(['commitlog_sync=batch', 'concurrent_writes=64']),
    });
    // A top-level key appears once: dscheck's line for it is replaced, not duplicated.
    expect(yaml.match(/^commitlog_sync:/gm)).toHaveLength(1);
    expect(yaml).toContain('commitlog_sync: batch\nconcurrent_writes: 64\n');
  });
});
