"""Mixture-of-experts primitives shared by SwitchHead (SPEC 1), MoA (SPEC 5.3) and the sigma-MoE MLP (SPEC 3).

- `sigmoid_topk`: the non-competitive selection: sigmoid scores, top-k per group (head), gates = selected scores,
  with expert dropout;
- `expert_matmul`: x @ W[expert] for the selected experts only: slots sorted by expert, one matmul per expert block,
  results back in slot order (the idea of the official CVMM kernel, in plain torch);
- `expert_ids`: where expert e of head h sits in the stacked expert weights.
"""

from typing import NamedTuple

import torch

Tensor = torch.Tensor


class Selection(NamedTuple):
    logits: Tensor  # [N, G, E]
    scores: Tensor  # [N, G, E] = sigmoid(logits)
    idx: Tensor  # [N, G, k] int64, sorted by decreasing (possibly dropped) score
    gates: Tensor  # [N, G, k], not renormalised


def sigmoid_topk(x: Tensor, W_sel: Tensor, groups: int, k: int, drop: float = 0.0, drop_mode="neg-inf") -> Selection:
    """Non-competitive selection (SPEC 1, 3): sigmoid scores, top-k per group (head), gates = selected scores.

    x [N, d], W_sel [G*E, d]. Expert dropout (training only) changes the choice, never the weights:
    'neg-inf' (SwitchHead, MoA): dropped scores are -inf for the top-k, gates come from the un-dropped scores;
    'zero' (sigma-MoE): dropped scores are 0 and gates come from the dropped tensor."""
    N = x.shape[0]
    logits = (x @ W_sel.t()).view(N, groups, -1)  # [N, G, E]
    scores = torch.sigmoid(logits)
    ranked, gate_source = scores, scores
    if drop > 0:
        keep = torch.rand(scores.shape, device=x.device) >= drop  # [N, G, E]
        if drop_mode == "neg-inf":
            ranked = scores.masked_fill(~keep, float("-inf"))
        else:
            ranked = gate_source = scores * keep.to(scores.dtype)
    idx = torch.topk(ranked.detach(), k, dim=-1, largest=True, sorted=True).indices  # [N, G, k]
    gates = gate_source.gather(-1, idx)  # [N, G, k]
    return Selection(logits, scores, idx, gates)


def expert_matmul(x: Tensor, experts: Tensor, W: Tensor) -> Tensor:
    """out[r, s] = x[r] @ W[experts[r, s]]: x [R, d_in], experts [R, S], W [n_exp, d_in, d_out] -> [R, S, d_out].

    Only the selected experts are computed: the R*S slots are sorted by expert, each expert multiplies its block
    of rows once, and the results go back to slot order (the idea of the official CVMM kernel, in plain torch)."""
    R, S = experts.shape
    n_exp = W.shape[0]
    flat = experts.reshape(-1)  # [R*S]
    order = torch.argsort(flat)  # slots in expert order
    counts = torch.bincount(flat, minlength=n_exp).tolist()
    rows = x[order // S]  # [R*S, d_in], expert order
    blocks = rows.split(counts)
    out_sorted = torch.cat([blk @ W[e] for e, blk in enumerate(blocks)], 0)  # [R*S, d_out]
    inverse = torch.empty_like(order)
    inverse[order] = torch.arange(order.numel(), device=order.device)
    return out_sorted[inverse].view(R, S, -1)  # [R, S, d_out], slot order


def expert_ids(idx: Tensor, E: int) -> Tensor:
    """Expert e of head h is row h*E + e of the stacked expert weights. idx [N, H, k] -> [N, H, k]."""
    H = idx.shape[1]
    return idx + (torch.arange(H, device=idx.device) * E).view(1, H, 1)
