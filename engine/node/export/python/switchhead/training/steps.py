"""One training step and one evaluation (engine/train/trainer.ts), each returning its metrics.jsonl row.

A step: this rank's rows of the next global batch, the loss of the whole global batch (cross-entropy plus
train.regCoef times the regularisers; `batch_sum` over the ranks), backward, global-norm clipping, AdamW at the
scheduled learning rate, and the XL memory carried to the next batch. A non-finite loss or gradient norm stops
training before the update (NonFinite). Evaluation: the mean cross-entropy over the fixed validation batches, with
the XL memory carried across them, and answer accuracy on synthetic tasks.
"""

import math
import time

import numpy as np
import torch

from ..data import TASKS, accuracy_counts
from ..data.rng import mix_seed
from ..model import lm_loss
from .distributed import all_sum, batch_sum_for
from .errors import NonFinite
from .optim import clip_gradients, learning_rate
from .run_state import Run


def train_step(run: Run, amp: bool) -> dict:
    t0 = time.perf_counter()
    spec, d = run.spec, run.d
    batch = run.data.train.next()  # the global batch; this rank trains on its rows
    lr = learning_rate(spec["train"], run.base_lr, run.step)
    torch.manual_seed(mix_seed((spec["train"]["seed"] * 1_000_003 + run.step) % 2147483647, d.rank))  # dropout
    inp, tgt, mask = run.tensors(batch)
    batch_sum = batch_sum_for(d)
    run.model.train()
    with torch.autocast(d.device.type, dtype=torch.bfloat16, enabled=amp):
        out = run.ddp(inp, run.memory, batch_sum)
        ce = lm_loss(out.logits.float(), tgt, mask, batch_sum)
        loss = ce + spec["train"]["regCoef"] * out.reg
    loss.backward()
    grad_norm = clip_gradients(run.params.values(), spec["train"]["gradClip"])
    if not math.isfinite(loss.item()) or not math.isfinite(grad_norm):
        what, value = ("loss", loss.item()) if not math.isfinite(loss.item()) else ("gradient norm", grad_norm)
        run.model.zero_grad(set_to_none=True)
        raise NonFinite(run.step + 1, what, value)
    run.opt.step(lr)
    run.model.zero_grad(set_to_none=True)
    if spec["model"]["attention"]["xlMemory"]:
        run.memory = out.layer_inputs
    acc = None
    if mask is not None:
        pred = out.logits.argmax(-1).cpu().numpy()
        counts = accuracy_counts(pred, batch.target[run.rows], batch.mask[run.rows], batch.task_ids[run.rows])
        counts = all_sum(torch.from_numpy(counts).to(d.device), d).cpu()
        acc = float(counts[0, 0]) / max(int(counts[0, 1]), 1)
    run.step += 1
    n_tok = batch.input.size
    run.tokens += n_tok
    ms = (time.perf_counter() - t0) * 1000
    run.elapsed += ms / 1000
    row = {
        "step": run.step,
        "tokens": run.tokens,
        "time_s": round(run.elapsed, 3),
        "split": "train",
        "loss": loss.item(),
        "ce": ce.item(),
        "reg": float(out.reg),
        "lr": lr,
        "grad_norm": grad_norm,
        "step_ms": round(ms, 2),
        "tokens_per_s": round(n_tok * 1000 / ms, 1),
    }
    if acc is not None:
        row["accuracy"] = acc
    return row



@torch.no_grad()
def evaluate(run: Run) -> dict:
    """Mean cross-entropy over the fixed validation batches (XL memory carried across them, starting empty)."""
    d = run.d
    run.model.eval()
    memory = None
    sums = torch.zeros(2, dtype=torch.float64)  # [sum of ce * weight, weight]
    counts = np.zeros((1 + len(TASKS), 4), dtype=np.int64)
    for batch in run.data.val_batches:
        inp, tgt, mask = run.tensors(batch)
        out = run.model(inp, memory)
        memory = out.layer_inputs if run.spec["model"]["attention"]["xlMemory"] else None
        ce = torch.nn.functional.cross_entropy(out.logits.flatten(0, 1), tgt.flatten(), reduction="none")
        w = mask.flatten() if mask is not None else torch.ones_like(ce)
        sums += torch.tensor([float((ce * w).sum()), float(w.sum())], dtype=torch.float64)
        if mask is not None:
            pred = out.logits.argmax(-1).cpu().numpy()
            counts += accuracy_counts(pred, batch.target[run.rows], batch.mask[run.rows], batch.task_ids[run.rows])
    totals = all_sum(torch.cat([sums, torch.from_numpy(counts).double().flatten()]).to(d.device), d).cpu()
    loss = float(totals[0] / max(float(totals[1]), 1.0))
    if not math.isfinite(loss):
        raise NonFinite(run.step, "validation loss", loss)
    bits = loss / math.log(2)
    bpt = run.data.bytes_per_token
    row = {
        "step": run.step,
        "tokens": run.tokens,
        "time_s": round(run.elapsed, 3),
        "split": "val",
        "loss": loss,
        "ppl": math.exp(loss),
        "bits_per_token": bits,
        "bpb": bits / bpt if bpt else None,
    }
    if run.data.synthetic:
        c = totals[2:].view(1 + len(TASKS), 4)
        row["accuracy"] = float(c[0, 0] / max(float(c[0, 1]), 1))
        row["answer_accuracy"] = float(c[0, 2] / max(float(c[0, 3]), 1))
        row["per_task"] = {t: float(c[1 + i, 0] / c[1 + i, 1]) for i, t in enumerate(TASKS) if c[1 + i, 1] > 0}
    return row
