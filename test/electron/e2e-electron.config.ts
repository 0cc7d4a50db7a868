// The browser end-to-end tests (test/e2e/*.test.ts) with the ELECTRON Platform instead of the web one, the test
// files unchanged: their `./harness` import is answered with test/electron/preload-harness.ts (the built desktop
// main process with the real workspace store, the built preload in the page). Run:
//   npx vitest run --config test/electron/e2e-electron.config.ts [test/e2e/notebook.test.ts ...]
// Screenshots go to test-artifacts/screenshots/ as with the web harness (same names: run one harness at a time).
import { resolve } from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config';

const here = import.meta.dirname;
const e2eDir = resolve(here, '../e2e');
const preloadHarness = resolve(here, 'preload-harness.ts');

const config = mergeConfig(
  base,
  defineConfig({
    plugins: [
      {
        name: 'switchhead:e2e-electron-harness',
        enforce: 'pre',
        resolveId(source, importer) {
          if (source === './harness' && importer && resolve(importer, '..') === e2eDir) return preloadHarness;
          return null;
        },
      },
    ],
  }),
);
config.test!.include = ['test/e2e/**/*.test.ts']; // replaced, not added to the base's (mergeConfig concatenates)

export default config;
