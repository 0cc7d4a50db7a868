"""Where the tokens are (SPEC 2): the sinusoid, RoPE, the Transformer-XL relative position term, and the causal mask.

Memory keys (XL memory, SPEC 4) come first: with Tk keys for T queries, query i sits at key position i + (Tk - T).
The constant tables (sinusoids, RoPE angles, offset columns, masks) are built once per shape and device.
"""

import math
from typing import Callable, Dict

import torch

Tensor = torch.Tensor

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
    pe = torch.zeros(offsets.shape[0], d, dtype=torch.float64)  # [P, d]
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
    return by_offset.gather(-1, col.expand(B, H, T, Tk))  # [B, H, T, Tk]


def masked_softmax(scores: Tensor) -> Tensor:
    """softmax over keys with the causal mask; scores [B, H, T, Tk], memory keys first (always visible)."""
    T, Tk = scores.shape[-2:]
    mask = _table(
        ("mask", T, Tk, scores.device),
        lambda: (torch.arange(Tk)[None, :] > torch.arange(T)[:, None] + (Tk - T)).to(scores.device),
    )  # [T, Tk], True = hidden
    return torch.softmax(scores.masked_fill(mask, float("-inf")), -1)
