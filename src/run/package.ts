import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dscheck package's root folder and version. Found by walking up from this module, because
 * the same code runs from src/ under the tests and from dist/src/ once built.
 */
export function packageInfo(): { root: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'dscheck') return { root: dir, version: pkg.version ?? '0.0.0' };
    } catch {
      // No package.json here: keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the dscheck package root');
    dir = parent;
  }
}
