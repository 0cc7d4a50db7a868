"""
What the golden generators add to the shipped oracle (/work/shared/switchhead/oracle), built from its own blocks
(switchhead_oracle.py) and written from SPEC.md:

* `switchhead_attention_mem`: SwitchHead whose key/value input starts with Transformer-XL memory (SPEC §1, §2, §4):
  query positions offset by the memory length for RoPE and the XL relative term, the causal mask padded with
  "visible", source-side selection computed on every key/value token, memory included.
* `moa_attention`: MoA (SPEC §5.3), which the oracle lacks, with the conventions of MOA_CONVENTIONS; `moa_naive`,
  the same forward as slow loops, to check it.
* `lm_segment`: the tiny LM of the oracle's `tiny_lm` on one segment with XL memory and the regularisers of the
  engine's loss (tools/gen_golden_train.py).
"""

import os
import sys

import torch
import torch.nn.functional as F

ORACLE = os.environ.get("SWITCHHEAD_ORACLE", "/work/shared/switchhead/oracle")
sys.path.insert(0, ORACLE)
import gen as G  # noqa: E402  (gen.py sets torch's default dtype to float64)
import switchhead_oracle as O  # noqa: E402

MOA_CONVENTIONS = (
    "SPEC 5.3 with engine/model/moa.ts's choices where SPEC is silent: W_kv [2*d_head, d_model] rows [0, d_head) give "
    "K and [d_head, 2*d_head) give V (shared by every head); router logits = x @ W_sel^T [.., E], top-k of "
    "sigmoid(logits) per token (sorted by decreasing score); gates 'my' = sigmoid(logits)[idx], 'moa' = "
    "softmax(logits)[idx] (not renormalised); for each selected expert e: q = x @ W_q[e]; score = scale * (q.k_j + "
    "q.(W_pos pe(j - i - T_mem))) (pe = interleaved sinusoid of width d_model, as the SwitchHead XL term; the "
    "learnable scalar `scale` multiplies content and position term alike; no position term when pos = 'none'); "
    "causal softmax over keys; out = sum_j gate_j * (probs_j @ V) @ W_o[e_j]. attention_probs [B, k, T, T_k] and "
    "head_outputs [B, T, k, d_head] are per selected slot, in idx order."
)
MOA_AUX = (
    "moa mode only, each term times its coefficient (0 = off): cv = var(importance) / (mean(importance)^2 + 1e-10) "
    "with importance_e = sum of the gates of expert e over tokens and slots and var the population variance (divide "
    "by E); switch = E * sum_e f_e P_e, f_e = share of the N*k selections that chose e (no gradient), P_e = mean over "
    "tokens of softmax(logits)_e; z = mean over tokens of logsumexp(logits)^2."
)


def relative_offsets(T, Tk, dtype):
    """[T, Tk] signed offsets key_pos - query_pos for queries at T_mem..T_mem+T-1 (T_mem = Tk - T)."""
    Tm = Tk - T
    return torch.arange(Tk, dtype=dtype)[None, :] - (torch.arange(T, dtype=dtype)[:, None] + Tm)


def causal_mask_mem(T, Tk):
    """True where query i (position T_mem + i) may NOT attend key j: j > i + T_mem. Memory keys are all visible."""
    return torch.arange(Tk)[None, :] > torch.arange(T)[:, None] + (Tk - T)


