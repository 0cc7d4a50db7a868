"""The dense multi-head attention baselines (SPEC 5.1-5.2): no positions, RoPE, or Transformer-XL relative attention.

The XL variant adds content and position biases u, v (`u_content`, `v_pos`) and a learnable scale; RoPE rotates q
and k; all three use the causal mask with XL memory keys in front (positions.py).
"""

import math

import torch
import torch.nn as nn

from .attention import AttentionOut, to_heads
from .batch_sum import BatchSum
from .positions import masked_softmax, rope, xl_position_scores

Tensor = torch.Tensor


class DenseAttention(nn.Module):
    """Multi-head attention baselines (SPEC 5.1-5.2): no positions, RoPE, or Transformer-XL relative attention with
    content/position biases u, v and a learnable scale."""

    def __init__(self, a: dict, d: int):
        super().__init__()
        H, dh = a["nHeads"], a["dHead"]
        self.a, self.d = a, d
        self.W_q = nn.Parameter(torch.empty(H * dh, d))
        self.W_k = nn.Parameter(torch.empty(H * dh, d))
        self.W_v = nn.Parameter(torch.empty(H * dh, d))
        self.W_o = nn.Parameter(torch.empty(d, H * dh))
        if a["positions"] == "xl":
            self.W_pos = nn.Parameter(torch.empty(H * dh, d))
            self.u_content = nn.Parameter(torch.empty(H, dh))
            self.v_pos = nn.Parameter(torch.empty(H, dh))
            self.scale = nn.Parameter(torch.empty(1))

    def forward(self, x: Tensor, kv: Tensor, batch_sum: BatchSum) -> AttentionOut:
        a, d = self.a, self.d
        B, T, _ = x.shape
        Tk = kv.shape[1]
        H, dh = a["nHeads"], a["dHead"]
        q = to_heads(x @ self.W_q.t(), B, T, H)  # [B, H, T, dh]
        k = to_heads(kv @ self.W_k.t(), B, Tk, H)  # [B, H, Tk, dh]
        v = to_heads(kv @ self.W_v.t(), B, Tk, H)  # [B, H, Tk, dh]
        if a["positions"] == "xl":
            content = (q + self.u_content.view(1, H, 1, dh)) @ k.transpose(-1, -2)  # [B, H, T, Tk]
            position = xl_position_scores(q + self.v_pos.view(1, H, 1, dh), self.W_pos, d, Tk, 1.0)
            scores = (content + position) * self.scale
        else:
            if a["positions"] == "rope":
                n_rot = int(a["rotateFraction"] * dh)
                q, k = rope(q, n_rot, a["ropeBase"], Tk - T), rope(k, n_rot, a["ropeBase"], 0)
            scores = (q * (1 / math.sqrt(dh))) @ k.transpose(-1, -2)  # [B, H, T, Tk]
        probs = masked_softmax(scores)
        u = (probs @ v).transpose(1, 2).reshape(B * T, H * dh)  # [B*T, H*dh]
        return AttentionOut((u @ self.W_o.t()).view(B, T, d), probs, None, None, None)  # out [B, T, d]
