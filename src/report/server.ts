import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ndjson': 'application/x-ndjson; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.edn': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** `/a/b/` with each segment percent-encoded: a same-origin path whatever the folder names are. */
function folderUrl(relativePath: string): string {
  const segments = relativePath.split(sep).filter((s) => s !== '');
  return `/${segments.map(encodeURIComponent).join('/')}${segments.length > 0 ? '/' : ''}`;
}

export interface ReportServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a reports folder read-only on 127.0.0.1 (never another interface: reports hold whatever
 * the stores returned). Paths cannot leave the folder; a folder serves its index.html.
 */
export async function startReportServer(root: string, port = 0): Promise<ReportServer> {
  // Real paths on both sides: a symbolic link inside the folder that points out of it is refused.
  const base = await realpath(resolve(root));
  const inside = (file: string) => file === base || file.startsWith(base + sep);
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      let path: string;
      try {
        // The raw path, not `new URL(...)`: a request for `//host/x` would parse as another host.
        path = decodeURIComponent((req.url ?? '/').split(/[?#]/)[0]);
      } catch {
        res.writeHead(400).end('bad path');
        return;
      }
      if (!path.startsWith('/')) path = `/${path}`;
      let file = resolve(join(base, path));
      if (!inside(file) || path.includes('\0')) {
        res.writeHead(403).end('outside the reports folder');
        return;
      }
      let info = await stat(file).catch(() => undefined);
      if (info?.isDirectory()) {
        if (!path.endsWith('/')) {
          // Built from the resolved folder, never from the request: always a path on this server.
          res.writeHead(301, { location: `${folderUrl(relative(base, file))}` }).end();
          return;
        }
        file = join(file, 'index.html');
        info = await stat(file).catch(() => undefined);
      }
      const real = info ? await realpath(file).catch(() => undefined) : undefined;
      if (real !== undefined && !inside(real)) {
        res.writeHead(403).end('outside the reports folder');
        return;
      }
      if (!info?.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
