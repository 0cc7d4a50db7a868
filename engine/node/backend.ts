// Node-side preparation of a backend before initBackend(): webgpu needs the `webgpu` package (Dawn) to provide
// navigator.gpu. Everything else needs nothing.
import type { BackendName } from '../backend';

export async function prepareNodeBackend(name: BackendName): Promise<void> {
  if (name !== 'webgpu') return;
  const { installNodeWebGPU } = await import('./webgpu');
  await installNodeWebGPU();
}
