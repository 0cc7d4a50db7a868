#!/usr/bin/python3
"""
Golden files for the two attention variants the shipped oracle files do not cover, in the oracle's schema:

    /usr/bin/python3 tools/gen_golden_refs.py [--seed 2468] [--out test/fixtures/golden-refs] [--check]

* `switchhead_attention_e1*`: SwitchHead with one expert per head (the official package's n_experts=1 gated
  head, SPEC §1 "E = 1 special case"). The forward is the oracle's own `switchhead_attention_e1`.
* `moa_attention*`: MoA, mixture of attention heads (SPEC §5.3), both gate modes ("my": sigmoid of the selected
  logits; "moa": the selected softmax probabilities, not renormalised, plus the original auxiliary losses).
  The oracle has no MoA, so `moa_attention` (tools/oracle_ext.py) writes it from SPEC §5.3 with the conventions
  SPEC leaves open taken from engine/model/moa.ts (they are stated in each file's `conventions.moa`).

Like tools/gen_golden_sizes.py this reuses the oracle (its building blocks and gen.py's helpers: init, seed bump
until every top-k margin exceeds gen.MIN_MARGIN, JSON writing) without copying it.

--check compares autograd gradients with central finite differences (float64) for every file written, and the
MoA forward with a slow loop over batch, query token and selected slot (moa_naive).
"""

import argparse
import math
import os
import sys

ORACLE = os.environ.get("SWITCHHEAD_ORACLE", "/work/shared/switchhead/oracle")
sys.path.insert(0, ORACLE)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen as G  # noqa: E402  (gen.py sets torch's default dtype to float64)
import switchhead_oracle as O  # noqa: E402
import torch  # noqa: E402
from oracle_ext import MOA_AUX, MOA_CONVENTIONS, moa_attention, moa_naive  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "test", "fixtures", "golden-refs")

# ------------------------------------------------------------------------------------------------------------

def header(component, seed, cfg, description):
    obj = G.common_header(component, seed, cfg, description)
    obj["generator"] = "tools/gen_golden_refs.py (oracle building blocks + gen.py helpers; float64, CPU)"
    return obj


def finish(obj, x, p, out, R, lay):
    loss = (out * R).sum()
    grads = G.grads_of(loss, {**p, "x": x})
    obj["inputs"] = {"x": G.jt(x, "[B, T, d_model]")}
    obj["weights"] = {n: G.jt(t, lay[n]) for n, t in p.items()}
    obj["loss"] = {"R": G.jt(R, "[B, T, d_model]"), "value": float(loss)}
    obj["grads"] = {n: G.jt(t) for n, t in grads.items()}
    return obj


def gen_e1(seed, name, pos, sizes, description):
    B, T, d, H, dh = sizes
    cfg = {"n_heads": H, "n_experts": 1, "d_head": dh, "k": 1, "moe_q": False, "moe_k": False, "moe_v": False,
           "moe_o": False, "pos": pos, "rotate_fraction": 0.5, "rope_base": 10000.0, "batch": B, "seq_len": T,
           "d_model": d}
    g = torch.Generator().manual_seed(seed)
    x = G.normal(g, (B, T, d), 1.0)
    s_in, s_out = 1 / math.sqrt(d), 1 / math.sqrt(H * dh)
    p = {"W_q": G.normal(g, (H * dh, d), s_in), "W_k": G.normal(g, (H * dh, d), s_in),
         "W_v": G.normal(g, (H * dh, d), s_in), "W_o": G.normal(g, (d, H * dh), s_out),
         "W_sel_dst": G.normal(g, (H, d), 3 * s_in)}  # wider gates: sigma(.) spreads over (0, 1)
    R = G.normal(g, (B, T, d), 1.0)
    x.requires_grad_(True)
    for t in p.values():
        t.requires_grad_(True)
    out = O.switchhead_attention_e1(x, p, cfg)
    lay = {"W_q": "linear [H*d_head, d_model]", "W_k": "linear [H*d_head, d_model]",
           "W_v": "linear [H*d_head, d_model] (dense: one expert)", "W_o": "linear [d_model, H*d_head] (dense)",
           "W_sel_dst": "[H, d_model]: per-head output gate sigma(x @ W_sel_dst^T) multiplies head h's output "
                        "before W_o"}
    obj = header(name, seed, cfg, description)
    obj["official_parameter_names"] = {"W_sel_dst": "switchhead repo (n_experts=1): sel_o"}
    obj["outputs"] = {"out": G.jt(out, "[B, T, d_model]")}
    return finish(obj, x, p, out, R, lay)


