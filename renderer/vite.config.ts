// The renderer bundle: root renderer/, output dist/renderer/ (index.html + assets), the tfjs wasm binaries copied to
// dist/renderer/wasm/ (the worker initialises tfjs with wasmPaths '/wasm/'), and the engine worker bundled as an ES
// module worker. Electron's CSP forbids unsafe-eval, so the build fails if any output chunk calls eval or new Function.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const wasmDir = join(repo, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const wasmFiles = () => readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'));

/** Copy tfjs-backend-wasm's binaries to <out>/wasm/ and serve them at /wasm/ from the dev server. */
function tfjsWasm(): Plugin {
  return {
    name: 'switchhead:tfjs-wasm',
    generateBundle() {
      for (const f of wasmFiles())
        this.emitFile({ type: 'asset', fileName: `wasm/${f}`, source: readFileSync(join(wasmDir, f)) });
    },
    configureServer(server) {
      server.middlewares.use('/wasm', (req, res, next) => {
        const name = (req.url ?? '').replace(/^\/+/, '').split('?')[0];
        if (!wasmFiles().includes(name)) return next();
        res.setHeader('content-type', 'application/wasm');
        res.end(readFileSync(join(wasmDir, name)));
      });
    },
  };
}

// `eval(` or `new Function(` as code (string contents like "evaluate(" do not match: a word boundary is required).
const EVAL = /(?<![\w$.])(eval|new\s+Function)\s*\(/;

/** Fail the build when an output chunk would need 'unsafe-eval' under the Electron CSP. */
function noEval(): Plugin {
  return {
    name: 'switchhead:no-eval',
    generateBundle(_options, bundle) {
      for (const [file, chunk] of Object.entries(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const m = EVAL.exec(chunk.code);
        if (m) {
          const at = chunk.code.slice(Math.max(0, m.index - 60), m.index + 60);
          this.error(`${file} calls ${m[1]}(...), which the app's CSP forbids: ...${at}...`);
        }
      }
    },
  };
}

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  plugins: [react(), tfjsWasm(), noEval()],
  worker: { format: 'es', plugins: () => [noEval()] },
  build: {
    outDir: join(repo, 'dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
  },
  server: { host: '127.0.0.1', headers: isolation, fs: { allow: [repo] } },
  preview: { host: '127.0.0.1', headers: isolation },
});
