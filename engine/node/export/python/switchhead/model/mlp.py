"""The feed-forward half of a block: the dense MLP, and the sigma-MoE MLP of "SwitchAll" (SPEC 3).

sigma-MoE: y = sum_{e in top-k} sigmoid(x.w_e) relu(x K_e) V_e over the k experts of largest score, with expert
dropout ('zero' mode) and the entropy regulariser -H(mean over the global batch of softmax(x W_sel^T)). Both MLPs
return (out, selection or None, weighted regulariser or None).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .batch_sum import BatchSum
from .moe import expert_matmul, sigmoid_topk

Tensor = torch.Tensor


class DenseFFN(nn.Module):
    """relu(x W1^T + b1) W2^T + b2, with dropout on the hidden layer while training."""

    def __init__(self, d: int, d_ff: int, dropout: float):
        super().__init__()
        self.W1, self.b1 = nn.Parameter(torch.empty(d_ff, d)), nn.Parameter(torch.empty(d_ff))
        self.W2, self.b2 = nn.Parameter(torch.empty(d, d_ff)), nn.Parameter(torch.empty(d))
        self.dropout = dropout

    def forward(self, x: Tensor, batch_sum: BatchSum):
        h = F.dropout(F.relu(x @ self.W1.t() + self.b1), self.dropout, self.training)  # [B, T, dFF]
        return h @ self.W2.t() + self.b2, None, None  # [B, T, d]


class SigmaMoE(nn.Module):
    """sigma-MoE MLP (SPEC 3): y = sum_{e in top-k} sigmoid(x.w_e) relu(x K_e) V_e, with the entropy regulariser
    -H(mean over the global batch of softmax(x W_sel^T)). keys [NE, d, G], values [NE, G, d]."""

    def __init__(self, m: dict, d: int):
        super().__init__()
        NE, G = m["nExperts"], m["expertSize"]
        self.m = m
        self.W_sel = nn.Parameter(torch.empty(NE, d))
        self.keys = nn.Parameter(torch.empty(NE, d, G))
        self.values = nn.Parameter(torch.empty(NE, G, d))

    def forward(self, x: Tensor, batch_sum: BatchSum):
        B, T, d = x.shape
        N, k = B * T, self.m["k"]
        x2 = x.reshape(N, d)  # [N, d]
        drop = self.m["expertDropout"] if self.training else 0.0
        sel = sigmoid_topk(x2, self.W_sel, 1, k, drop, drop_mode="zero")  # idx [N, 1, k]
        experts = sel.idx.view(N, k)  # [N, k]
        hidden = F.relu(expert_matmul(x2, experts, self.keys))  # [N, k, G]
        y = expert_matmul(hidden.reshape(N * k, -1), experts.reshape(N * k, 1), self.values)  # [N*k, 1, d]
        out = (y.view(N, k, d) * sel.gates.view(N, k, 1)).sum(1)  # [N, d]
        reg = self.m["entropyReg"] * neg_marginal_entropy(sel.logits.view(N, -1), batch_sum)
        return out.view(B, T, d), sel, reg


def neg_marginal_entropy(logits: Tensor, batch_sum: BatchSum) -> Tensor:
    """-H(mean over tokens of softmax(logits)): the sigma-MoE regulariser (SPEC 3), the mean over the global batch.
    logits [N, E] -> scalar."""
    probs_sum = batch_sum(torch.softmax(logits, -1).sum(0))  # [E]
    count = batch_sum(logits.new_tensor(float(logits.shape[0])))
    log_mean = torch.log(probs_sum) - torch.log(count)  # [E]
    return (log_mean.exp() * log_mean).sum()
