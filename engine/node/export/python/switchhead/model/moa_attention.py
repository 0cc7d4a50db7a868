"""MoA, Mixture of Attention heads (Zhang et al., 2022; SPEC 5.3), the MoE-attention baseline of the paper.

One shared K/V projection, E query and E output experts; a router picks k experts (the active heads) per token, each
with its own attention matrix against the shared keys. In 'moa' mode the gates are the softmax probabilities of the
chosen experts and the original auxiliary losses (CV of importance, switch load balance, router z) apply.
"""

from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import AttentionOut
from .batch_sum import BatchSum
from .moe import Selection, expert_matmul, sigmoid_topk
from .positions import masked_softmax, xl_position_scores

Tensor = torch.Tensor


class MoAAttention(nn.Module):
    """MoA, Mixture of Attention heads (SPEC 5.3): one shared K/V projection (rows [0, dh) are K, [dh, 2dh) are V),
    E query and E output experts; a router picks k experts (the active heads) per token, each with its own
    attention matrix against the shared keys. The learnable scale enters as sqrt(scale) on q and on k (and on the
    single shared XL position projection). 'moa' mode: gates are the softmax probabilities of the chosen experts
    (not renormalised) and the original auxiliary losses apply."""

    def __init__(self, a: dict, d: int):
        super().__init__()
        dh, E = a["dHead"], a["nExperts"]
        self.a, self.d = a, d
        self.W_kv = nn.Parameter(torch.empty(2 * dh, d))
        self.W_q = nn.Parameter(torch.empty(E, d, dh))
        self.W_o = nn.Parameter(torch.empty(E, dh, d))
        self.W_sel = nn.Parameter(torch.empty(E, d))
        self.scale = nn.Parameter(torch.empty(1))
        if a["positions"] == "xl":
            self.W_pos = nn.Parameter(torch.empty(dh, d))

    def forward(self, x: Tensor, kv: Tensor, batch_sum: BatchSum) -> AttentionOut:
        a, d = self.a, self.d
        B, T, _ = x.shape
        Tk = kv.shape[1]
        dh, E, k = a["dHead"], a["nExperts"], a["k"]
        N = B * T
        xq = x.reshape(N, d)  # [N, d]
        sel = sigmoid_topk(xq, self.W_sel, 1, k, a["expertDropout"] if self.training else 0.0)  # idx [N, 1, k]
        gates = torch.softmax(sel.logits, -1).gather(-1, sel.idx) if a["moaMode"] == "moa" else sel.gates
        experts = sel.idx.view(N, k)  # [N, k]

        sq = torch.sqrt(self.scale)
        kvp = (kv @ self.W_kv.t()).view(B, Tk, 2, dh)  # [B, Tk, 2, dh]
        keys = (kvp[:, :, 0] * sq).unsqueeze(1)  # [B, 1, Tk, dh]
        values = kvp[:, :, 1].unsqueeze(1)  # [B, 1, Tk, dh]
        q = expert_matmul(xq, experts, self.W_q).view(B, T, k, dh).transpose(1, 2) * sq  # [B, k, T, dh]
        scores = q @ keys.transpose(-1, -2)  # [B, k, T, Tk]: one matrix per active head
        if a["positions"] == "xl":
            W_pos = (self.W_pos * sq).repeat(k, 1)  # [k*dh, d]: the one position projection, for every head
            scores = scores + xl_position_scores(q, W_pos, d, Tk, 1.0)
        probs = masked_softmax(scores)
        u = (probs @ values).transpose(1, 2).reshape(N * k, dh)  # [N*k, dh]
        y = expert_matmul(u, experts.reshape(N * k, 1), self.W_o)  # [N*k, 1, d]
        out = (y.view(N, k, d) * gates.view(N, k, 1)).sum(1)  # [N, d]
        reg = None
        if a["moaMode"] == "moa":
            reg = moa_aux_losses(sel.logits.view(N, E), gates.view(N, k), experts, a["moaAux"], batch_sum)
        return AttentionOut(out.view(B, T, d), probs, None, Selection(sel.logits, sel.scores, sel.idx, gates), reg)


def moa_aux_losses(logits: Tensor, gates: Tensor, experts: Tensor, c: dict, batch_sum: BatchSum) -> Optional[Tensor]:
    """The original MoA auxiliary losses over the global batch, weighted: cv = CV(importance)^2 with importance_e the
    summed gates of expert e; switch = E * sum_e f_e P_e (f_e share of selections, no gradient; P_e mean router
    probability); z = mean logsumexp(logits)^2. logits [N, E], gates [N, k], experts [N, k]."""
    if not (c["cv"] > 0 or c["switch"] > 0 or c["z"] > 0):
        return None
    N, E = logits.shape
    k = experts.shape[1]
    count = batch_sum(logits.new_tensor(float(N)))
    dispatch = F.one_hot(experts, E).to(logits.dtype)  # [N, k, E]
    total = logits.new_zeros(())
    if c["cv"] > 0:
        importance = batch_sum((dispatch * gates.unsqueeze(-1)).sum((0, 1)))  # [E]
        mean = importance.mean()
        total = total + c["cv"] * ((importance - mean) ** 2).mean() / (mean**2 + 1e-10)
    if c["switch"] > 0:
        f = batch_sum(dispatch.sum((0, 1))) / (count * k)  # [E]
        P = batch_sum(torch.softmax(logits, -1).sum(0)) / count  # [E]
        total = total + c["switch"] * E * (f * P).sum()
    if c["z"] > 0:
        total = total + c["z"] * batch_sum((torch.logsumexp(logits, -1) ** 2).sum()) / count
    return total
