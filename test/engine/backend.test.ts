import { describe, expect, it } from 'vitest';
import { initBackend, unmetLimits, WEBGPU_MIN_LIMITS } from '../../engine/backend';

describe('backend choice', () => {
  it('names every WebGPU limit below what the kernels need', () => {
    expect(unmetLimits({ ...WEBGPU_MIN_LIMITS })).toEqual([]);
    expect(
      unmetLimits({ ...WEBGPU_MIN_LIMITS, maxComputeWorkgroupStorageSize: 8192, maxStorageBuffersPerShaderStage: 4 }),
    ).toEqual(['maxComputeWorkgroupStorageSize=8192 < 16384', 'maxStorageBuffersPerShaderStage=4 < 8']);
  });

  it('falls back from webgpu to wasm in Node without navigator.gpu, and says why', async () => {
    const info = await initBackend(['webgpu', 'wasm', 'cpu']);
    expect(info.name).toBe('wasm');
    expect(info.fallbacks).toEqual(['webgpu: no navigator.gpu (WebGPU unavailable)']);
  });
});
