import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageInfo } from './run/package.js';

/**
 * What a user gets from npm: the packed tarball, installed globally into a temporary prefix and
 * run from another folder. Slow (npm installs the dependencies), so it is not in the quick loop.
 */
describe('the npm package', () => {
  const root = packageInfo().root;
  const work = mkdtempSync(join(tmpdir(), 'dscheck-pack-'));
  const prefix = join(work, 'prefix');
  const elsewhere = mkdtempSync(join(tmpdir(), 'dscheck-user-'));
  let tarball = '';
  let files: string[] = [];

  beforeAll(() => {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
    ) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, packed[0].filename);
    files = packed[0].files.map((f) => f.path);
    // --ignore-scripts: only ssh2's optional native speed-ups build at install; dscheck runs without them.
    execFileSync(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--ignore-scripts',
        tarball,
      ],
      {
        cwd: elsewhere,
        stdio: 'ignore',
      },
    );
    copyFileSync(join(root, '../shared/histories/porcupine/etcd/etcd_000.jsonl'), join(elsewhere, 'h.jsonl'));
  }, 300_000);

  const dscheck = (...args: string[]) =>
    spawnSync(join(prefix, 'bin', 'dscheck'), args, { cwd: elsewhere, encoding: 'utf8', timeout: 120_000 });

  it('ships the built CLI and the presets, and no tests, benchmarks or fixtures', () => {
    expect(files).toContain('dist/src/main.js');
    expect(files).toContain('workloads/register.yaml');
    expect(files).toContain('dist/browser/page.js');
    expect(files.filter((f) => /\.test\.|\/bench\/|\/testing\/|\.map$/.test(f))).toEqual([]);
  });

  it('runs from any folder: --version, check and report', () => {
    expect(dscheck('--version').stdout.trim()).toBe(packageInfo().version);
    const checked = dscheck('check', 'h.jsonl');
    expect(checked.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(checked.stdout).toMatch(/h\.jsonl/);
    expect([0, 1]).toContain(checked.status);
    const reported = dscheck('report', 'h.jsonl', '--out', 'page.html');
    expect([0, 1]).toContain(reported.status);
    expect(readdirSync(elsewhere)).toContain('page.html');
  });

  it('answers doctor without a stack trace, Docker or not', () => {
    const doctor = dscheck('doctor', '--json');
    expect(doctor.status).not.toBe(255);
    expect(() => JSON.parse(doctor.stdout)).not.toThrow();
  });
});
