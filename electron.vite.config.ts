// electron-vite: the desktop app's three builds (STYLE §8). `npm run build:electron` builds all three.
//   main     electron/main/index.ts     -> dist/electron/main/index.cjs     (Node, CommonJS)
//   preload  electron/preload/index.ts  -> dist/electron/preload/index.cjs  (CommonJS: a sandboxed preload cannot be
//                                                                             an ES module; everything bundled in)
//   renderer renderer/vite.config.ts's own settings -> dist/renderer/ (the one renderer build the web host serves too)
// Only `electron` and Node's built-ins stay outside the main and preload bundles (zod, the workspace store and the
// contract are bundled), so they run from dist/ alone; the corpus packages are read from node_modules at run time.
// ELECTRON_VITE_SECTIONS=main,preload builds a subset (the launcher and the wiring test skip a fresh renderer).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type MainViteConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { listPythonFiles } from './engine/node/export/python-files';
import rendererConfig from './renderer/vite.config';

const root = import.meta.dirname;

/** The PyTorch export's Python sources (engine/node/export/python/: the entry scripts and the package switchhead/,
 *  subfolders kept), next to the main bundle: its PYTHON_DIR is `python/` beside the file it is bundled into
 *  (exportPyTorch, issue 11). */
function pythonSources(): Plugin {
  const dir = resolve(root, 'engine/node/export/python');
  return {
    name: 'switchhead:export-python',
    generateBundle() {
      for (const f of listPythonFiles(dir))
        this.emitFile({ type: 'asset', fileName: `python/${f}`, source: readFileSync(resolve(dir, f)) });
    },
  };
}

/** main and preload: one CommonJS file each, with a source map, nothing external but electron and node:*. */
function nodeBundle(entry: string, outDir: string): MainViteConfig {
  return {
    build: {
      outDir: resolve(root, outDir),
      emptyOutDir: true,
      externalizeDeps: false,
      sourcemap: true,
      lib: { entry: resolve(root, entry), formats: ['cjs'], fileName: () => 'index.cjs' },
    },
  };
}

const all = { main: true, preload: true, renderer: true };
const wanted = process.env.ELECTRON_VITE_SECTIONS
  ? Object.fromEntries(process.env.ELECTRON_VITE_SECTIONS.split(',').map((s) => [s.trim(), true]))
  : all;

export default defineConfig({
  main: wanted.main
    ? { ...nodeBundle('electron/main/index.ts', 'dist/electron/main'), plugins: [pythonSources()] }
    : undefined,
  preload: wanted.preload ? nodeBundle('electron/preload/index.ts', 'dist/electron/preload') : undefined,
  renderer: wanted.renderer
    ? {
        ...rendererConfig,
        build: {
          ...rendererConfig.build,
          minify: true, // as `vite build` does (electron-vite's own default is no minifying)
          // electron-vite 6 reads the entry from `rolldownOptions` (Vite 8's name) and copies it over `rollupOptions`
          // for Vite 7, whose types do not know the key yet.
          ...({ rolldownOptions: { input: resolve(root, 'renderer/index.html') } } as object),
        },
      }
    : undefined,
});
