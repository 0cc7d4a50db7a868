"""The SwitchHead language model (SPEC 1-5), written from SPEC.md; depends on torch only.

Modules, from the bottom up:
    batch_sum.py        the model's one link to data parallelism: a sum over the ranks
    moe.py              expert selection (sigmoid top-k) and the selected-expert matmul (CVMM-like)
    positions.py        sinusoids, RoPE, the Transformer-XL relative term, the causal mask (SPEC 2)
    attention.py        SwitchHead attention with its selection regulariser (SPEC 1)
    dense_attention.py  the dense multi-head baselines: XL, RoPE, none (SPEC 5.1-5.2)
    moa_attention.py    MoA, mixture of attention heads, with its auxiliary losses (SPEC 5.3)
    mlp.py              the dense MLP and the sigma-MoE MLP of "SwitchAll" (SPEC 3)
    lm.py               pre-LN blocks, the LM with XL memory, the loss (SPEC 4)
    param_init.py       the paper's initialisation, by parameter name (SPEC 4)

Parameter names are the engine's, so checkpoints (safetensors) load both ways:
    emb, layers.<l>.{ln1,ln2}.{w,b}, layers.<l>.att.{W_q,W_k,W_v,W_o,W_sel_src,W_sel_dst,W_pos,...},
    layers.<l>.mlp.{W1,b1,W2,b2 | W_sel,keys,values}, ln_f.{w,b}, W_out, b_out.
Layouts: Linear weights are [out, in] (y = x @ W.T); expert weights are [H*E, d_in, d_out], expert e of head h at
index h*E + e (y = x @ W[h*E + e]); selection weights are [H*E, d] (logits viewed as [..., H, E]).
"""

from .batch_sum import local_sum
from .lm import LMOutput, SwitchHeadLM, lm_loss
from .param_init import init_parameters

__all__ = ["LMOutput", "SwitchHeadLM", "init_parameters", "lm_loss", "local_sum"]
