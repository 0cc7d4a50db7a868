#!/usr/bin/python3
"""
Golden files of a few whole training steps of the tiny LM (float64, CPU):

    /usr/bin/python3 tools/gen_golden_train.py [--seed 97531] [--out test/fixtures/golden-train] [--check]

What one step is (the engine's semantics, engine/train/{trainer,optimizer,schedule}.ts; SPEC §4, §8):
* forward of the segment with Transformer-XL memory: every layer attends to [previous segment's layer input
  (detached, computed with the previous step's weights) ; current segment], LayerNorm-ed by the same LN1; query
  positions are offset by the memory length (RoPE offset, XL relative offset, causal mask padded with "visible").
  The first segment has no memory.
* loss = mean token cross-entropy + reg_coef * sum over layers of (entropy_reg * sigma-MoE entropy regulariser
  + selection_reg * SwitchHead selection regulariser summed over the two sides + MoA auxiliary losses).
* gradients of all parameters; grad_norm = their global L2 norm (before clipping);
  torch.nn.utils.clip_grad_norm_ (scale by min(1, max_norm / (norm + 1e-6))).
* torch.optim.AdamW: decoupled weight decay on parameters of rank >= 2 only (matrices, expert tensors, embeddings;
  not LayerNorm, biases or scalars), bias-corrected moments, eps outside the square root.
* learning rate of update `step` (0-based): lr * (step + 1) / warmup while step < warmup, then cosine from lr to
  min_lr_ratio * lr over the remaining `steps - warmup` updates.
Dropout and expert dropout are 0 (their random numbers cannot match); everything else is on.

The model is built from the oracle's own blocks (switchhead_oracle.py: selection, expert projections, RoPE,
sinusoid, LayerNorm, sigma-MoE, dense FFN, attention entropy regulariser) and gen.py's init and JSON helpers;
what the oracle lacks (a key/value input longer than the query input, i.e. XL memory; MoA) is added in
tools/oracle_ext.py. The optimiser and the clipping are torch's own (torch.optim.AdamW, clip_grad_norm_);
the two parameter groups (decay on rank >= 2) follow engine/train/optimizer.ts.

The seed is bumped until every routing decision of every step has a top-k margin above MIN_MARGIN, every ReLU
pre-activation of a selected expert (or dense FFN unit) is at least RELU_MARGIN from 0, and the clipping binds
on at least one step and not on at least one other (norm at least 2% from the threshold), so a float32
implementation takes the same discrete decisions. --check first compares the memory-capable attention with the
oracle (no memory: the oracle itself; memory: the last T rows of the oracle on the 2T-long sequence), then
re-runs the whole thing in float32 and reports the
golden metric (max|f32 - f64| / (1 + max|f64|)) of every recorded quantity: a bound on what float32 rounding
alone does to these files.
"""

import argparse
import math
import os
import sys

import torch

ORACLE = os.environ.get("SWITCHHEAD_ORACLE", "/work/shared/switchhead/oracle")
sys.path.insert(0, ORACLE)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen as G  # noqa: E402  (gen.py sets torch's default dtype to float64)
import switchhead_oracle as O  # noqa: E402
from oracle_ext import lm_segment, switchhead_attention_mem  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "test", "fixtures", "golden-train")
MIN_MARGIN = 2e-4  # top-k gap; float32 drift after a few steps is ~1e-6
RELU_MARGIN = 1e-4
CLIP_MARGIN = 0.02

# ------------------------------------------------------------------------------------------------------------
# Training


def learning_rate(hp, step):
    if hp["warmup_steps"] > 0 and step < hp["warmup_steps"]:
        return hp["lr"] * (step + 1) / hp["warmup_steps"]
    if not hp["cosine"]:
        return hp["lr"]
    progress = min(1.0, (step - hp["warmup_steps"]) / max(1, hp["steps"] - hp["warmup_steps"]))
    lo = hp["lr"] * hp["min_lr_ratio"]
    return lo + 0.5 * (hp["lr"] - lo) * (1 + math.cos(math.pi * progress))


