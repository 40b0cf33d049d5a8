import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { packageInfo } from '../run/package.js';
import type { BrowserScripts } from './page.js';

/** Reads the bundles from the package's dist/browser/ (built by `npm run build`). */
export async function readBrowserScripts(): Promise<BrowserScripts> {
  const dir = join(packageInfo().root, 'dist', 'browser');
  if (!existsSync(join(dir, 'page.js'))) {
    throw new Error(`the report's browser code is not built (no ${dir}/page.js): run npm run build`);
  }
  const sectionFiles = readdirSync(join(dir, 'sections')).filter((f) => f.endsWith('.js'));
  const [page, compare, ...sections] = await Promise.all([
    readFile(join(dir, 'page.js'), 'utf8'),
    readFile(join(dir, 'compare.js'), 'utf8'),
    ...sectionFiles.map((f) => readFile(join(dir, 'sections', f), 'utf8')),
  ]);
  return {
    page,
    compare,
    sections: Object.fromEntries(sectionFiles.map((f, i) => [basename(f, '.js'), sections[i]])),
  };
}
