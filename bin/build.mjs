#!/usr/bin/env node
// `npm run build`: transpiles src/ into dist/src/ with esbuild, one file per module as tsc would
// (no bundling, source maps beside), and bundles the report pages' browser code. Types are
// checked by `npm run typecheck` (part of `npm run lint`), not here: transpiling takes about a
// second where tsc takes about 18, and set-up is on the path to a user's first verdict.
// `dscheck check` is also bundled, commander included, into dist/check.js (bin/dscheck.js loads
// it for `check`): one module to read and compile instead of some sixty, which users feel when
// they check many small files, one process each.
import { readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildBrowser } from './build-browser.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every module under src/ that runs in Node: not tests, not the browser code. */
function nodeSources(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(root, path).split(sep).join('/');
    if (entry.isDirectory()) {
      if (rel !== 'src/report/browser') found.push(...nodeSources(path));
    } else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.d.ts') &&
      !entry.name.endsWith('.test.ts')
    ) {
      found.push(path);
    }
  }
  return found;
}

await Promise.all([
  buildBrowser(),
  build({
    entryPoints: nodeSources(join(root, 'src')),
    outdir: join(root, 'dist'),
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  }),
  build({
    entryPoints: [join(root, 'src/main-check.ts')],
    outfile: join(root, 'dist/check.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // commander is CommonJS: its require() calls of Node's modules need a require in ESM.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  }),
]);
