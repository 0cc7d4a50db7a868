#!/usr/bin/python3
"""
Golden files of other sizes, in exactly the schema of the shipped oracle files:

    /usr/bin/python3 tools/gen_golden_sizes.py [--seed 4321] [--out test/fixtures/golden-extra] [--check]

The shipped generator (/work/shared/switchhead/oracle/gen.py) fixes B=2, T=5, d_model=16 (and the expert
counts of the sigma-MoE and the tiny LM) as literals inside its per-component functions. We do not copy or
edit it. Instead we take the source of each generator function, replace exactly those size literals by
lookups into a `_SIZES` dict, and compile the result inside a copy of gen.py's namespace. Everything else
(weight init, the seed bump until every top-k margin exceeds gen.MIN_MARGIN = 1e-3, the JSON layout, the
descriptions) is gen.py's own code. If gen.py changes so that a literal is no longer found exactly once, this
script stops with an error instead of silently writing shipped-size files.

--check re-runs the oracle's own self-checks (test_oracle.py: reproduction at 1e-12, the naive loop
reference, central finite differences) on the files just written.
"""

import argparse
import inspect
import json
import os
import sys

ORACLE = os.environ.get("SWITCHHEAD_ORACLE", "/work/shared/switchhead/oracle")
sys.path.insert(0, ORACLE)
import gen  # noqa: E402  (gen.py sets torch's default dtype to float64)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "test", "fixtures", "golden-extra")

# The literal size lines of gen.py, per generator function, and what replaces them.
SIZE_LITERALS = {
    "gen_switchhead": [("B, T, d = 2, 5, 16", 'B, T, d = _SIZES["B"], _SIZES["T"], _SIZES["d"]')],
    "gen_dense": [("B, T, d = 2, 5, 16", 'B, T, d = _SIZES["B"], _SIZES["T"], _SIZES["d"]')],
    "gen_sigma_moe": [
        ("B, T, d = 2, 5, 16", 'B, T, d = _SIZES["B"], _SIZES["T"], _SIZES["d"]'),
        ('"n_experts": 4, "expert_size": 8, "k": 2,',
         '"n_experts": _SIZES["NE"], "expert_size": _SIZES["G"], "k": _SIZES["k"],'),
    ],
    "gen_tiny_lm": [
        ("B, T, d, V, L = 2, 5, 16, 11, 2", 'B, T, d, V, L = _SIZES["B"], _SIZES["T"], _SIZES["d"], _SIZES["V"], _SIZES["L"]'),
        ('{"n_heads": 2, "n_experts": 4, "d_head": 8, "k": 2,',
         '{"n_heads": _SIZES["H"], "n_experts": _SIZES["E"], "d_head": _SIZES["dh"], "k": _SIZES["k"],'),
        ('"n_experts": 4, "expert_size": 8, "k": 2}',
         '"n_experts": _SIZES["mlp_NE"], "expert_size": _SIZES["mlp_G"], "k": _SIZES["mlp_k"]}'),
    ],
}


def sized(fn_name, sizes):
    """gen.<fn_name> with its size literals replaced by `sizes` (a fresh function; gen itself is untouched)."""
    src = inspect.getsource(getattr(gen, fn_name))
    for old, new in SIZE_LITERALS[fn_name]:
        n = src.count(old)
        if n != 1:
            raise SystemExit(f"gen.py changed: expected the literal {old!r} exactly once in {fn_name}, found {n}")
        src = src.replace(old, new)
    ns = dict(vars(gen))  # helpers (normal, jt, make_switchhead_params, O, MIN_MARGIN, ...) stay gen's own
    ns["_SIZES"] = dict(sizes)
    exec(compile(src, f"{gen.__file__}:{fn_name}[resized]", "exec"), ns)
    return ns[fn_name]


def att(n_heads, n_experts, d_head, k, **extra):
    return {"n_heads": n_heads, "n_experts": n_experts, "d_head": d_head, "k": k, **extra}


