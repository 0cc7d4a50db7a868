// Chromium switches for WebGPU, set before the app is ready. On Linux, Chromium ships WebGPU behind
// `--enable-unsafe-webgpu` and needs its Vulkan backend enabled (electron/electron#41763: requestAdapter() is null
// in Electron on Linux without them). Elsewhere WebGPU is on by default. The engine probes the adapter itself and
// falls back to wasm, saying why in its ready event (the backend badge).

export interface CommandLineLike {
  appendSwitch(name: string, value?: string): void;
}

/** The switches for `platform` (process.platform), as [name, value?] pairs. */
export function gpuSwitches(platform: string): [string, string?][] {
  if (platform !== 'linux') return [];
  return [['enable-unsafe-webgpu'], ['enable-features', 'Vulkan,VulkanFromANGLE,DefaultANGLEVulkan']];
}

export function applyGpuSwitches(commandLine: CommandLineLike, platform: string): void {
  for (const [name, value] of gpuSwitches(platform)) commandLine.appendSwitch(name, value);
}
