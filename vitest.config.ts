import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Bundles src/report/browser/ first: the pages the tests render inline it from dist/browser/.
    globalSetup: ['bin/build-browser.mjs'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    fileParallelism: true,
  },
});
