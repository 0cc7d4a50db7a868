// Accurate Sin and Cos for the webgpu backend. WGSL's sin/cos are only required to be good to ~2^-11 absolute
// (Vulkan), and SwiftShader's are off by 1.9e-4 even near 0, which breaks the RoPE golden gradients (tol 1e-4).
// These kernels replace tfjs's: Cody-Waite reduction by pi/2 (3-part constant, the first parts short enough that
// q * part is exact without fma) and Cephes' single-precision polynomials on [-pi/4, pi/4]: ~1e-7 for |x| < 8192.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

const sinCosSnippet = `
  fn sinCos(xIn : f32) -> vec2<f32> {
    let q = round(xIn * 0.63661977236758134);
    var r = xIn - q * 1.5703125;
    r = r - q * 4.837512969970703125e-4;
    r = r - q * 7.54978995489188216e-8;
    let z = r * r;
    let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
    let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
    let quadrant = i32(q - 4.0 * floor(q * 0.25)); // q mod 4, also for negative q
    switch quadrant {
      case 0: { return vec2<f32>(s, c); }
      case 1: { return vec2<f32>(c, -s); }
      case 2: { return vec2<f32>(-s, -c); }
      default: { return vec2<f32>(-c, s); }
    }
  }
`;

class TrigProgram implements WebGPUProgram {
  variableNames = ['x'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  workgroupSize: [number, number, number] = [64, 1, 1];
  dispatch: [number, number, number];
  size = true;
  constructor(
    shape: number[],
    private fn: 'sin' | 'cos',
  ) {
    this.outputShape = shape;
    this.dispatch = [Math.ceil(tf.util.sizeFromShape(shape) / 64), 1, 1];
    this.shaderKey = `shPrecise_${fn}`;
  }
  getUserCode(): string {
    return `
  ${sinCosSnippet}
  fn main(index : i32) {
    if (index < uniforms.size) { setOutputAtIndex(index, sinCos(f32(x[index])).${this.fn === 'sin' ? 'x' : 'y'}); }
  }`;
  }
}

const trigKernel =
  (fn: 'sin' | 'cos'): tf.KernelFunc =>
  ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    return (backend as unknown as WebGPUBackend).runWebGPUProgram(new TrigProgram(x.shape, fn), [x], 'float32');
  };

let registered = false;
/** Replace tfjs's webgpu Sin and Cos with the accurate ones (idempotent). */
export function registerTrigKernels(): void {
  if (registered) return;
  for (const [kernelName, fn] of [
    ['Sin', 'sin'],
    ['Cos', 'cos'],
  ] as const) {
    if (tf.getKernel(kernelName, 'webgpu')) tf.unregisterKernel(kernelName, 'webgpu');
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: trigKernel(fn) });
  }
  registered = true;
}