def moa_attention(xq, xkv, p, cfg):
    """MoA (SPEC 5.3), dense "all experts x sparse gate" form. xq [B, T, d]; xkv [B, Tk, d] (memory first).
    p: W_kv [2dh, d], W_q [E, d, dh], W_o [E, dh, d], W_sel [E, d], scale [1], W_pos [dh, d] (pos 'xl').
    Returns out [B, T, d] and aux (selection, probs and head outputs per selected slot, auxiliary loss)."""
    B, T, d = xq.shape
    Tk = xkv.shape[1]
    E, k, dh = cfg["n_experts"], cfg["k"], cfg["d_head"]
    sel = O.sigmoid_topk(xq, p["W_sel"], 1, k)
    logits, idx = sel["logits"][..., 0, :], sel["idx"][..., 0, :]  # [B, T, E], [B, T, k]
    if cfg.get("moa_mode", "my") == "moa":
        gates = torch.gather(torch.softmax(logits, -1), -1, idx)
    else:
        gates = sel["gates"][..., 0, :]
    g = O.scatter_gates(idx, gates, E)  # [B, T, E]
    kv = xkv @ p["W_kv"].t()  # [B, Tk, 2dh]
    K, V = kv[..., :dh], kv[..., dh:]
    q = torch.einsum("btd,edh->bteh", xq, p["W_q"])  # every expert's query [B, T, E, dh]
    scores = torch.einsum("bteh,bjh->betj", q, K)
    if cfg.get("pos", "none") == "xl":
        kpos = O.sinusoid(relative_offsets(T, Tk, xq.dtype), d) @ p["W_pos"].t()  # [T, Tk, dh]
        scores = scores + torch.einsum("bteh,tjh->betj", q, kpos)
    scores = (scores * p["scale"][0]).masked_fill(causal_mask_mem(T, Tk), float("-inf"))
    probs = torch.softmax(scores, -1)  # [B, E, T, Tk]
    u = torch.einsum("betj,bjh->bteh", probs, V)  # [B, T, E, dh]
    out = torch.einsum("bte,bteh,ehd->btd", g, u, p["W_o"])
    probs_sel = torch.gather(probs.permute(0, 2, 1, 3), 2, idx[..., None].expand(B, T, k, Tk)).permute(0, 2, 1, 3)
    u_sel = torch.gather(u, 2, idx[..., None].expand(B, T, k, dh))
    aux = {"logits": logits, "scores": torch.sigmoid(logits), "idx": idx, "gates": gates, "probs": probs_sel,
           "head_outputs": u_sel}
    if cfg.get("moa_mode", "my") == "moa":
        aux["aux_loss"] = moa_aux_losses(logits.reshape(-1, E), gates.reshape(-1, k), idx.reshape(-1, k),
                                         cfg.get("moa_aux", {}))
    return out, aux


def moa_aux_losses(logits, gates, idx, c):
    """The original MoA auxiliary losses with the conventions of MOA_AUX. logits [N, E], gates/idx [N, k]."""
    N, E = logits.shape
    k = idx.shape[1]
    dispatch = torch.nn.functional.one_hot(idx, E).to(logits.dtype)  # [N, k, E]
    total = logits.new_zeros(())
    if c.get("cv", 0) > 0:
        importance = (dispatch * gates[..., None]).sum((0, 1))
        total = total + c["cv"] * importance.var(unbiased=False) / (importance.mean() ** 2 + 1e-10)
    if c.get("switch", 0) > 0:
        f = dispatch.sum((0, 1)) / (N * k)
        P = torch.softmax(logits, -1).mean(0)
        total = total + c["switch"] * E * (f * P).sum()
    if c.get("z", 0) > 0:
        total = total + c["z"] * (torch.logsumexp(logits, -1) ** 2).mean()
    return total


def moa_naive(x, p, cfg):
    """MoA forward with explicit loops over batch, query token and selected slot (self-attention, no memory)."""
    B, T, d = x.shape
    k, dh = cfg["k"], cfg["d_head"]
    out = torch.zeros(B, T, d)
    for b in range(B):
        K = x[b] @ p["W_kv"][:dh].t()
        V = x[b] @ p["W_kv"][dh:].t()
        for i in range(T):
            logits = p["W_sel"] @ x[b, i]
            probs = torch.softmax(logits, 0) if cfg["moa_mode"] == "moa" else torch.sigmoid(logits)
            for e in torch.topk(torch.sigmoid(logits), k).indices.tolist():
                q = x[b, i] @ p["W_q"][e]
                s = torch.stack([q @ K[j] + (q @ (p["W_pos"] @ O.sinusoid(torch.tensor(float(j - i)), d))
                                             if cfg["pos"] == "xl" else 0.0) for j in range(i + 1)])
                a = torch.softmax(s * p["scale"][0], 0)
                out[b, i] += probs[e] * ((a[:, None] * V[: i + 1]).sum(0) @ p["W_o"][e])
    return out


# ------------------------------------------------------------------------------------------------------------
# Attention with a key/value input that starts with the XL memory


