"""What rank 0 reports about the current weights (engine/train/routing.ts), on the whole batch, without memory:

- routing.jsonl rows: per layer and side (src = K/V, dst = Q/O, mlp = sigma-MoE) and per head, how often each expert
  is selected, its share, mean gate, the normalised entropy and the share of dead experts; for SwitchHead with both
  sides routed, how often each (source expert, destination expert) pair is selected together per head;
- probes/<step>.json: the attention maps and selections of every layer on the probe text, with token names.
"""

import math
from typing import List

import numpy as np
import torch

from .run_state import Run


def head_stats(idx: np.ndarray, gates: np.ndarray, E: int) -> List[dict]:
    """idx, gates [N, G, k] -> per group: selections per expert, share, mean gate, normalised entropy, dead share."""
    out = []
    for g in range(idx.shape[1]):
        counts = np.bincount(idx[:, g].ravel(), minlength=E)
        gate_sum = np.bincount(idx[:, g].ravel(), weights=gates[:, g].ravel().astype(np.float64), minlength=E)
        share = counts / idx[:, g].size
        ent = -sum(p * math.log(p) for p in share if p > 0)
        out.append(
            {
                "head": g,
                "counts": counts.tolist(),
                "share": share.tolist(),
                "meanGate": [float(s / c) if c else 0.0 for s, c in zip(gate_sum, counts)],
                "entropy": ent / math.log(E) if E > 1 else 1.0,
                "deadFraction": float((counts == 0).sum() / E),
            }
        )
    return out


@torch.no_grad()
def layer_selections(run: Run, tokens: torch.Tensor):
    run.model.eval()
    out = run.model(tokens, None)
    def np_sel(s):
        return None if s is None else {k: getattr(s, k).float().cpu().numpy() for k in ("idx", "gates", "scores")}

    return [
        {"attention": a.probs.float().cpu().numpy(), "src": np_sel(a.src), "dst": np_sel(a.dst), "mlp": np_sel(m)}
        for a, m in zip(out.attention, out.mlp_selection)
    ]


def routing_report(run: Run) -> dict:
    """Selection statistics of the current weights on the first validation batch (no memory)."""
    batch = run.data.val_batches[0]
    B, T = batch.input.shape
    layers = layer_selections(run, torch.from_numpy(batch.input).to(run.d.device))
    moe = run.spec["model"]["attention"]["moe"]
    used_by = {"src": [p for p in "KV" if moe[p.lower()]], "dst": [p for p in "QO" if moe[p.lower()]], "mlp": ["MLP"]}
    sides, cooc = [], []
    for l, ly in enumerate(layers):
        for side in ("src", "dst", "mlp"):
            s = ly[side]
            if s is not None:
                stats = head_stats(s["idx"].astype(np.int64), s["gates"], s["scores"].shape[-1])
                sides.append({"layer": l, "side": side, "usedBy": used_by[side], "heads": stats})
        src, dst = ly["src"], ly["dst"]
        if src is None or dst is None:
            continue
        H, k = dst["idx"].shape[1:]
        Tk = src["idx"].shape[0] // B
        si = src["idx"].reshape(B, Tk, H, k)[:, Tk - T :].astype(np.int64)  # [B, T, H, k]
        di = dst["idx"].reshape(B, T, H, k).astype(np.int64)
        Es, Ed = src["scores"].shape[-1], dst["scores"].shape[-1]
        for h in range(H):
            pairs = si[:, :, h, :, None] * Ed + di[:, :, h, None, :]  # [B, T, k, k]
            m = np.bincount(pairs.ravel(), minlength=Es * Ed).reshape(Es, Ed)
            cooc.append({"layer": l, "head": h, "matrix": m.tolist()})
    return {"step": run.step, "tokens": run.tokens, "sides": sides, "cooccurrence": cooc}


def probe_text_for(run: Run) -> str:
    text = run.spec["log"]["probeText"]
    if not run.data.synthetic:
        return text
    try:
        run.data.tokenizer.encode(text)
        return text
    except ValueError:
        b = run.data.val_batches[0]
        return run.data.tokenizer.decode(b.input[0][: min(b.input.shape[1], 32)])


def probe_report(run: Run, text: str) -> dict:
    """Attention maps and selections on the probe text (truncated to the context), batch of one, no memory."""
    ids = run.data.tokenizer.encode(text)[: run.spec["data"]["seqLen"] + 1]
    if len(ids) < 2:
        raise ValueError(f'probe text "{text}" is too short: it must encode to at least 2 tokens')
    T = len(ids) - 1
    layers = layer_selections(run, torch.tensor([ids[:T]], device=run.d.device))
    out = []
    for l, ly in enumerate(layers):
        p = {"layer": l, "attention": ly["attention"][0].tolist()}
        for side in ("src", "dst", "mlp"):
            if ly[side] is not None:
                sel = ly[side]
                p[side] = {k: sel[k].astype(np.int64 if k == "idx" else np.float64).tolist() for k in ("scores", "idx")}
                p[side]["gates"] = sel["gates"].astype(np.float64).tolist()
        out.append(p)
    names = [run.data.tokenizer.token_name(i) for i in ids[:T]]
    return {"step": run.step, "text": text, "tokens": names, "layers": out}