def files(seed):
    """name -> (generator, its arguments). Sizes differ from the shipped ones in every dimension; the RoPE
    files use d_head with int(rotate_fraction*d_head) even, the XL files an even d_model (sinusoid width)."""
    sh = lambda **s: sized("gen_switchhead", s)  # noqa: E731
    dn = lambda **s: sized("gen_dense", s)  # noqa: E731
    return {
        "switchhead_attention": (sh(B=3, T=7, d=24), seed + 0, "switchhead_attention", att(3, 5, 6, 3, pos="none"),
                                 "SwitchHead causal self-attention, MoE on V and O (paper default), no positional encoding."),
        "switchhead_attention_rope": (sh(B=2, T=6, d=32), seed + 100, "switchhead_attention_rope",
                                      att(4, 3, 12, 2, pos="rope"),
                                      "SwitchHead causal self-attention, MoE on V and O, RoPE on the first rotate_fraction*d_head channels of q and k (half-split rotate_half convention, base 10000)."),
        "switchhead_attention_qkvo": (sh(B=2, T=6, d=18), seed + 200, "switchhead_attention_qkvo",
                                      att(3, 4, 5, 3, pos="none", moe_q=True, moe_k=True),
                                      "SwitchHead with MoE on all of Q, K, V, O (ablation variant). K shares the source-side selection with V, Q shares the destination-side selection with O (defaults of the training code)."),
        "switchhead_attention_xl": (sh(B=1, T=9, d=20), seed + 300, "switchhead_attention_xl",
                                    att(2, 6, 10, 1, pos="xl"),
                                    "SwitchHead with the Transformer-XL-style relative positional term of the official SwitchHeadXL / FullMoeRelativeAttention (no memory, no u/v biases): score = q.k + q.(W_pos (pe(j-i) * d_head^-1/4)), q,k pre-scaled by d_head^-1/4."),
        "dense_attention": (dn(B=3, T=4, d=10), seed + 400, "dense_attention", {"n_heads": 1, "d_head": 7, "pos": "none"},
                            "Standard causal multi-head attention baseline (no biases, no positional encoding), scale 1/sqrt(d_head)."),
        "dense_attention_rope": (dn(B=2, T=7, d=20), seed + 500, "dense_attention_rope",
                                 {"n_heads": 4, "d_head": 16, "pos": "rope", "rotate_fraction": 0.25, "rope_base": 500.0},
                                 "Standard causal multi-head attention with RoPE on the first rotate_fraction*d_head channels (official FastRopeAttention math). Non-default rotate_fraction 0.25 and rope_base 500."),
        "dense_attention_xl": (dn(B=2, T=8, d=14), seed + 600, "dense_attention_xl", {"n_heads": 3, "d_head": 5, "pos": "xl"},
                               "Transformer-XL relative multi-head attention of the official baseline (FixedRelativeMultiheadAttention) without memory: score = scale*[(q+u).k_j + (q+v).W_pos pe(j-i)]."),
        "sigma_moe_mlp": (sized("gen_sigma_moe", dict(B=2, T=7, d=12, NE=6, G=5, k=3)), seed + 700, "sigma_moe_mlp",
                          "sigma-MoE feed-forward layer (SwitchAll MLP): sigmoid gate, top-k experts, ReLU experts, gates not renormalised; plus the entropy regulariser."),
        "tiny_lm": (sized("gen_tiny_lm", dict(B=2, T=6, d=24, V=13, L=3, H=2, E=3, dh=8, k=2, mlp_NE=3, mlp_G=6, mlp_k=2)),
                    seed + 800, "tiny_lm",
                    "Tiny 3-layer pre-LN SwitchAll LM (SwitchHead attention with RoPE + sigma-MoE MLP), next-token cross-entropy."),
    }


def run_oracle_checks(out_dir):
    """test_oracle.py's checks 1-3 on out_dir (it reads files from its module-level GOLD)."""
    import test_oracle as TO
    TO.GOLD = out_dir
    for fn in ("switchhead_attention", "switchhead_attention_rope", "switchhead_attention_qkvo", "switchhead_attention_xl"):
        TO.test_attention_file(fn + ".json", "switchhead")
    for fn in ("dense_attention", "dense_attention_rope", "dense_attention_xl"):
        TO.test_attention_file(fn + ".json", "dense")
    TO.test_sigma_moe()
    TO.test_tiny_lm()
    return TO.FAIL


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="run the oracle self-checks on the written files")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    total = 0
    for name, (fn, *args) in files(a.seed).items():
        obj = fn(*args)
        obj["generator"] = "tools/gen_golden_sizes.py (oracle/gen.py generators with other sizes; float64, CPU)"
        path = os.path.join(out, name + ".json")
        gen.write(path, obj)
        size = os.path.getsize(path)
        total += size
        c = obj["config"]
        dims = {k: c[k] for k in ("batch", "seq_len", "d_model", "n_heads", "n_experts", "d_head", "k",
                                  "expert_size", "vocab_size", "n_layers") if k in c}
        print(f"wrote {path} seed {obj['seed']} {size // 1024} KiB {json.dumps(dims)}")
    print(f"total {total / 2**20:.2f} MiB")
    if a.check:
        fail = run_oracle_checks(out)
        print("ALL PASSED" if not fail else f"FAILURES: {fail}")
        sys.exit(1 if fail else 0)


if __name__ == "__main__":
    main()