def gen_moa(seed, name, mode, pos, sizes, description):
    B, T, d, E, k, dh = sizes
    cfg = {"n_experts": E, "k": k, "d_head": dh, "pos": pos, "moa_mode": mode, "batch": B, "seq_len": T,
           "d_model": d, "moa_aux": {"cv": 0.3, "switch": 0.2, "z": 0.05} if mode == "moa" else {}}
    sub = 0
    while True:
        g = torch.Generator().manual_seed(seed + sub)
        x = G.normal(g, (B, T, d), 1.0)
        p = {"W_kv": G.normal(g, (2 * dh, d), 1 / math.sqrt(d)), "W_q": G.normal(g, (E, d, dh), 1 / math.sqrt(d)),
             "W_o": G.normal(g, (E, dh, d), 1 / math.sqrt(k * dh)), "W_sel": G.normal(g, (E, d), 1 / math.sqrt(d)),
             "scale": torch.tensor([0.8 / math.sqrt(dh)])}  # not the init value: a fixed-scale bug must show
        if pos == "xl":
            p["W_pos"] = G.normal(g, (dh, d), 1 / math.sqrt(d))
        R = G.normal(g, (B, T, d), 1.0)
        with torch.no_grad():
            _, aux = moa_attention(x, x, p, cfg)
        if G.min_topk_margin(aux["scores"], k) > G.MIN_MARGIN:
            break
        sub += 1
    x.requires_grad_(True)
    for t in p.values():
        t.requires_grad_(True)
    out, aux = moa_attention(x, x, p, cfg)
    lay = {"W_kv": "linear [2*d_head, d_model]; rows [0, d_head) = K, [d_head, 2*d_head) = V, shared by all heads",
           "W_q": "expert weight [E, d_model, d_head]: query of expert e", "W_o": "expert weight [E, d_head, d_model]",
           "W_sel": "router [E, d_model]; logits = x @ W_sel^T", "scale": "[1] learnable score scale (sqrt on q and k)",
           "W_pos": "linear [d_head, d_model]: one positional projection shared by all heads"}
    obj = header(name, seed + sub, cfg, description)
    obj["conventions"]["moa"] = MOA_CONVENTIONS
    obj["official_parameter_names"] = {"W_kv": "moe_attention repo moa.py: data_to_kv", "W_q": "data_to_q",
                                       "W_o": "out_proj", "W_sel": "sel_dst", "scale": "scale", "W_pos": "pos_to_pk"}
    obj["outputs"] = {"out": G.jt(out, "[B, T, d_model]"),
                      "attention_probs": G.jt(aux["probs"], "[B, k, T_query, T_key] per selected slot (idx order)"),
                      "head_outputs": G.jt(aux["head_outputs"], "[B, T, k, d_head] = probs @ V per selected slot")}
    obj["selection"] = {"dst": {
        "used_by": ["Q", "O"], "logits": G.jt(aux["logits"][..., None, :], "[B, T, 1, E]"),
        "scores": G.jt(aux["scores"][..., None, :], "[B, T, 1, E] = sigmoid(logits)"),
        "idx": G.jt(aux["idx"][..., None, :], "[B, T, 1, k] decreasing score"),
        "gates": G.jt(aux["gates"][..., None, :], "[B, T, 1, k] ('my': sigmoid, 'moa': softmax probability)"),
        "min_topk_margin": G.min_topk_margin(aux["scores"], k)}}
    finish(obj, x, p, out, R, lay)
    if "aux_loss" in aux:
        ag = G.grads_of(aux["aux_loss"], {"W_sel": p["W_sel"], "x": x})
        obj["aux_loss"] = {"definition": MOA_AUX, "coefficients": cfg["moa_aux"], "value": float(aux["aux_loss"]),
                           "grads": {n: G.jt(t) for n, t in ag.items()}}
    return obj


