"""SwitchHead attention (SPEC 1): per-head mixture-of-experts projections, one attention matrix per head.

Each head h has E experts for each projection that is MoE (any of Q/K/V/O; the paper's default is V and O). A
source-side selection (from the key/value input) picks k experts per head for K and V, a destination-side selection
(from the query input) picks them for Q and O; the projection is the gate-weighted sum of the k selected experts.
With E = 1 the projections are dense and each head's output has a learned sigmoid gate. Also here: the output every
attention variant returns (`AttentionOut`) and the selection-entropy regulariser of SPEC 1.
"""

import math
from typing import NamedTuple, Optional

import torch
import torch.nn as nn

from .batch_sum import BatchSum
from .moe import Selection, expert_ids, expert_matmul, sigmoid_topk
from .positions import masked_softmax, rope, xl_position_scores

Tensor = torch.Tensor


def to_heads(x: Tensor, B: int, T: int, H: int) -> Tensor:
    """[B*T, H*dh] or [B, T, H*dh] -> [B, H, T, dh]"""
    return x.reshape(B, T, H, -1).transpose(1, 2)


class AttentionOut(NamedTuple):
    out: Tensor  # [B, T, d]
    probs: Tensor  # [B, heads, T, Tk] attention matrices
    src: Optional[Selection]  # source side (K/V) selection, rows = B*Tk
    dst: Optional[Selection]  # destination side (Q/O) selection, rows = B*T
    reg: Optional[Tensor]  # regulariser already weighted by its coefficient


class SwitchHeadAttention(nn.Module):
    """SwitchHead (SPEC 1): per-head MoE on any of Q/K/V/O, one attention matrix per head. The source-side selection
    (from the key/value input) serves K and V, the destination side (from the query input) serves Q and O.
    With E = 1: dense projections and a learned per-head sigmoid gate on each head's output."""

    def __init__(self, a: dict, d: int):
        super().__init__()
        H, dh, E = a["nHeads"], a["dHead"], a["nExperts"]
        self.a, self.d = a, d
        self.moe = {p: False for p in "qkvo"} if E == 1 else dict(a["moe"])
        proj = lambda moe: torch.empty(H * E, d, dh) if moe else torch.empty(H * dh, d)  # noqa: E731
        self.W_q = nn.Parameter(proj(self.moe["q"]))
        self.W_k = nn.Parameter(proj(self.moe["k"]))
        self.W_v = nn.Parameter(proj(self.moe["v"]))
        self.W_o = nn.Parameter(torch.empty(H * E, dh, d) if self.moe["o"] else torch.empty(d, H * dh))
        if self.moe["k"] or self.moe["v"]:
            self.W_sel_src = nn.Parameter(torch.empty(H * E, d))
        if self.moe["q"] or self.moe["o"] or E == 1:
            self.W_sel_dst = nn.Parameter(torch.empty(H if E == 1 else H * E, d))
        if a["positions"] == "xl":
            self.W_pos = nn.Parameter(torch.empty(H * dh, d))

    def project_in(self, W: Tensor, moe: bool, x: Tensor, sel: Optional[Selection], B: int, T: int) -> Tensor:
        """x [B*T, d] -> [B, H, T, dh]; an MoE projection is the gate-weighted sum of the k selected experts."""
        H, E = self.a["nHeads"], self.a["nExperts"]
        if not moe:
            return to_heads(x @ W.t(), B, T, H)  # [B, H, T, dh]
        N, _, k = sel.idx.shape
        y = expert_matmul(x, expert_ids(sel.idx, E).view(N, H * k), W)  # [N, H*k, dh]
        y = (y.view(N, H, k, -1) * sel.gates.unsqueeze(-1)).sum(2)  # [N, H, dh]
        return y.view(B, T, H, -1).transpose(1, 2)  # [B, H, T, dh]

    def forward(self, x: Tensor, kv: Tensor, batch_sum: BatchSum) -> AttentionOut:
        a, d = self.a, self.d
        B, T, _ = x.shape
        Tk = kv.shape[1]
        H, dh, E, k = a["nHeads"], a["dHead"], a["nExperts"], a["k"]
        xq, xkv = x.reshape(B * T, d), kv.reshape(B * Tk, d)  # [B*T, d], [B*Tk, d]
        drop = a["expertDropout"] if self.training else 0.0
        src = sigmoid_topk(xkv, self.W_sel_src, H, k, drop) if self.moe["k"] or self.moe["v"] else None
        dst = sigmoid_topk(xq, self.W_sel_dst, H, k, drop) if self.moe["q"] or self.moe["o"] else None

        s4 = dh ** -0.25  # q and k each carry dh^-1/4 (XL); without the XL term q carries dh^-1/2 alone
        xl = a["positions"] == "xl"
        q = self.project_in(self.W_q, self.moe["q"], xq, dst, B, T) * (s4 if xl else s4 * s4)  # [B, H, T, dh]
        kk = self.project_in(self.W_k, self.moe["k"], xkv, src, B, Tk)  # [B, H, Tk, dh]
        if xl:
            kk = kk * s4
        v = self.project_in(self.W_v, self.moe["v"], xkv, src, B, Tk)  # [B, H, Tk, dh]
        if a["positions"] == "rope":
            n_rot = int(a["rotateFraction"] * dh)
            q, kk = rope(q, n_rot, a["ropeBase"], Tk - T), rope(kk, n_rot, a["ropeBase"], 0)
        scores = q @ kk.transpose(-1, -2)  # [B, H, T, Tk]
        if xl:
            scores = scores + xl_position_scores(q, self.W_pos, d, Tk, s4)
        probs = masked_softmax(scores)
        u = probs @ v  # [B, H, T, dh]

        if self.moe["o"]:
            N = B * T
            rows = u.transpose(1, 2).reshape(N * H, dh)  # [N*H, dh]: one row per (token, head)
            y = expert_matmul(rows, expert_ids(dst.idx, E).view(N * H, k), self.W_o)  # [N*H, k, d]
            out = (y * dst.gates.reshape(N * H, k, 1)).view(N, H * k, d).sum(1)  # [N, d]: over heads and experts
        else:
            u_bt = u.transpose(1, 2)  # [B, T, H, dh]
            if E == 1:
                u_bt = u_bt * torch.sigmoid(x @ self.W_sel_dst.t()).unsqueeze(-1)  # per-head output gate
            out = u_bt.reshape(B * T, H * dh) @ self.W_o.t()  # [N, d]
        reg = None
        if a["selectionReg"] > 0:
            reg = a["selectionReg"] * sum(selection_entropy(s, B, batch_sum) for s in (src, dst) if s is not None)
        return AttentionOut(out.view(B, T, d), probs, src, dst, reg)


def selection_entropy(sel: Selection, B: int, batch_sum: BatchSum) -> Tensor:
    """SPEC 1 selection regulariser of one side: -H of the routing marginal pooled over (time x head) per sequence,
    averaged over the sequences of the global batch."""
    logits = sel.logits.reshape(B, -1, sel.logits.shape[-1])  # [B, T*H, E]
    lp = torch.log_softmax(logits, -1)
    log_mean = torch.logsumexp(lp, 1) - math.log(lp.shape[1])  # [B, E]
    per_seq = (log_mean.exp() * log_mean).sum(-1)  # [B]
    return batch_sum(per_seq.sum()) / batch_sum(per_seq.new_tensor(float(B)))
