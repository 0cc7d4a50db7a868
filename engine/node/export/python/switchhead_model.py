"""The SwitchHead language model in plain PyTorch, exported from SwitchHead Workbench.

SwitchHead (Csordas, Piekos, Irie, Schmidhuber, arXiv 2312.07987) is multi-head attention in which a head's
value and output projections (optionally also query and key) are mixtures of k out of E experts, chosen per
token by a non-competitive sigmoid router. The number of attention matrices is H, not H*E.

This file is the whole model: SwitchHead attention (MoE on any of Q/K/V/O), the dense baselines (Transformer-XL
relative attention, RoPE, none), MoA, the sigma-MoE MLP of "SwitchAll", pre-LN blocks, the LM with XL memory, and
the paper's initialisation. It reproduces the workbench engine's forward pass to float32 rounding, and its
parameter names are the engine's, so checkpoints (safetensors) load both ways:
    emb, layers.<l>.{ln1,ln2}.{w,b}, layers.<l>.att.{W_q,W_k,W_v,W_o,W_sel_src,W_sel_dst,W_pos,...},
    layers.<l>.mlp.{W1,b1,W2,b2 | W_sel,keys,values}, ln_f.{w,b}, W_out, b_out.
Layouts: Linear weights are [out, in] (y = x @ W.T); expert weights are [H*E, d_in, d_out], expert e of head h at
index h*E + e (y = x @ W[h*E + e]); selection weights are [H*E, d] (logits viewed as [..., H, E]).

Depends on torch only. Everything a data-parallel run needs is one argument: `batch_sum`, a function that sums a
tensor over all data-parallel ranks (identity in a single process). The regularisers are means over the global
batch, so with it a run on N processes computes exactly the loss of one process on the whole batch.
"""

import math
from typing import Callable, Dict, List, NamedTuple, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

Tensor = torch.Tensor
BatchSum = Callable[[Tensor], Tensor]


def local_sum(x: Tensor) -> Tensor:
    """batch_sum of a single process: nothing to add."""
    return x


# ----------------------------------------------------------------------------------------------------------------
# Building blocks
# ----------------------------------------------------------------------------------------------------------------


class LayerNorm(nn.Module):
    """LayerNorm over the last axis (eps 1e-5) with parameters named w and b, as in the engine."""

    def __init__(self, d: int):
        super().__init__()
        self.w = nn.Parameter(torch.ones(d))
        self.b = nn.Parameter(torch.zeros(d))

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, (x.shape[-1],), self.w, self.b, 1e-5)


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


def neg_marginal_entropy(logits: Tensor, batch_sum: BatchSum) -> Tensor:
    """-H(mean over tokens of softmax(logits)): the sigma-MoE regulariser (SPEC 3), the mean over the global batch.
    logits [N, E] -> scalar."""
    probs_sum = batch_sum(torch.softmax(logits, -1).sum(0))  # [E]
    count = batch_sum(logits.new_tensor(float(logits.shape[0])))
    log_mean = torch.log(probs_sum) - torch.log(count)  # [E]
    return (log_mean.exp() * log_mean).sum()


_tables: Dict[tuple, Tensor] = {}


def _table(key: tuple, build: Callable[[], Tensor]) -> Tensor:
    """Constant tables (sinusoids, RoPE angles, masks), built once per shape and device."""
    if key not in _tables:
        _tables[key] = build()
    return _tables[key]


