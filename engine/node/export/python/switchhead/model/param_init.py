"""The paper's initialisation (SPEC 4), by parameter name, deterministic under the spec's seed.

`init_rule` says how each parameter is drawn (normal, truncated normal, uniform, constant, or rows of equal norm for
the sigma-MoE selection); `init_parameters` draws them all on the CPU from one torch generator and copies them in,
so every device and every rank gets the same values. The random streams are torch's, not the engine's.
"""

import math

import torch

from .lm import SwitchHeadLM

Tensor = torch.Tensor


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
