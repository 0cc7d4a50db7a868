// The engine worker in Debian's Chromium: a tiny SwitchHead model trains in a dedicated Web Worker on WebGPU
// (SwiftShader) and, with WebGPU unavailable, on wasm with the fall-back reason in the ready event.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { tinySpec } from '../worker/fixtures';
import { bundle, CHROMIUM, launch, removeDir, serve } from './harness';
import type { ScenarioOptions, ScenarioResult } from './page';

let dir = '';
let server: Awaited<ReturnType<typeof serve>>;
const browsers: Browser[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  dir = await bundle({ page: 'test/browser/page.ts', worker: 'engine/worker.ts' });
  server = await serve(dir);
});
afterAll(async () => {
  for (const b of browsers) await b.close();
  await server?.close();
  if (dir) removeDir(dir);
});

async function runScenario(webgpu: boolean, opts: ScenarioOptions): Promise<ScenarioResult> {
  const browser = await launch(webgpu);
  browsers.push(browser);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForFunction(() => document.title === 'worker-test-ready');
  const result = await page.evaluate(
    (o) => (globalThis as unknown as { scenario(o: unknown): Promise<ScenarioResult> }).scenario(o),
    opts,
  );
  expect(errors).toEqual([]);
  await browser.close();
  return result;
}

function checkTraining(r: ScenarioResult, opts: ScenarioOptions): void {
  expect(r.failures).toEqual([]);
  expect(r.steps).toEqual(Array.from({ length: r.stoppedAt }, (_, i) => i + 1)); // every step once, in order
  expect(r.stoppedAt).toBeGreaterThanOrEqual(opts.stopAt);
  expect(r.columnTypes).toEqual(['Float64Array', 'Float32Array']);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  expect(mean(r.loss.slice(-5))).toBeLessThan(mean(r.loss.slice(0, 5)) - 0.1);
  expect(r.pausedAt).toBeGreaterThanOrEqual(opts.pauseAt);
  expect(r.stepsWhilePaused).toBe(0);
  expect(r.stepsAfterStop).toBe(0);
  expect(r.states).toEqual(['ready', 'running', 'paused', 'running', 'stopped', 'idle']);
  expect(r.metricsMessages).toBeLessThanOrEqual(r.wallS * 20 + 4);
  expect(r.tensorsWhileTraining).toBeGreaterThan(r.disposed.numTensors);
  expect(r.disposed.numTensors).toBe(r.disposed.tensorsBeforeInit);
}

describe('engine worker in Chromium', () => {
  it('trains on WebGPU (SwiftShader) with pause, resume, stop and a clean dispose', async () => {
    const opts = { spec: tinySpec({ steps: 40 }), pauseAt: 4, stopAt: 20 };
    const r = await runScenario(true, opts);
    console.log(
      `webgpu: ${r.ready.adapter}; ${r.stoppedAt} steps in ${r.wallS.toFixed(1)} s, ${r.metricsMessages} metrics messages`,
    );
    expect(r.ready.backend).toBe('webgpu');
    expect(r.ready.adapter).toMatch(/swiftshader/i);
    expect(r.ready.fallbacks).toEqual([]);
    expect(r.ready.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    checkTraining(r, opts);
  });

  it('falls back to wasm, saying why, when WebGPU is unavailable', async () => {
    const opts = { spec: tinySpec({ steps: 40 }), pauseAt: 4, stopAt: 20 };
    const r = await runScenario(false, opts);
    console.log(
      `wasm: ${r.stoppedAt} steps in ${r.wallS.toFixed(1)} s, ${r.metricsMessages} metrics messages; fallback: ${r.ready.fallbacks[0]?.reason}`,
    );
    expect(r.ready.backend).toBe('wasm');
    expect(r.ready.fallbacks).toHaveLength(1);
    expect(r.ready.fallbacks[0].backend).toBe('webgpu');
    expect(r.ready.fallbacks[0].reason).toMatch(/navigator\.gpu|adapter/);
    expect(r.ready.limits.simd).toBe(true);
    checkTraining(r, opts);
  });
});
