// cvmm on WebGPU: our WGSL kernels (routing.ts, sorted-matmul.ts) registered with tfjs's webgpu backend, and one
// differentiable op over them. Same contract as engine/ops/cvmm.ts:
//
//   cvmmWebGPU(x [R, dIn], experts int32 [R, S], W [nExp, dIn, dOut]) -> [R, S, dOut],  out[r, s] = x[r] @ W[experts[r, s]]
//
// Kernels (tf.engine().runKernel, backend 'webgpu' only):
//   SwitchHeadCvmmRoute       {experts}                      {nExp}             -> [order int32 [R*S], table int32]
//   SwitchHeadCvmmMatmul      {x, W, experts, order, table}  {nExp}             -> y [R, S, dOut]
//   SwitchHeadCvmmInputGrad   {dy, W, experts, order, table} {nExp}             -> dx [R, dIn]
//   SwitchHeadCvmmWeightGrad  {x, dy, order, table}          {nExp, S}          -> [nExp, dIn, dOut]
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { customOp } from '../ops/custom';
import { CountProgram, MAX_BUCKETS, RankProgram, ScanProgram, offsetsBase, routingUniforms, scalars } from './routing';
import { SortedMatmulProgram, SumSlotsProgram, WeightGradProgram } from './sorted-matmul';

export const ROUTE = 'SwitchHeadCvmmRoute';
export const MATMUL = 'SwitchHeadCvmmMatmul';
export const INPUT_GRAD = 'SwitchHeadCvmmInputGrad';
export const WEIGHT_GRAD = 'SwitchHeadCvmmWeightGrad';

type Run = (
  p: WebGPUProgram,
  inputs: tf.TensorInfo[],
  dtype: tf.DataType,
  uniforms?: { type: string; data: number[] }[],
) => tf.TensorInfo;
const runner = (backend: unknown): Run => {
  const b = backend as unknown as WebGPUBackend;
  return (p, inputs, dtype, uniforms) => b.runWebGPUProgram(p, inputs, dtype, uniforms);
};

const routeKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { experts } = inputs as { experts: tf.TensorInfo };
  const nExp = (attrs as { nExp: number }).nExp;
  const nSlots = tf.util.sizeFromShape(experts.shape);
  const run = runner(backend);
  const u = routingUniforms(nSlots);
  const counts = run(new CountProgram(nSlots, nExp), [experts], 'int32', u); // [nChunks * EB]
  const table = run(new ScanProgram(nSlots, nExp), [counts], 'int32', u); // chunk bases, then offsets [EB + 1]
  const order = run(new RankProgram(nSlots, nExp), [experts, table], 'int32', u); // [R*S]
  (backend as tf.KernelBackend).disposeData(counts.dataId);
  return [order, table];
};

/** out[slot_m] = A[slot_m / rowDiv] @ B_e over the sorted slots: the forward (A = x) or, with transposeW, the
 *  per-slot input gradient (A = dy). Output [R, S, cols]. */
function sortedMatmul(
  backend: unknown,
  A: tf.TensorInfo,
  W: tf.TensorInfo,
  experts: tf.TensorInfo,
  order: tf.TensorInfo,
  table: tf.TensorInfo,
  nExp: number,
  transposeW: boolean,
) {
  const [R, S] = experts.shape;
  const nSlots = R * S;
  const K = A.shape[A.shape.length - 1];
  const nCols = transposeW ? W.shape[1] : W.shape[2];
  const program = new SortedMatmulProgram([R, S, nCols], nSlots, nCols, nExp, transposeW);
  const rowDiv = transposeW ? 1 : S; // forward: row r = slot / S; input gradient: dy is per slot
  return runner(backend)(
    program,
    [A, W, experts, order, table],
    'float32',
    scalars([nSlots, K, nCols, rowDiv, offsetsBase(nSlots, nExp)]),
  );
}

const matmulKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, W, experts, order, table } = inputs as Record<string, tf.TensorInfo>;
  return sortedMatmul(backend, x, W, experts, order, table, (attrs as { nExp: number }).nExp, false); // [R, S, dOut]
};

const inputGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, W, experts, order, table } = inputs as Record<string, tf.TensorInfo>;
  const [R, S] = experts.shape;
  const dIn = W.shape[1];
  const slots = sortedMatmul(backend, dy, W, experts, order, table, (attrs as { nExp: number }).nExp, true); // [R, S, dIn]
  const dx = runner(backend)(new SumSlotsProgram(R, dIn), [slots], 'float32', scalars([S, dIn])); // [R, dIn]
  (backend as tf.KernelBackend).disposeData(slots.dataId);
  return dx;
};

const weightGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy, order, table } = inputs as Record<string, tf.TensorInfo>;
  const { nExp, S } = attrs as { nExp: number; S: number };
  const [R, dIn] = x.shape;
  const dOut = dy.shape[dy.shape.length - 1];
  const program = new WeightGradProgram(nExp, dIn, dOut);
  return runner(backend)(program, [x, dy, order, table], 'float32', scalars([dIn, dOut, S, offsetsBase(R * S, nExp)]));
};

let registered = false;
/** Register the kernels with the webgpu backend (idempotent). */
export function registerCvmmKernels(): void {
  if (registered) return;
  for (const [kernelName, kernelFunc] of [
    [ROUTE, routeKernel],
    [MATMUL, matmulKernel],
    [INPUT_GRAD, inputGradKernel],
    [WEIGHT_GRAD, weightGradKernel],
  ] as const) {
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
  }
  registered = true;
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown>) =>
  tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap);

function validate(x: tf.Tensor2D, experts: tf.Tensor2D, W: tf.Tensor3D): void {
  if (x.rank !== 2 || experts.rank !== 2 || W.rank !== 3) {
    throw new Error(
      `cvmm: expected x [R, dIn], experts [R, S], W [nExp, dIn, dOut]; got ${x.shape}, ${experts.shape}, ${W.shape}`,
    );
  }
  if (experts.dtype !== 'int32') throw new Error(`cvmm: experts must be int32, got ${experts.dtype}`);
  if (x.shape[0] !== experts.shape[0])
    throw new Error(`cvmm: x has ${x.shape[0]} rows but experts has ${experts.shape[0]}`);
  if (x.shape[1] !== W.shape[1]) throw new Error(`cvmm: x has dIn=${x.shape[1]} but W has dIn=${W.shape[1]}`);
  if (W.shape[0] + 1 > MAX_BUCKETS)
    throw new Error(`cvmm (webgpu): at most ${MAX_BUCKETS - 1} experts, got ${W.shape[0]}`);
  if (x.dtype !== 'float32' || W.dtype !== 'float32') throw new Error('cvmm: x and W must be float32');
}

/** The MoE projection on WebGPU: forward and both gradients by our kernels, no CPU round trip. Expert ids outside
 *  [0, nExp) give zero rows (no readback to validate them; the CPU path throws instead). */
export function cvmmWebGPU(x: tf.Tensor2D, experts: tf.Tensor2D, W: tf.Tensor3D): tf.Tensor3D {
  validate(x, experts, W);
  const [R, S] = experts.shape;
  const [nExp, dIn, dOut] = W.shape;
  if (R * S === 0 || dIn === 0 || dOut === 0) return cvmmEmpty(x, W, R, S);
  const f = customOp(([x, W], save) => {
    const [order, table] = run(ROUTE, { experts }, { nExp }) as tf.Tensor[]; // routing plan, on the GPU
    const y = run(MATMUL, { x, W, experts, order, table }, { nExp }) as tf.Tensor; // [R, S, dOut]
    save([x, W, experts, order, table]);
    return {
      value: y,
      gradFunc: (dy, [sx, sW, se, so, st]) => {
        const dx = run(INPUT_GRAD, { dy, W: sW, experts: se, order: so, table: st }, { nExp }) as tf.Tensor; // [R, dIn]
        const dW = run(WEIGHT_GRAD, { x: sx, dy, order: so, table: st }, { nExp, S }) as tf.Tensor; // [nExp, dIn, dOut]
        return [dx, dW];
      },
    };
  });
  return f(x, W) as tf.Tensor3D;
}

/** Degenerate shapes: no slots or an empty dimension; zeros with the right shapes and gradients. */
function cvmmEmpty(x: tf.Tensor2D, W: tf.Tensor3D, R: number, S: number): tf.Tensor3D {
  const f = customOp(([x, W]) => ({
    value: tf.zeros([R, S, W.shape[2]!]),
    gradFunc: () => [tf.zerosLike(x), tf.zerosLike(W)],
  }));
  return f(x, W) as tf.Tensor3D;
}
