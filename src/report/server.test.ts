import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportServer, startReportServer } from './server.js';

describe('the reports server', () => {
  let server: ReportServer;
  beforeAll(async () => {
    const outside = mkdtempSync(join(tmpdir(), 'dscheck-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    const root = mkdtempSync(join(tmpdir(), 'dscheck-served-'));
    mkdirSync(join(root, 'run1'));
    writeFileSync(join(root, 'run1', 'index.html'), '<p>run1</p>');
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'run1', 'secret.txt'));
    server = await startReportServer(root, 0);
  });
  afterAll(() => server.close());

  const get = (path: string) => fetch(new URL(path, server.url), { redirect: 'manual' });

  /** A request with the path exactly as given (fetch would normalise `//host/..`). */
  const rawGet = (path: string) =>
    new Promise<{ status?: number; location?: string }>((resolve, reject) => {
      const { port } = new URL(server.url);
      request({ host: '127.0.0.1', port, path }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, location: res.headers.location });
      })
        .on('error', reject)
        .end();
    });

  it('serves files inside the folder', async () => {
    expect(await (await get('/run1/')).text()).toBe('<p>run1</p>');
  });

  it('refuses symbolic links that lead out of the folder', async () => {
    expect((await get('/escape/secret.txt')).status).toBe(403);
    expect((await get('/run1/secret.txt')).status).toBe(403);
  });

  it('redirects a folder only to a path on the same server', async () => {
    for (const path of ['/%2F%2Fevil.example%2F..%2Frun1', '//evil.example/../run1', '/run1']) {
      const response = await rawGet(path);
      expect(response.status).toBe(301);
      expect(response.location).toBe('/run1/');
    }
  });
});
