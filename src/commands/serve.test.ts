import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { serve } from './serve.js';

/** Runs `dscheck serve` until the first page has been fetched; returns what it printed and served. */
async function serveOnce(dir: string): Promise<{ printed: string; page: string }> {
  const out = new PassThrough();
  let printed = '';
  let stop = (): void => {};
  const until = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const url = new Promise<string>((resolve) => {
    out.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(printed);
      if (match) resolve(match[0]);
    });
  });
  const serving = serve(dir, { port: '0' }, out, until);
  const page = await (await fetch(await url)).text();
  stop();
  await serving;
  return { printed, page };
}

describe('dscheck serve', () => {
  it('prints a loopback URL and serves the regenerated runs list', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dscheck-serve-'));
    const { printed, page } = await serveOnce(root);
    expect(printed).toMatch(/^serving .* at http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl-C to stop\)\n$/);
    expect(page).toContain('dscheck runs');
  });

  it("never overwrites a page that is not the runs list (a run folder's report)", async () => {
    const run = mkdtempSync(join(tmpdir(), 'dscheck-serve-run-'));
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'test.json'), '{}');
    writeFileSync(join(run, 'index.html'), '<p>the run report</p>');
    const { page } = await serveOnce(run);
    expect(page).toBe('<p>the run report</p>');
    expect(readFileSync(join(run, 'index.html'), 'utf8')).toBe('<p>the run report</p>');
  });
});
