import { describe, expect, it } from 'vitest';
import { type ServerConfigOptions, serverConfig, tableNames } from './config.js';

const base: ServerConfigOptions = {
  topology: 'async',
  serverId: 2,
  nodeName: 'n2',
  nodeIp: '10.1.0.3',
  clusterIps: ['10.1.0.2', '10.1.0.3', '10.1.0.4'],
  readOnly: true,
  semiSyncTimeoutMs: 2000,
};

const settings = (text: string) => text.split('\n').filter((l) => l !== '');

describe('serverConfig', () => {
  it('async: durable, GTID-ready binary log, read-only, no semi-sync, no Galera', () => {
    const lines = settings(serverConfig(base));
    expect(lines[0]).toBe('[mysqld]');
    expect(lines).toEqual(
      expect.arrayContaining([
        'server_id=2',
        'innodb_flush_log_at_trx_commit=1',
        'sync_binlog=1',
        'log_slave_updates=ON',
        'gtid_strict_mode=ON',
        'read_only=1',
        'general_log=OFF',
      ]),
    );
    expect(lines.some((l) => l.startsWith('rpl_semi_sync'))).toBe(false);
    expect(lines.some((l) => l.startsWith('wsrep'))).toBe(false);
  });

  it('semisync: both sides enabled on every node, with the fallback timeout', () => {
    const lines = settings(serverConfig({ ...base, topology: 'semisync', semiSyncTimeoutMs: 1500 }));
    expect(lines).toEqual(
      expect.arrayContaining([
        'rpl_semi_sync_master_enabled=ON',
        'rpl_semi_sync_slave_enabled=ON',
        'rpl_semi_sync_master_timeout=1500',
      ]),
    );
  });

  it('galera: provider, every node in the cluster address, rsync state transfer, no binary log', () => {
    const lines = settings(serverConfig({ ...base, topology: 'galera', readOnly: false }));
    expect(lines).toEqual(
      expect.arrayContaining([
        'wsrep_on=ON',
        'wsrep_provider=/usr/lib/galera/libgalera_smm.so',
        'wsrep_cluster_address=gcomm://10.1.0.2,10.1.0.3,10.1.0.4',
        'wsrep_node_address=10.1.0.3',
        'wsrep_sst_method=rsync',
        'binlog_format=ROW',
        'innodb_flush_log_at_trx_commit=1',
      ]),
    );
    expect(lines.some((l) => l.startsWith('log_bin') || l.startsWith('read_only'))).toBe(false);
  });
});

describe('tableNames', () => {
  it('makes SQL identifiers of a run id', () => {
    expect(tableNames('20261122T013635Z-4f2a9c')).toEqual({
      registers: 'registers_20261122t013635z_4f2a9c',
      sets: 'sets_20261122t013635z_4f2a9c',
      lists: 'lists_20261122t013635z_4f2a9c',
    });
    expect(tableNames('x'.repeat(100)).registers.length).toBeLessThanOrEqual(64);
  });
});
