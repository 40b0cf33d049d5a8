import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitError } from '../errors.js';
import { matrix } from './matrix.js';

/** Two short Redis runs: the smallest grid that still has faults, a verdict and a comparison. */
const TINY = `kind: matrix
name: tiny
title: Tiny Redis grid
explanation: Two short runs of a replicated Redis, with and without WAIT.
look-for: The second answers less during the partition.
common:
  store: redis
  time-limit: 10
  nemesis-interval: 3
  recovery: 1
  rate: 200
variants:
  - name: plain
    label: replicated
  - name: wait
    label: replicated + WAIT 1
    options:
      wait-replicas: 1
`;

const sink = () => {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
};

const rows = (html: string) => [...html.matchAll(/<tr data-run="\d+">/g)].length;

describe('dscheck matrix', () => {
  it('runs a small grid one run after the other and writes the comparison page', async () => {
    const work = mkdtempSync(join(tmpdir(), 'dscheck-matrix-'));
    const preset = join(work, 'tiny.yaml');
    writeFileSync(preset, TINY);
    const out = sink();
    const err = sink();
    // The verdicts are the stores' business; the grid's exit code is checked in unit tests.
    await matrix(preset, { out: join(work, 'reports'), seed: '5' }, out.stream, err.stream).catch((e) => {
      if (!(e instanceof ExitError) || ![1, 2].includes(e.code)) throw e;
    });
    const page = /comparison: (.+)\n/.exec(out.text())?.[1];
    expect(page).toBeDefined();
    const html = readFileSync(resolve(page ?? ''), 'utf8');
    expect(rows(html)).toBe(2);
    expect(html).toContain('replicated + WAIT 1');
    expect(html).toContain('--wait-replicas 1');
    expect(html).toContain('Two short runs of a replicated Redis');
    expect(html).toContain('dscheck matrix');
    const record = JSON.parse(readFileSync(join(resolve(page ?? ''), '..', 'matrix.json'), 'utf8'));
    expect(record.runs.map((r: { variant: string }) => r.variant)).toEqual(['plain', 'wait']);
    for (const run of record.runs) expect(existsSync(join(run.dir, 'index.html'))).toBe(true);
    expect(err.text()).toMatch(/\[matrix 2\/2 wait\] replicated \+ WAIT 1/);
  });

  it('on Ctrl-C keeps the finished run, stops the current one, writes the page and exits 130', async () => {
    const work = mkdtempSync(join(tmpdir(), 'dscheck-matrix-int-'));
    const preset = join(work, 'tiny.yaml');
    writeFileSync(preset, TINY);
    const child = spawn(
      process.execPath,
      [resolve('bin/dscheck.js'), 'matrix', preset, '--out', join(work, 'reports'), '--seed', '5'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // Interrupt once the second run has clients running.
    await new Promise<void>((done) => {
      child.stderr.on('data', (d) => {
        stderr += String(d);
        if (/\[2\/2 wait [^\]]*\] \[running\]/.test(stderr)) done();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const page = /comparison: (.+)\n/.exec(stdout)?.[1];
    expect(page).toBeDefined();
    const html = readFileSync(resolve(page ?? ''), 'utf8');
    expect(rows(html)).toBe(2);
    expect(html).toContain('(interrupted)');
    expect(stdout).toMatch(/wait: \w+, interrupted/);
  });
});
