import { describe, expect, it } from 'vitest';
import { runSettings } from './settings.js';

describe('runSettings', () => {
  it("names the isolation level and the server options from test.json, after the store's own", () => {
    expect(
      runSettings(
        {
          isolation: 'serializable',
          serverOptions: ['innodb_flush_log_at_trx_commit=2', 'wsrep_sync_wait=0'],
        },
        { readFrom: 'replicas' },
      ),
    ).toEqual([
      'reads from replicas',
      'isolation serializable',
      'server: innodb_flush_log_at_trx_commit=2, wsrep_sync_wait=0',
    ]);
  });

  it('says nothing for defaults, and reads older test.json files without the new fields', () => {
    expect(runSettings({ serverOptions: [] }, { readFrom: 'primary' })).toEqual([]);
    expect(runSettings({}, {})).toEqual([]);
  });
});
