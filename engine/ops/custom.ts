// A typed wrapper over tf.customGrad. The forward runs inside a tidy, so whatever the backward needs must go
// through `save`: the engine keeps saved clones until backprop and saves nothing when no tape is recording.
import * as tf from '@tensorflow/tfjs';

export type CustomForward = (
  inputs: tf.Tensor[],
  save: tf.GradSaveFunc,
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

export function customOp(f: CustomForward): (...inputs: tf.Tensor[]) => tf.Tensor {
  const g = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    return f(args as tf.Tensor[], save);
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: tf.Tensor[]) => g(...inputs);
}

/** tf.tidy for functions that return plain values: every tensor made inside is disposed unless tf.keep-ed. */
export function scoped<T>(fn: () => T): T {
  let result!: T;
  tf.tidy(() => {
    result = fn();
  });
  return result;
}
