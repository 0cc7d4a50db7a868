// Our WebGPU kernels, installed when the webgpu backend becomes active: cvmm (the MoE projections, SPEC §1)
// by WGSL kernels that sort the slots by expert on the GPU, and accurate Sin/Cos (WGSL's are ~2e-4 on SwiftShader).
import { onBackendReady } from '../backend';
import { registerCvmm } from '../ops/cvmm';
import { cvmmWebGPU, registerCvmmKernels } from './cvmm-kernels';
import { registerTrigKernels } from './trig';

export { cvmmWebGPU } from './cvmm-kernels';

let hooked = false;
/** Register our kernels with tfjs's webgpu backend and route cvmm to them whenever webgpu is initialised.
 *  Idempotent; call before or after initBackend (if webgpu is already active, it takes effect at once). */
export function installWebGPUKernels(): void {
  install();
  if (hooked) return;
  hooked = true;
  onBackendReady((name) => {
    if (name === 'webgpu') install();
  });
}

function install(): void {
  registerCvmmKernels();
  registerTrigKernels();
  registerCvmm('webgpu', cvmmWebGPU);
}
