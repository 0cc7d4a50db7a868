"""The language model (SPEC 4): embedding, pre-LN blocks, final LN, untied output layer; XL memory; the LM loss.

    h = Dropout(emb[tokens])
    per block: h += Dropout(Attn(LN1(h), LN1([memory; h]))); h += Dropout(MLP(LN2(h)))
    logits = Dropout(LN_f(h)) @ W_out^T + b_out
With XL memory each layer also attends to the previous segment's layer inputs (`LMOutput.layer_inputs`, passed back
as `memory`). The attention is SwitchHead, dense or MoA (spec model.attention.kind), the MLP dense or sigma-MoE.
"""

from typing import List, NamedTuple, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import AttentionOut, SwitchHeadAttention
from .batch_sum import BatchSum, local_sum
from .dense_attention import DenseAttention
from .mlp import DenseFFN, SigmaMoE
from .moa_attention import MoAAttention
from .moe import Selection

Tensor = torch.Tensor

ATTENTION = {"switchhead": SwitchHeadAttention, "dense": DenseAttention, "moa": MoAAttention}


class LayerNorm(nn.Module):
    """LayerNorm over the last axis (eps 1e-5) with parameters named w and b, as in the engine."""

    def __init__(self, d: int):
        super().__init__()
        self.w = nn.Parameter(torch.ones(d))
        self.b = nn.Parameter(torch.zeros(d))

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, (x.shape[-1],), self.w, self.b, 1e-5)


class Block(nn.Module):
    """Pre-LN block: h += Dropout(Attn(LN1(h), LN1([memory; h]))); h += Dropout(MLP(LN2(h)))."""

    def __init__(self, model: dict):
        super().__init__()
        d = model["dModel"]
        self.ln1, self.ln2 = LayerNorm(d), LayerNorm(d)
        self.att = ATTENTION[model["attention"]["kind"]](model["attention"], d)
        mlp = model["mlp"]
        self.mlp = SigmaMoE(mlp, d) if mlp["kind"] == "sigma-moe" else DenseFFN(d, model["dFF"], model["dropout"])
        self.dropout = model["dropout"]

    def forward(self, h: Tensor, memory: Optional[Tensor], batch_sum: BatchSum):
        T = h.shape[1]
        kv = self.ln1(torch.cat([memory, h], 1) if memory is not None else h)  # [B, Tm+T, d]
        att = self.att(kv[:, -T:], kv, batch_sum)
        h = h + F.dropout(att.out, self.dropout, self.training)
        mlp_out, mlp_sel, mlp_reg = self.mlp(self.ln2(h), batch_sum)
        h = h + F.dropout(mlp_out, self.dropout, self.training)
        regs = [r for r in (att.reg, mlp_reg) if r is not None]
        return h, att, mlp_sel, regs


class LMOutput(NamedTuple):
    logits: Tensor  # [B, T, V]
    reg: Tensor  # sum over layers of the weighted regularisers (before train.regCoef)
    layer_inputs: List[Tensor]  # each layer's input [B, T, d], detached: the XL memory of the next segment
    attention: List[AttentionOut]  # per layer
    mlp_selection: List[Optional[Selection]]  # per layer (sigma-MoE)


class SwitchHeadLM(nn.Module):
    """Embedding, pre-LN blocks, final LN, untied output layer with bias. tokens [B, T] -> logits [B, T, V].
    With XL memory each layer also attends to the previous segment's layer inputs (pass them back as `memory`)."""

    def __init__(self, model: dict, vocab_size: int):
        super().__init__()
        d = model["dModel"]
        self.model_spec = model
        self.emb = nn.Parameter(torch.empty(vocab_size, d))
        self.layers = nn.ModuleList([Block(model) for _ in range(model["nLayers"])])
        self.ln_f = LayerNorm(d)
        self.W_out = nn.Parameter(torch.empty(vocab_size, d))
        self.b_out = nn.Parameter(torch.empty(vocab_size))

    def forward(self, tokens: Tensor, memory: Optional[List[Tensor]] = None, batch_sum=local_sum) -> LMOutput:
        drop = self.model_spec["dropout"]
        h = F.dropout(self.emb[tokens], drop, self.training)  # [B, T, d]
        reg = h.new_zeros(())
        inputs, atts, sels = [], [], []
        for l, block in enumerate(self.layers):
            inputs.append(h.detach())
            h, att, sel, regs = block(h, memory[l] if memory is not None else None, batch_sum)
            reg = reg + sum(regs) if regs else reg
            atts.append(att)
            sels.append(sel)
        logits = F.dropout(self.ln_f(h), drop, self.training) @ self.W_out.t() + self.b_out  # [B, T, V]
        return LMOutput(logits, reg, inputs, atts, sels)


def lm_loss(logits: Tensor, targets: Tensor, mask: Optional[Tensor] = None, batch_sum: BatchSum = local_sum) -> Tensor:
    """Mean cross-entropy over the scored positions of the global batch (all positions when mask is None).
    logits [B, T, V], targets [B, T], mask [B, T] of 0/1."""
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="none")  # [B*T]
    weight = mask.reshape(-1) if mask is not None else torch.ones_like(ce)
    return batch_sum((ce * weight).sum()) / batch_sum(weight.sum()).clamp(min=1.0)