def train(p0, batches, cfg, hp, dtype=torch.float64):
    """Run len(batches) steps from weights p0; returns per-step records, final weights and Adam moments."""
    p = {n: t.detach().clone().to(dtype).requires_grad_(True) for n, t in p0.items()}
    decay = [t for t in p.values() if t.dim() >= 2]
    no_decay = [t for t in p.values() if t.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": hp["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"])
    memory, records = None, []
    for step, tokens in enumerate(batches):
        lr = learning_rate(hp, step)
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad()
        ce, reg, layer_inputs, decisions = lm_segment(tokens, p, cfg, memory)
        loss = ce + hp["reg_coef"] * reg
        loss.backward()
        norm = float(torch.nn.utils.clip_grad_norm_(list(p.values()), hp["grad_clip"]))
        opt.step()
        memory = layer_inputs
        records.append({"step": step + 1, "loss": float(loss), "ce": float(ce), "reg": float(reg), "lr": lr,
                        "grad_norm": norm, "clipped": norm > hp["grad_clip"],
                        "min_topk_margin": decisions["topk"], "min_relu_margin": decisions["relu"]})
    state = {n: opt.state[t] for n, t in p.items()}
    moments = {"m": {n: s["exp_avg"] for n, s in state.items()}, "v": {n: s["exp_avg_sq"] for n, s in state.items()}}
    return records, {n: t.detach() for n, t in p.items()}, moments


# ------------------------------------------------------------------------------------------------------------
# Settings and weights


def make_weights(g, cfg):
    """gen.py's init (official-style scales, perturbed LayerNorms) for the LM of `cfg`."""
    d, V, L = cfg["d_model"], cfg["vocab_size"], cfg["n_layers"]
    att, mlp = cfg["att"], cfg["mlp"]
    ws = math.sqrt(2.0 / L)
    p = {"emb": G.normal(g, (V, d), 1 / math.sqrt(d))}
    for l in range(L):
        pre = f"layers.{l}."
        for ln in ("ln1", "ln2"):
            p[pre + ln + ".w"] = 1.0 + G.normal(g, (d,), 0.1)
            p[pre + ln + ".b"] = G.normal(g, (d,), 0.1)
        if att["kind"] == "moa":
            E, dh = att["n_experts"], att["d_head"]
            a = {"W_kv": G.normal(g, (2 * dh, d), ws / math.sqrt(d)), "W_q": G.normal(g, (E, d, dh), ws / math.sqrt(d)),
                 "W_o": G.normal(g, (E, dh, d), ws / math.sqrt(att["k"] * dh)),
                 "W_sel": G.normal(g, (E, d), ws / math.sqrt(d)), "scale": torch.tensor([1 / math.sqrt(dh)])}
            if att["pos"] == "xl":
                a["W_pos"] = G.normal(g, (dh, d), ws / math.sqrt(d))
        else:
            a = G.make_switchhead_params(g, att, d, ws)
        for n, t in a.items():
            p[pre + "att." + n] = t
        if mlp["type"] == "sigma_moe":
            m = G.make_sigma_moe_params(g, d, mlp["n_experts"], mlp["expert_size"], ws)
        else:
            dff = mlp["d_ff"]
            m = {"W1": G.normal(g, (dff, d), ws / math.sqrt(d)), "b1": G.normal(g, (dff,), 0.1),
                 "W2": G.normal(g, (d, dff), ws / math.sqrt(dff)), "b2": G.normal(g, (d,), 0.1)}
        for n, t in m.items():
            p[pre + "mlp." + n] = t
    p["ln_f.w"] = 1.0 + G.normal(g, (d,), 0.1)
    p["ln_f.b"] = G.normal(g, (d,), 0.1)
    p["W_out"] = G.normal(g, (V, d), 1 / math.sqrt(d))
    p["b_out"] = G.normal(g, (V,), 0.1)
    return p


def make_batches(g, cfg, n_steps):
    """Contiguous segments per batch row (as the engine's LmBatcher): row b of step s+1 continues row b of step s,
    so the XL memory carries real context. Returns [n_steps] tensors [B, T+1] (inputs tokens[:, :-1], targets
    tokens[:, 1:])."""
    B, T, V = cfg["batch"], cfg["seq_len"], cfg["vocab_size"]
    stream = torch.randint(0, V, (B, n_steps * T + 1), generator=g)
    return [stream[:, s * T: s * T + T + 1] for s in range(n_steps)]


def att_cfg(kind="switchhead", **c):
    base = {"kind": kind, "n_heads": 2, "n_experts": 4, "d_head": 8, "k": 2, "moe_q": False, "moe_k": False,
            "moe_v": True, "moe_o": True, "pos": "xl", "rotate_fraction": 0.5, "rope_base": 10000.0,
            "xl_memory": True, "selection_reg": 0.0, "moa_mode": "my", "moa_aux": {}}
    base.update(c)
    return base


SETTINGS = {
    "train_switchall_xl": dict(
        description="2-layer SwitchAll LM: SwitchHead (V/O experts, XL relative positions) + sigma-MoE, XL memory "
                    "over 6 segments, AdamW with weight decay, clipping, 2 warm-up steps then cosine to 0.1*lr, "
                    "selection and sigma-MoE entropy regularisers on.",
        cfg={"vocab_size": 11, "d_model": 16, "n_layers": 2, "batch": 2, "seq_len": 4,
             "att": att_cfg(selection_reg=0.05),
             "mlp": {"type": "sigma_moe", "n_experts": 4, "expert_size": 8, "k": 2, "entropy_reg": 0.04}},
        hp={"steps": 6, "lr": 1e-2, "warmup_steps": 2, "cosine": True, "min_lr_ratio": 0.1, "beta1": 0.9,
            "beta2": 0.95, "eps": 1e-4, "weight_decay": 0.1, "grad_clip": 4.0, "reg_coef": 0.5}),
    "train_switchhead_rope_qkvo": dict(
        description="2-layer LM: SwitchHead with experts on Q, K, V and O and RoPE, dense FFN (biases: no weight "
                    "decay), XL memory over 5 segments, AdamW with weight decay, clipping, 1 warm-up step then "
                    "cosine to 0, selection regulariser on.",
        cfg={"vocab_size": 9, "d_model": 12, "n_layers": 2, "batch": 3, "seq_len": 3,
             "att": att_cfg(n_heads=3, n_experts=3, d_head=4, k=2, moe_q=True, moe_k=True, pos="rope",
                            selection_reg=0.1),
             "mlp": {"type": "dense", "d_ff": 20, "entropy_reg": 0.0}},
        hp={"steps": 5, "lr": 2e-2, "warmup_steps": 1, "cosine": True, "min_lr_ratio": 0.0, "beta1": 0.8,
            "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.2, "grad_clip": 2.8, "reg_coef": 2.0}),
    "train_moa_xl": dict(
        description="2-layer LM: MoA ('moa' gates with the cv, switch and z auxiliary losses, XL relative positions, "
                    "learnable scale) + sigma-MoE, XL memory over 5 segments, AdamW with weight decay, clipping, "
                    "warm-up then cosine.",
        cfg={"vocab_size": 10, "d_model": 12, "n_layers": 2, "batch": 2, "seq_len": 4,
             "att": att_cfg("moa", n_heads=1, n_experts=4, d_head=6, k=2, moe_v=False, moe_o=False, moa_mode="moa",
                            moa_aux={"cv": 0.1, "switch": 0.1, "z": 0.01}),
             "mlp": {"type": "sigma_moe", "n_experts": 3, "expert_size": 6, "k": 2, "entropy_reg": 0.02}},
        hp={"steps": 5, "lr": 1e-2, "warmup_steps": 2, "cosine": True, "min_lr_ratio": 0.2, "beta1": 0.9,
            "beta2": 0.99, "eps": 1e-4, "weight_decay": 0.05, "grad_clip": 3.3, "reg_coef": 1.0}),
}


def acceptable(records, hp):
    clip = hp["grad_clip"]
    far = [abs(r["grad_norm"] - clip) / clip > CLIP_MARGIN for r in records]
    return (all(r["min_topk_margin"] > MIN_MARGIN and r["min_relu_margin"] > RELU_MARGIN for r in records)
            and all(far) and any(r["clipped"] for r in records) and not all(r["clipped"] for r in records))


def generate(name, seed):
    s = SETTINGS[name]
    cfg = {**s["cfg"], "layer_norm_eps": 1e-5, "embedding_scale": 1.0, "dropout": 0.0, "expert_dropout": 0.0}
    hp = s["hp"]
    for sub_seed in range(seed, seed + 2000):
        g = torch.Generator().manual_seed(sub_seed)
        p0 = make_weights(g, cfg)
        batches = make_batches(g, cfg, hp["steps"])
        records, final, moments = train(p0, batches, cfg, hp)
        if acceptable(records, hp):
            break
    else:
        raise SystemExit(f"{name}: no acceptable seed in [{seed}, {seed + 2000})")
    obj = G.common_header("lm_training", sub_seed, cfg, s["description"])
    obj["generator"] = "tools/gen_golden_train.py (oracle blocks + torch.optim.AdamW; float64, CPU)"
    obj["conventions"] = {
        "step": "forward (XL memory = previous segment's detached layer inputs) -> loss = ce + reg_coef * reg -> "
                "gradients -> grad_norm (global L2, before clipping) -> clip_grad_norm_(grad_clip) -> AdamW",
        "reg": "sum over layers of entropy_reg * sigma-MoE entropy regulariser + selection_reg * (SwitchHead "
               "selection regulariser of the source side + of the destination side) + MoA auxiliary losses",
        "selection_regulariser": "per side: -mean over batch rows b of H(mean over (time x head) of "
                                 "softmax_E(logits)); the source side includes the memory tokens",
        "weight_decay": "decoupled (torch AdamW): p <- p * (1 - lr * weight_decay) on parameters of rank >= 2 only",
        "adam": "m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2; p <- p - lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)",
        "clipping": "g <- g * min(1, grad_clip / (grad_norm + 1e-6))",
        "lr": "update s (0-based): lr*(s+1)/warmup_steps for s < warmup_steps, then min_lr_ratio*lr + "
              "(1-min_lr_ratio)*lr*(1+cos(pi*min(1,(s-warmup_steps)/max(1,steps-warmup_steps))))/2",
        "tokens": "inputs.tokens[s] is the batch of update s: [B, T+1], inputs [:, :-1], targets [:, 1:]",
        "moa": "see tools/oracle_ext.py MOA_CONVENTIONS",
    }
    obj["train"] = hp
    obj["inputs"] = {"tokens": G.jt(torch.stack(batches), "[n_steps, B, T+1] int64")}
    obj["weights"] = {n: G.jt(t, "initial value (oracle layout, engine parameter name)") for n, t in p0.items()}
    obj["steps"] = records
    obj["final_weights"] = {n: G.jt(t) for n, t in final.items()}
    obj["final_moments"] = {"m": {n: G.jt(t) for n, t in moments["m"].items()},
                            "v": {n: G.jt(t) for n, t in moments["v"].items()}}
    return obj, (p0, batches, cfg, hp, records, final)


def float32_drift(p0, batches, cfg, hp, records, final):
    """Golden metric of a float32 re-run against the float64 reference (what rounding alone does)."""
    r32, f32, _ = train(p0, batches, cfg, hp, torch.float32)

    def metric(a, b):
        a, b = torch.as_tensor(a, dtype=torch.float64).reshape(-1), torch.as_tensor(b, dtype=torch.float64).reshape(-1)
        return float((a - b).abs().max() / (1 + b.abs().max()))

    out = {key: metric([r[key] for r in r32], [r[key] for r in records]) for key in ("loss", "grad_norm", "lr")}
    out["weights"] = max(metric(f32[n], final[n]) for n in final)
    return out


def self_checks():
    """The memory-capable attention against the oracle itself: with no memory it is the oracle's SwitchHead, and
    with memory it equals the last T rows of the oracle on the 2T-long sequence (the memory is the first half)."""
    worst = 0.0
    g = torch.Generator().manual_seed(5)
    for pos in ("none", "rope", "xl"):
        cfg = att_cfg(pos=pos, moe_q=pos == "none", moe_k=pos == "none")
        p = G.make_switchhead_params(g, cfg, 16, 1.0)
        x = G.normal(g, (2, 10, 16), 1.0)
        ref, _ = O.switchhead_attention(x, p, cfg)
        got, _ = switchhead_attention_mem(x, x, p, cfg)
        tail, _ = switchhead_attention_mem(x[:, 5:], x, p, cfg)
        worst = max(worst, float((got - ref).abs().max()), float((tail - ref[:, 5:]).abs().max()))
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=97531)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="report the float32 drift of every file")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    if a.check:
        err = self_checks()
        print(f"attention with memory vs the oracle on the longer sequence: max abs diff {err:.1e}")
        if err > 1e-12:
            raise SystemExit("self-check failed")
    for i, name in enumerate(SETTINGS):
        obj, run = generate(name, a.seed + 1000 * i)
        path = os.path.join(out, name + ".json")
        G.write(path, obj)
        steps = obj["steps"]
        print(f"wrote {path} seed {obj['seed']} {os.path.getsize(path) // 1024} KiB; clipped "
              f"{[int(r['clipped']) for r in steps]}; grad_norm {[round(r['grad_norm'], 3) for r in steps]}; "
              f"margins top-k {min(r['min_topk_margin'] for r in steps):.1e} relu {min(r['min_relu_margin'] for r in steps):.1e}")
        if a.check:
            print("  float32 drift:", {k: f"{v:.1e}" for k, v in float32_drift(*run).items()})


if __name__ == "__main__":
    main()
