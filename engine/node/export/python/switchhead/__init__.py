"""switchhead: the exported SwitchHead Workbench experiment as a plain PyTorch package.

SwitchHead (Csordas, Piekos, Irie, Schmidhuber, arXiv 2312.07987) is multi-head attention in which a head's value
and output projections (optionally also query and key) are mixtures of k out of E experts, chosen per token by a
non-competitive sigmoid router. The number of attention matrices is H, not H*E.

The package reproduces the workbench engine to float32 rounding, in three parts:
    model/     the language model (SPEC 1-5): SwitchHead, the dense and MoA baselines, sigma-MoE, XL memory, init
    data/      the data (engine/data): tokenizers, corpora and the split, the LM and synthetic-task batchers
    training/  the DDP training (engine/train): AdamW, schedule, clipping, checkpoints, the run directory, the loop
The folder's two scripts are its entry points: `prepare_data.py` (tokenise once) and `train.py` (train, under
torchrun for several processes). Depends on torch, numpy and the standard library only.
"""
