#!/usr/bin/env node
// Bundles the report pages' browser code (src/report/browser/) with esbuild into dist/browser/:
// page.js and compare.js, and sections/<name>.js per section script. The pages inline these
// files, so a report stays one self-contained file. `npm run build` runs this; so do the tests.
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'report', 'browser');

/** Where the bundles go; the report writer reads them from here. */
export const BROWSER_OUT = join(root, 'dist', 'browser');

/**
 * A section's bundle assigns its module to `dscheckSection`; the page wraps it in a function
 * and hands `dscheckSection.draw` to `dscheck.section`.
 */
export async function buildBrowser(outdir = BROWSER_OUT) {
  const common = {
    bundle: true,
    format: 'iife',
    // Plain ES2017 so any current browser runs the page from file://.
    target: 'es2017',
    platform: 'browser',
    charset: 'ascii',
    legalComments: 'none',
    logLevel: 'warning',
    outdir,
  };
  const sections = readdirSync(join(source, 'sections'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ in: join(source, 'sections', f), out: join('sections', basename(f, '.ts')) }));
  await Promise.all([
    build({ ...common, entryPoints: [join(source, 'page.ts'), join(source, 'compare.ts')] }),
    build({ ...common, entryPoints: sections, globalName: 'dscheckSection' }),
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildBrowser();

/** vitest's globalSetup: tests render pages from src/, with the browser code as it is now. */
export async function setup() {
  await buildBrowser();
}
