// Our WebGPU kernels, installed when the webgpu backend is set up (engine/backend.ts): cvmm (the MoE projections,
// SPEC §1) by WGSL kernels that sort the slots by expert on the GPU, registered in the kernel registry
// (ops/kernels.ts), and accurate Sin/Cos (WGSL's are ~2e-4 on SwiftShader).
import { registerKernels } from '../ops/kernels';
import { cvmmWebGPU, registerCvmmKernels } from './cvmm-kernels';
import { registerTrigKernels } from './trig';

export { cvmmWebGPU } from './cvmm-kernels';

/** Register our tfjs kernels with the webgpu backend (after @tensorflow/tfjs-backend-webgpu is loaded: Sin and Cos
 *  replace its own) and route cvmm to them. Idempotent. */
export function installWebGPUKernels(): void {
  registerCvmmKernels();
  registerTrigKernels();
  registerKernels('webgpu', { cvmm: cvmmWebGPU });
}
