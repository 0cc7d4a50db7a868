// The kernel registry (engine/ops/kernels.ts): each backend's set-up registers its implementations, an op runs the
// one of the active backend, and a backend with none runs the portable implementation.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { kernel, registeredKernels, type Kernels } from '../../engine/ops/kernels';
import { useBackend } from './helpers';

const portable: Kernels['bmm'] = (a, b) => tf.matMul(a, b);

describe('kernel registry', () => {
  it('cpu: nothing registered, every op runs its portable implementation', async () => {
    await useBackend('cpu');
    expect(registeredKernels('cpu')).toEqual([]);
    expect(kernel('bmm', portable)).toBe(portable);
  });

  it('wasm: setting the backend up registers the flag-free products, cvmm and the fused MoE projections', async () => {
    await useBackend('wasm');
    expect(registeredKernels('wasm').sort()).toEqual(
      ['bmm', 'cvmm', 'linear2d', 'mmNT', 'mmTN', 'moeIn', 'moeOut', 'sumRowsById'].sort(),
    );
    expect(kernel('bmm', portable)).not.toBe(portable);
    await useBackend('cpu'); // the wasm registrations stay with wasm
    expect(kernel('bmm', portable)).toBe(portable);
  });
});
