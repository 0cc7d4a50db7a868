// DESIGN §1, checked: the compiler refuses Node and the DOM in the engine core (tsconfig.engine.json), ESLint refuses
// imports across rooms that the table does not allow (eslint.config.js), and file names follow one convention
// (tools/check-names.mjs). Fixtures: test/fixtures/layering/.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/layering');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const scratch = mkdtempSync(join(tmpdir(), 'layering-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Run a Node script; resolves with its exit code and output (never rejects on a non-zero exit). */
function node(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, args, { cwd: ROOT }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
}

/** Compile one fixture with the options of a room's tsconfig (the room's `include` replaced by the fixture). */
function compileAs(room: string, fixture: string) {
  const config = join(scratch, `${room}-${fixture}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, `tsconfig.${room}.json`),
      compilerOptions: { tsBuildInfoFile: join(scratch, `${fixture}.tsbuildinfo`) },
      files: [join(FIXTURES, 'tsc', fixture)],
      include: [],
    }),
  );
  return node([TSC, '-p', config]);
}

describe('the compiler keeps Node and the DOM out of the engine core', () => {
  it('refuses a Node import and a Node global (tsc exits non-zero, naming both)', async () => {
    const { code, out } = await compileAs('engine', 'node-in-engine.ts');
    expect(code).not.toBe(0);
    expect(out).toMatch(/node-in-engine\.ts.*error TS2307: Cannot find module 'node:fs'/);
    expect(out).toMatch(/node-in-engine\.ts.*error TS2591: Cannot find name 'process'/);
  });

  it('refuses the DOM', async () => {
    const { code, out } = await compileAs('engine', 'dom-in-engine.ts');
    expect(code).not.toBe(0);
    expect(out).toMatch(/dom-in-engine\.ts.*error TS2584: Cannot find name 'document'/);
  });

  it('compiles the control: tfjs, zod, the engine, and the worker/Node common subset', async () => {
    const { code, out } = await compileAs('engine', 'engine-ok.ts');
    expect(out).toBe('');
    expect(code).toBe(0);
  });
});

describe('ESLint enforces the import table (DESIGN §1)', () => {
  const eslint = new ESLint({ cwd: ROOT });
  /** Lint a fixture as if it sat at the path named in its first line (`// lint-as: PATH`). */
  async function lintAs(fixture: string) {
    const code = readFileSync(join(FIXTURES, 'lint', fixture), 'utf8');
    const path = /^\/\/ lint-as: (\S+)/.exec(code)?.[1];
    if (!path) throw new Error(`${fixture}: first line must be "// lint-as: PATH"`);
    const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
  }

  const dependency = 'boundaries/dependencies: There is no policy allowing dependencies from elements of type';
  const violations: [fixture: string, message: string][] = [
    [
      'engine-imports-node.ts',
      `${dependency} "engine" to entities of module with origin "core" and module source "node:fs"`,
    ],
    ['engine-imports-node-dynamic.ts', `${dependency} "engine" to entities of module with origin "core"`],
    ['engine-imports-engine-node.ts', `${dependency} "engine" to elements of type "engine-node"`],
    ['engine-imports-experiments.ts', `${dependency} "engine" to elements of type "experiments"`],
    ['engine-imports-test.ts', `${dependency} "engine" to elements of type "test"`],
    ['engine-uses-self.ts', "no-restricted-globals: Unexpected use of 'self'. only engine/worker.ts"],
    ['model-tests-backend.ts', 'no-restricted-syntax: choose kernels through engine/ops/kernels.ts'],
    ['experiments-imports-engine-code.ts', `${dependency} "experiments" to file of categories "engine-spec"`],
    [
      'renderer-imports-tfjs.ts',
      `${dependency} "renderer" to entities of module with origin "external" and module source "@tensorflow/tfjs"`,
    ],
    ['renderer-imports-node.ts', `${dependency} "renderer" to entities of module with origin "core"`],
    ['preload-imports-host.ts', `${dependency} "electron-preload" to elements of type "engine-node"`],
    [
      'host-imports-electron.ts',
      `${dependency} "electron-host" to entities of module with origin "external" and module source "electron"`,
    ],
  ];
  const controls = ['engine-ok.ts', 'renderer-ok.ts'];

  it.each(violations)('%s breaks one rule', async (fixture, message) => {
    const messages = await lintAs(fixture);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(message);
  });

  it.each(controls)('%s (a control) passes: it imports only what the table allows', async (fixture) => {
    expect(await lintAs(fixture)).toEqual([]);
  });

  it('every fixture is a case above', () => {
    expect(readdirSync(join(FIXTURES, 'lint')).sort()).toEqual([...violations.map(([f]) => f), ...controls].sort());
  });
});

describe('file names', () => {
  it('reports camelCase TypeScript, non-kebab folders and non-snake Python files, and nothing else', async () => {
    const dir = join(scratch, 'names');
    for (const f of ['engine/runPlan.ts', 'engine/My_Dir/x.ts', 'tools/GenSizes.py', 'engine/run-plan.test.ts']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
    for (const f of ['vite.config.ts', 'tools/gen_sizes.py', 'tools/__init__.py', 'README.md'])
      writeFileSync(join(dir, f), '');
    const { code, out } = await node(['tools/check-names.mjs', dir]);
    expect(code).toBe(1);
    expect(out.trim().split('\n').sort()).toEqual([
      '3 file name(s) break the convention',
      'engine/My_Dir/x.ts: folder "My_Dir" is not kebab-case',
      'engine/runPlan.ts: file names are kebab-case',
      'tools/GenSizes.py: Python files are snake_case',
    ]);
  });
});