def sinusoid(offsets: Tensor, d: int) -> Tensor:
    """Interleaved sinusoid of the signed offsets: pe[2m] = sin(p w_m), pe[2m+1] = cos(p w_m), w_m = 10000^(-2m/d).
    Computed in float64, returned as float32: [P, d]."""
    p = offsets.to(torch.float64)[:, None]  # [P, 1]
    w = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * (-math.log(10000.0) / d))  # [ceil(d/2)]
    pe = torch.zeros(offsets.shape[0], d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(p * w)
    pe[:, 1::2] = torch.cos(p * w[: d // 2])
    return pe.to(torch.float32)


def rope(x: Tensor, n_rot: int, base: float, offset: int) -> Tensor:
    """Rotary embedding (SPEC 2.2) on the first n_rot channels, half-split convention; row t has position
    t + offset and channel pair (m, m + n_rot/2) turns by (t + offset) * base^(-2m/n_rot). x [B, H, T, dh]."""
    if n_rot <= 0:
        return x
    T, half = x.shape[2], n_rot // 2

    def build():
        w = torch.tensor([base ** (-2 * m / n_rot) for m in range(half)], dtype=torch.float64)
        ang = (torch.arange(T, dtype=torch.float64) + offset)[:, None] * w  # [T, half]
        return torch.stack([torch.cos(ang), torch.sin(ang)]).to(torch.float32).to(x.device)

    cos, sin = _table(("rope", T, n_rot, base, offset, x.device), build)  # [T, half] each
    x1, x2, rest = x[..., :half], x[..., half:n_rot], x[..., n_rot:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin, rest], -1)  # [B, H, T, dh]


def xl_position_scores(q: Tensor, W_pos: Tensor, d_model: int, Tk: int, pe_scale: float) -> Tensor:
    """Transformer-XL relative term (SPEC 2.1): out[b,h,i,j] = q[b,h,i] . (W_pos pe(j - i - Tm) * pe_scale)_h, with
    Tm = Tk - T memory keys in front. q [B, H, T, dh] (any bias already added), W_pos [H*dh, d] -> [B, H, T, Tk].
    Entries with j > i + Tm are masked later and hold unspecified finite values."""
    B, H, T, dh = q.shape
    pe = _table(("pe", Tk, d_model, q.device), lambda: sinusoid(torch.arange(-(Tk - 1), 1), d_model).to(q.device))
    k_pos = ((pe * pe_scale) @ W_pos.t()).view(Tk, H, dh)  # [Tk, H, dh]: column c holds offset c - (Tk - 1)
    by_offset = torch.einsum("bhid,chd->bhic", q, k_pos)  # [B, H, T, Tk]
    col = _table(
        ("relcol", T, Tk, q.device),
        lambda: (torch.arange(Tk)[None, :] - torch.arange(T)[:, None] + T - 1).clamp(0, Tk - 1).to(q.device),
    )  # [T, Tk]: key j of query i has offset j - i - Tm, i.e. column j - i + T - 1
    return by_offset.gather(-1, col.expand(B, H, T, Tk))


def masked_softmax(scores: Tensor) -> Tensor:
    """softmax over keys with the causal mask; scores [B, H, T, Tk], memory keys first (always visible)."""
    T, Tk = scores.shape[-2:]
    mask = _table(
        ("mask", T, Tk, scores.device),
        lambda: (torch.arange(Tk)[None, :] > torch.arange(T)[:, None] + (Tk - T)).to(scores.device),
    )  # [T, Tk], True = hidden
    return torch.softmax(scores.masked_fill(mask, float("-inf")), -1)


def to_heads(x: Tensor, B: int, T: int, H: int) -> Tensor:
    """[B*T, H*dh] or [B, T, H*dh] -> [B, H, T, dh]"""
    return x.reshape(B, T, H, -1).transpose(1, 2)


class AttentionOut(NamedTuple):
    out: Tensor  # [B, T, d]
    probs: Tensor  # [B, heads, T, Tk] attention matrices
    src: Optional[Selection]  # source side (K/V) selection, rows = B*Tk
    dst: Optional[Selection]  # destination side (Q/O) selection, rows = B*T
    reg: Optional[Tensor]  # regulariser already weighted by its coefficient


# ----------------------------------------------------------------------------------------------------------------
# Attention variants
# ----------------------------------------------------------------------------------------------------------------


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
            return to_heads(x @ W.t(), B, T, H)
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
        return AttentionOut((u @ self.W_o.t()).view(B, T, d), probs, None, None, None)


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
        xq = x.reshape(N, d)
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


# ----------------------------------------------------------------------------------------------------------------
# Feed-forward blocks
# ----------------------------------------------------------------------------------------------------------------


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
        x2 = x.reshape(N, d)
        drop = self.m["expertDropout"] if self.training else 0.0
        sel = sigmoid_topk(x2, self.W_sel, 1, k, drop, drop_mode="zero")  # idx [N, 1, k]
        experts = sel.idx.view(N, k)
        hidden = F.relu(expert_matmul(x2, experts, self.keys))  # [N, k, G]
        y = expert_matmul(hidden.reshape(N * k, -1), experts.reshape(N * k, 1), self.values)  # [N*k, 1, d]
        out = (y.view(N, k, d) * sel.gates.view(N, k, 1)).sum(1)  # [N, d]
        reg = self.m["entropyReg"] * neg_marginal_entropy(sel.logits.view(N, -1), batch_sum)
        return out.view(B, T, d), sel, reg


# ----------------------------------------------------------------------------------------------------------------
# The language model (SPEC 4)
# ----------------------------------------------------------------------------------------------------------------

ATTENTION = {"switchhead": SwitchHeadAttention, "dense": DenseAttention, "moa": MoAAttention}


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


# ----------------------------------------------------------------------------------------------------------------
# Initialisation (SPEC 4), by parameter name
# ----------------------------------------------------------------------------------------------------------------


def init_rule(name: str, shape: tuple, model: dict) -> tuple:
    """(kind, value) of one parameter: ('normal', std), ('truncnormal', std), ('uniform', bound), ('const', c) or
    ('sel-rows', std): normal, then every row rescaled to the same L2 norm, the global std kept."""
    d, L = model["dModel"], model["nLayers"]
    ws = math.sqrt(2 / L)  # [MA] init_std_scale
    leaf = name.split(".")[-1]
    prenorm = ("truncnormal", math.sqrt(2 / (L * shape[-1])))  # reset_prenorm_params: fan_in = last dim
    if name == "emb":
        return ("normal", 1 / math.sqrt(d))  # kaiming_normal_, fan_in d
    if name in ("W_out", "b_out"):
        return ("uniform", 1 / math.sqrt(d))  # torch Linear default
    if "ln" in name and leaf in ("w", "b"):
        return ("const", 1.0 if leaf == "w" else 0.0)
    if ".mlp." in name:
        m = model["mlp"]
        if m["kind"] == "dense":
            return ("const", 0.0) if leaf.startswith("b") else prenorm
        if leaf == "W_sel":
            return ("sel-rows", ws / math.sqrt(d))  # norm_expert_sel_init
        return ("normal", ws / math.sqrt(m["nExperts"] * m["expertSize"]) if leaf == "values" else ws / math.sqrt(d))
    a = model["attention"]
    if leaf in ("u_content", "v_pos"):
        return ("const", 0.0)
    if leaf == "scale":
        return ("const", 1 / math.sqrt(a["dHead"]))
    if a["kind"] == "dense":
        return prenorm
    if leaf == "W_o":
        return ("normal", ws / math.sqrt((a["k"] if a["kind"] == "moa" else a["nHeads"]) * a["dHead"]))
    return ("normal", ws / math.sqrt(d))  # W_q, W_k, W_v, W_kv, selections, W_pos


def _sample(rule: tuple, shape: tuple, g: torch.Generator) -> Tensor:
    kind, v = rule
    if kind == "const":
        return torch.full(shape, v)
    if kind == "normal":
        return torch.randn(shape, generator=g) * v
    if kind == "uniform":
        return (torch.rand(shape, generator=g) * 2 - 1) * v
    if kind == "truncnormal":  # torch trunc_normal_(std=1, a=-2, b=2) by the inverse CDF, rescaled to std v
        lo, hi = [0.5 * (1 + math.erf(z / math.sqrt(2))) for z in (-2.0, 2.0)]
        u = lo + (hi - lo) * torch.rand(shape, generator=g, dtype=torch.float64)
        return (torch.erfinv(2 * u - 1) * math.sqrt(2)).clamp(-2, 2).float() * (v / 0.8796)
    rows = torch.randn(shape, generator=g) * v  # sel-rows
    rows = rows / rows.norm(dim=-1, keepdim=True)
    return rows * (v / rows.std(unbiased=False))


def init_parameters(lm: SwitchHeadLM, seed: int) -> None:
    """Initialise every parameter by its name (SPEC 4), deterministically under `seed` (on the CPU, then copied,
    so every device and every rank gets the same values). The random streams are torch's, not the engine's."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in lm.named_parameters():
            p.copy_(_sample(init_rule(name, tuple(p.shape), lm.model_spec), tuple(p.shape), g))