def switchhead_attention_mem(xq, xkv, p, cfg):
    """SwitchHead (SPEC §1, §2) with queries xq [B, T, d] and keys/values xkv [B, Tk, d], Tk = T_mem + T.
    Source-side selection from xkv (memory tokens included), destination side from xq."""
    B, T, d = xq.shape
    Tk = xkv.shape[1]
    H, E, dh, k = cfg["n_heads"], cfg["n_experts"], cfg["d_head"], cfg["k"]
    aux, g_src, g_dst = {}, None, None
    if cfg["moe_k"] or cfg["moe_v"]:
        aux["src"] = O.sigmoid_topk(xkv, p["W_sel_src"], H, k)
        g_src = O.scatter_gates(aux["src"]["idx"], aux["src"]["gates"], E)
    if cfg["moe_q"] or cfg["moe_o"]:
        aux["dst"] = O.sigmoid_topk(xq, p["W_sel_dst"], H, k)
        g_dst = O.scatter_gates(aux["dst"]["idx"], aux["dst"]["gates"], E)

    def proj(x, W, moe, gates):  # -> [B, L, H, dh]
        return O.moe_in_projection(x, W, gates) if moe else (x @ W.t()).view(B, x.shape[1], H, dh)

    s4 = dh ** -0.25
    q = proj(xq, p["W_q"], cfg["moe_q"], g_dst).permute(0, 2, 1, 3) * s4
    kk = proj(xkv, p["W_k"], cfg["moe_k"], g_src).permute(0, 2, 1, 3) * s4
    v = proj(xkv, p["W_v"], cfg["moe_v"], g_src).permute(0, 2, 1, 3)
    if cfg["pos"] == "rope":
        n_rot = int(cfg["rotate_fraction"] * dh)
        q = O.rope(q, n_rot, cfg["rope_base"], offset=Tk - T)
        kk = O.rope(kk, n_rot, cfg["rope_base"], offset=0)
    scores = q @ kk.transpose(-1, -2)
    if cfg["pos"] == "xl":
        kpos = (O.sinusoid(relative_offsets(T, Tk, xq.dtype), d) * s4) @ p["W_pos"].t()  # [T, Tk, H*dh]
        scores = scores + torch.einsum("bhid,ijhd->bhij", q, kpos.view(T, Tk, H, dh))
    att = torch.softmax(scores.masked_fill(causal_mask_mem(T, Tk), float("-inf")), -1)
    u = (att @ v).permute(0, 2, 1, 3)  # [B, T, H, dh]
    out = O.moe_out_projection(u, p["W_o"], g_dst) if cfg["moe_o"] else u.reshape(B, T, H * dh) @ p["W_o"].t()
    return out, aux


# ------------------------------------------------------------------------------------------------------------
# The LM on one segment


def sub(p, prefix):
    return {n[len(prefix):]: t for n, t in p.items() if n.startswith(prefix)}


def lm_segment(tokens, p, cfg, memory):
    """tokens [B, T+1]. Returns ce, reg (before reg_coef), the layer inputs (next memory) and the decisions
    (top-k margins, ReLU margins) the seed rule looks at."""
    inp, tgt = tokens[:, :-1], tokens[:, 1:]
    att, mlp = cfg["att"], cfg["mlp"]
    h = p["emb"][inp]
    reg = h.new_zeros(())
    layer_inputs, margins, relu = [], [], []
    for l in range(cfg["n_layers"]):
        lp = sub(p, f"layers.{l}.")
        layer_inputs.append(h.detach())
        mem = memory[l] if memory is not None else None
        kv = O.layer_norm(torch.cat([mem, h], 1) if mem is not None else h, lp["ln1.w"], lp["ln1.b"])
        a = kv[:, kv.shape[1] - h.shape[1]:]
        if att["kind"] == "moa":
            a_out, a_aux = moa_attention(a, kv, sub(lp, "att."), att)
            margins.append(G.min_topk_margin(a_aux["scores"], att["k"]))
            if "aux_loss" in a_aux:
                reg = reg + a_aux["aux_loss"]
        else:
            a_out, a_aux = switchhead_attention_mem(a, kv, sub(lp, "att."), att)
            margins += [G.min_topk_margin(a_aux[s]["scores"], att["k"]) for s in a_aux]
            if att["selection_reg"] > 0:
                reg = reg + att["selection_reg"] * sum(O.attention_entropy_reg(a_aux[s]["logits"]) for s in a_aux)
        h = h + a_out
        m = O.layer_norm(h, lp["ln2.w"], lp["ln2.b"])
        mp = sub(lp, "mlp.")
        if mlp["type"] == "sigma_moe":
            m_out, m_aux = O.sigma_moe_mlp(m, mp, mlp)
            reg = reg + mlp["entropy_reg"] * m_aux["entropy_reg"]
            margins.append(G.min_topk_margin(torch.sigmoid(m_aux["logits"]), mlp["k"]))
            pre = torch.einsum("btd,edg->bteg", m, mp["keys"])  # every expert; keep the selected ones
            relu.append(float(torch.gather(pre, 2, m_aux["idx"][..., None].expand(*m_aux["idx"].shape, pre.shape[-1]))
                              .abs().min()))
        else:
            m_out = O.dense_ffn(m, mp)
            relu.append(float((m @ mp["W1"].t() + mp["b1"]).abs().min()))
        h = h + m_out
    logits = O.layer_norm(h, p["ln_f.w"], p["ln_f.b"]) @ p["W_out"].t() + p["b_out"]
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1))
    return ce, reg, layer_inputs, {"topk": min(margins), "relu": min(relu)}
