// AdamW (torch semantics: decoupled weight decay, bias-corrected moments) and global-norm gradient clipping.
import * as tf from '@tensorflow/tfjs';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export class AdamW {
  readonly m: Record<string, tf.Variable> = {};
  readonly v: Record<string, tf.Variable> = {};
  t = 0; // number of updates applied

  constructor(
    readonly params: Record<string, tf.Variable>,
    readonly cfg: AdamWConfig,
  ) {
    for (const [name, p] of Object.entries(params)) {
      this.m[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
      this.v[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
    }
  }

  /** Weight decay applies to matrices and expert tensors (rank >= 2), not to biases, norms or scales. */
  static decays(p: tf.Tensor): boolean {
    return p.rank >= 2;
  }

  /** One update with learning rate lr; grads are already clipped. */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.cfg;
    const c1 = 1 - Math.pow(beta1, this.t),
      c2 = 1 - Math.pow(beta2, this.t);
    tf.tidy(() => {
      for (const [name, p] of Object.entries(this.params)) {
        const g = grads[name];
        if (!g) continue;
        const m = tf.add(tf.mul(this.m[name], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[name], beta2), tf.mul(tf.square(g), 1 - beta2));
        this.m[name].assign(m);
        this.v[name].assign(v);
        const step = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        const decayed = weightDecay > 0 && AdamW.decays(p) ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(step, lr)));
      }
    });
  }

  dispose(): void {
    for (const t of [...Object.values(this.m), ...Object.values(this.v)]) t.dispose();
  }
}

/** Global L2 norm of all gradients (one scalar tensor). */
export function globalNorm(grads: Record<string, tf.Tensor>): tf.Scalar {
  // Pairwise adds, not addN: one WebGPU program may bind only a few storage buffers (SwiftShader: 8).
  return tf.tidy(
    () =>
      tf.sqrt(
        Object.values(grads).reduce((acc: tf.Tensor, g) => tf.add(acc, tf.sum(tf.square(g))), tf.scalar(0)),
      ) as tf.Scalar,
  );
}

/** torch.nn.utils.clip_grad_norm_: scale by min(1, maxNorm / (norm + 1e-6)). Returns new tensors. */
export function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  norm: number,
  maxNorm: number,
): Record<string, tf.Tensor> {
  const coef = maxNorm > 0 ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
  return Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, coef < 1 ? tf.mul(g, coef) : tf.clone(g)]));
}
