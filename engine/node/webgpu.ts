// Placeholder until the Node WebGPU (Dawn) installer lands: fail clearly.
export async function installNodeWebGPU(): Promise<void> {
  throw new Error('WebGPU in Node is not set up yet');
}
