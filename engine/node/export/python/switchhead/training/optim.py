"""The optimiser, the learning-rate schedule and gradient clipping (engine/train/optimizer.ts, schedule.ts).

AdamW with torch's semantics (bias-corrected moments, decoupled weight decay) on matrices and expert tensors only;
linear warm-up then cosine decay to minLrRatio * lr; clipping by the global L2 norm of all gradients. The moments
are kept by parameter name: checkpoints store them as optim.m.<name> and optim.v.<name>.
"""

import math
from typing import Dict

import torch


class AdamW:
    """torch-semantics AdamW: bias-corrected moments, decoupled weight decay on matrices and expert tensors
    (ndim >= 2) only, not on biases, norms or scales. Moments are named like the parameters."""

    def __init__(self, params: Dict[str, torch.nn.Parameter], t: dict):
        self.params, self.cfg, self.t = params, t, 0
        self.m = {n: torch.zeros_like(p) for n, p in params.items()}
        self.v = {n: torch.zeros_like(p) for n, p in params.items()}

    @torch.no_grad()
    def step(self, lr: float) -> None:
        self.t += 1
        b1, b2, eps, wd = (self.cfg[k] for k in ("beta1", "beta2", "eps", "weightDecay"))
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for n, p in self.params.items():
            if p.grad is None:
                continue
            m, v = self.m[n], self.v[n]
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            if wd > 0 and p.ndim >= 2:
                p.mul_(1 - lr * wd)
            p.sub_((m / c1) / ((v / c2).sqrt() + eps) * lr)


def learning_rate(t: dict, base_lr: float, step: int) -> float:
    """Linear warm-up, then cosine decay to minLrRatio * lr over the remaining steps; `step` is 0-based."""
    if t["warmupSteps"] > 0 and step < t["warmupSteps"]:
        return base_lr * (step + 1) / t["warmupSteps"]
    if not t["cosine"]:
        return base_lr
    progress = min(1.0, (step - t["warmupSteps"]) / max(1, t["steps"] - t["warmupSteps"]))
    low = base_lr * t["minLrRatio"]
    return low + 0.5 * (base_lr - low) * (1 + math.cos(math.pi * progress))


def clip_gradients(params, max_norm: float) -> float:
    """Global L2 norm of all gradients (returned, before clipping); scale by min(1, max_norm / (norm + 1e-6))."""
    grads = [p.grad for p in params if p.grad is not None]
    norm = float(torch.stack([g.pow(2).sum() for g in grads]).sum().sqrt())
    coef = min(1.0, max_norm / (norm + 1e-6)) if max_norm > 0 else 1.0
    if coef < 1 and math.isfinite(norm):
        for g in grads:
            g.mul_(coef)
    return norm