def files(seed):
    return {
        "switchhead_attention_e1": gen_e1(
            seed, "switchhead_attention_e1", "none", (2, 6, 12, 3, 4),
            "SwitchHead with n_experts = 1 (official switchhead package): dense Q, K, V, O and a learned per-head "
            "sigmoid gate sigma(x @ W_sel_dst^T) on each head's attention output; no positional encoding."),
        "switchhead_attention_e1_rope": gen_e1(
            seed + 10, "switchhead_attention_e1_rope", "rope", (3, 5, 16, 2, 8),
            "SwitchHead with n_experts = 1 and RoPE on the first int(0.5*d_head) channels of q and k."),
        "moa_attention": gen_moa(
            seed + 20, "moa_attention", "my", "xl", (2, 6, 16, 5, 2, 6),
            "MoA (SPEC 5.3), gate mode 'my' (sigmoid of the selected router logits), Transformer-XL relative "
            "position term, no memory."),
        "moa_attention_moa": gen_moa(
            seed + 30, "moa_attention_moa", "moa", "none", (3, 5, 12, 4, 3, 4),
            "MoA (SPEC 5.3), gate mode 'moa' (selected softmax probabilities, not renormalised) with the cv, switch "
            "and z auxiliary losses, no positional term."),
    }


def finite_difference_check(obj, component):
    """Central differences of sum(out * R) against the stored gradients, a few entries per tensor."""
    x = torch.tensor(obj["inputs"]["x"]["data"])
    p = {n: torch.tensor(t["data"]) for n, t in obj["weights"].items()}
    R = torch.tensor(obj["loss"]["R"]["data"])
    cfg = obj["config"]

    def loss(p, x):
        with torch.no_grad():
            out = (O.switchhead_attention_e1(x, p, cfg) if component == "e1" else moa_attention(x, x, p, cfg)[0])
            return float((out * R).sum())

    worst = 0.0
    g = torch.Generator().manual_seed(0)
    for n, ref in list(obj["grads"].items()):
        t = x if n == "x" else p[n]
        ref = torch.tensor(ref["data"])
        for _ in range(4):
            i = int(torch.randint(0, t.numel(), (1,), generator=g))
            old = float(t.view(-1)[i])
            h = 1e-6
            t.view(-1)[i] = old + h
            up = loss(p, x)
            t.view(-1)[i] = old - h
            down = loss(p, x)
            t.view(-1)[i] = old
            fd = (up - down) / (2 * h)
            worst = max(worst, abs(fd - float(ref.view(-1)[i])) / (1 + abs(fd)))
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2468)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="finite-difference check of the written gradients")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    fail = False
    for name, obj in files(a.seed).items():
        path = os.path.join(out, name + ".json")
        G.write(path, obj)
        msg = f"wrote {path} seed {obj['seed']} {os.path.getsize(path) // 1024} KiB"
        if a.check and "moa" in name:
            with torch.no_grad():
                x = torch.tensor(obj["inputs"]["x"]["data"])
                p = {n: torch.tensor(t["data"]) for n, t in obj["weights"].items()}
                naive = float((moa_naive(x, p, obj["config"]) - torch.tensor(obj["outputs"]["out"]["data"])).abs().max())
            fail |= naive > 1e-12
            msg += f" naive-loop err {naive:.1e}"
        if a.check:
            err = finite_difference_check(obj, "e1" if "e1" in name else "moa")
            fail |= err > 1e-6
            msg += f" finite-difference err {err:.1e}"
        print(msg)
    if a.check:
        print("ALL PASSED" if not fail else "FAILURES")
        sys.exit(1 if fail else 0)


if __name__ == "__main__":
    main()
