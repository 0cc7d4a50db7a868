"""Train the exported SwitchHead experiment with PyTorch: one device, one node or many (DistributedDataParallel).

    python3 prepare_data.py                                   # once: tokenise the corpus
    python3 train.py                                          # one GPU (or the CPU)
    torchrun --standalone --nproc_per_node 8 train.py         # one node, 8 GPUs
    torchrun ... train.py --resume runs/<run-id>              # continue a run, ours or the workbench's

It trains exactly as SwitchHead Workbench's engine does: the same batches (each rank takes its slice of every global
batch), AdamW with decoupled weight decay on matrices only, linear warm-up then cosine decay, global-norm clipping,
the regularisers times train.regCoef, XL memory carried across batches (per rank), evaluation on the fixed
validation batches. It writes the workbench's run directory (metrics.jsonl, routing.jsonl, probes/, checkpoints/ in
safetensors with the engine's tensor names and metadata, summary.json), so a run copied back opens in the workbench
and continues there (`npm run experiment -- --resume RUN_DIR`).

Differences from the engine, by nature: random streams (initialisation, dropout, expert dropout) are torch's; with
dropout 0 a checkpoint continues to the same losses in both engines, to float32 rounding.
"""

import argparse
import datetime
import json
import math
import os
import random
import re
import signal
import socket
import struct
import sys
import time
from typing import Dict, List, NamedTuple, Optional, Tuple

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from prepare_data import TASKS, Batch, accuracy_counts, load_dataset, mix_seed
from switchhead_model import SwitchHeadLM, init_parameters, lm_loss, local_sum

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKPOINT_FORMAT = "switchhead-workbench/1"
TEMP_PREFIX = ".tmp-"
WRITER_FILE = "writer.json"


class RunError(Exception):
    """A run that cannot start or continue; the message says what and where."""


# ----------------------------------------------------------------------------------------------------------------
# Processes: rank, world size, device; a differentiable sum over the ranks
# ----------------------------------------------------------------------------------------------------------------


class Dist(NamedTuple):
    rank: int
    world: int
    device: torch.device
    group: Optional[object]  # a second process group for the sums inside the loss (DDP uses the default one)


def setup_distributed(args) -> Dist:
    """torchrun (or you) sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT; without them: one process."""
    world, rank, local = (int(os.environ.get(k, d)) for k, d in (("WORLD_SIZE", 1), ("RANK", 0), ("LOCAL_RANK", 0)))
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda":
        device = f"cuda:{local}"
        torch.cuda.set_device(device)
    group = None
    if world > 1:
        backend = args.dist_backend or ("nccl" if device.startswith("cuda") else "gloo")
        dist.init_process_group(backend, timeout=datetime.timedelta(seconds=args.dist_timeout))
        group = dist.new_group(backend=backend)
    return Dist(rank, world, torch.device(device), group)


class _SumOverRanks(torch.autograd.Function):
    """y = sum of x over the ranks; the gradient of x is the sum of the ranks' gradients of y."""

    @staticmethod
    def forward(ctx, x, group):
        ctx.group = group
        y = x.clone()
        dist.all_reduce(y, group=group)
        return y

    @staticmethod
    def backward(ctx, g):
        g = g.clone()
        dist.all_reduce(g, group=ctx.group)
        return g, None


def batch_sum_for(d: Dist):
    """Every rank computes the loss of the whole global batch. Its gradient reaches each rank's own rows W times
    (once per rank, through the sum's backward) and DDP's gradient average divides by W: the result is exactly the
    gradient of one process training on the whole batch."""
    return local_sum if d.world == 1 else (lambda x: _SumOverRanks.apply(x, d.group))


def all_sum(x: torch.Tensor, d: Dist) -> torch.Tensor:
    if d.world > 1:
        dist.all_reduce(x, group=d.group)
    return x


# ----------------------------------------------------------------------------------------------------------------
# Files: atomic writes, JSONL, safetensors
# ----------------------------------------------------------------------------------------------------------------


def write_atomic(path: str, write) -> None:
    """Write through a temp file in the same folder, fsync, rename: a crash leaves the old file or the new one."""
    folder = os.path.dirname(path) or "."
    tmp = os.path.join(folder, f"{TEMP_PREFIX}{os.path.basename(path)}.{os.getpid()}.{random.randrange(36**8):x}")
    try:
        with open(tmp, "xb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json(path: str, obj) -> None:
    write_atomic(path, lambda f: f.write((json.dumps(obj, indent=2) + "\n").encode("utf-8")))


def read_jsonl(path: str) -> list:
    """One JSON object per line; a torn last line (a crash mid-write) is ignored."""
    if not os.path.exists(path):
        return []
    lines = [ln for ln in open(path, encoding="utf-8").read().split("\n") if ln.strip()]
    rows = []
    for i, line in enumerate(lines):
        try:
            rows.append(json.loads(line))
        except ValueError:
            if i < len(lines) - 1:
                raise RunError(f"{path}: line {i + 1} is corrupt")
    return rows


def append_jsonl(path: str, row: dict) -> None:
    """Append one line in one write, after dropping a torn last line left by a crash."""
    with open(path, "a+b") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size:
            f.seek(0)
            data = f.read()
            if not data.endswith(b"\n"):
                start = data.rfind(b"\n") + 1
                try:
                    json.loads(data[start:])
                    f.write(b"\n")
                except ValueError:
                    f.truncate(start)
        f.write((json.dumps(row) + "\n").encode("utf-8"))


DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64, "U8": np.uint8}


class CheckpointError(Exception):
    pass


def write_safetensors(path: str, tensors: Dict[str, np.ndarray], metadata: Dict[str, str]) -> None:
    """The safetensors format: u64 header length, JSON header {name: {dtype, shape, data_offsets}, __metadata__},
    padded with spaces to 8 bytes, then the raw little-endian data, tensor after tensor. Written atomically."""
    header, offset = {"__metadata__": metadata}, 0
    names = sorted(tensors)
    for n in names:
        nbytes = tensors[n].size * 4
        header[n] = {"dtype": "F32", "shape": list(tensors[n].shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)

    def write(f):
        f.write(struct.pack("<Q", len(text)) + text)
        for n in names:
            f.write(np.ascontiguousarray(tensors[n], dtype="<f4").tobytes())

    write_atomic(path, write)


def read_safetensors(path: str) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """Read and check a safetensors file; errors name the file and the problem."""
    fail = lambda msg: CheckpointError(f"checkpoint {path}: {msg}")  # noqa: E731
    data = open(path, "rb").read()
    if len(data) < 8:
        raise fail(f"file is {len(data)} bytes, too short for the 8-byte header length (truncated?)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise fail(f"header length {n} exceeds the {len(data) - 8} bytes after the length field (truncated?)")
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except ValueError as e:
        raise fail(f"header is not valid JSON ({e})") from None
    metadata = header.pop("__metadata__", {}) or {}
    tensors, pos, body = {}, 0, data[8 + n :]
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if e["dtype"] not in DTYPES:
            raise fail(f"tensor '{name}': dtype '{e['dtype']}' is not supported")
        begin, end = e["data_offsets"]
        need = int(np.prod(e["shape"], dtype=np.int64)) * np.dtype(DTYPES[e["dtype"]]).itemsize
        if begin != pos or end - begin != need or end > len(body):
            raise fail(f"tensor '{name}' [{begin}, {end}) does not fit the data section (truncated or corrupt)")
        dtype = np.dtype(DTYPES[e["dtype"]])
        tensors[name] = np.frombuffer(body, dtype, count=need // dtype.itemsize, offset=begin).reshape(e["shape"])
        pos = end
    if pos != len(body):
        raise fail(f"data section has {len(body)} bytes but the tensors cover only {pos}")
    return tensors, metadata


# ----------------------------------------------------------------------------------------------------------------
# Optimiser and schedule (engine/train/optimizer.ts, schedule.ts)
# ----------------------------------------------------------------------------------------------------------------


class AdamW:
    """torch-semantics AdamW: bias-corrected moments, decoupled weight decay on matrices and expert tensors
    (ndim >= 2) only, not on biases, norms or scales. Moments are named like the parameters."""

    def __init__(self, params: Dict[str, torch.nn.Parameter], t: dict):
        self.params, self.cfg, self.t = params, t, 0
        self.m = {n: torch.zeros_like(p) for n, p in params.items()}
        self.v = {n: torch.zeros_like(p) for n, p in params.items()}

    @torch.no_grad()
    def step(self, lr: float) -> None:
        self.t += 1
        b1, b2, eps, wd = (self.cfg[k] for k in ("beta1", "beta2", "eps", "weightDecay"))
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for n, p in self.params.items():
            if p.grad is None:
                continue
            m, v = self.m[n], self.v[n]
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            if wd > 0 and p.ndim >= 2:
                p.mul_(1 - lr * wd)
            p.sub_((m / c1) / ((v / c2).sqrt() + eps) * lr)


def learning_rate(t: dict, base_lr: float, step: int) -> float:
    """Linear warm-up, then cosine decay to minLrRatio * lr over the remaining steps; `step` is 0-based."""
    if t["warmupSteps"] > 0 and step < t["warmupSteps"]:
        return base_lr * (step + 1) / t["warmupSteps"]
    if not t["cosine"]:
        return base_lr
    progress = min(1.0, (step - t["warmupSteps"]) / max(1, t["steps"] - t["warmupSteps"]))
    low = base_lr * t["minLrRatio"]
    return low + 0.5 * (base_lr - low) * (1 + math.cos(math.pi * progress))


def clip_gradients(params, max_norm: float) -> float:
    """Global L2 norm of all gradients (returned, before clipping); scale by min(1, max_norm / (norm + 1e-6))."""
    grads = [p.grad for p in params if p.grad is not None]
    norm = float(torch.stack([g.pow(2).sum() for g in grads]).sum().sqrt())
    coef = min(1.0, max_norm / (norm + 1e-6)) if max_norm > 0 else 1.0
    if coef < 1 and math.isfinite(norm):
        for g in grads:
            g.mul_(coef)
    return norm


# ----------------------------------------------------------------------------------------------------------------
# The run: model, optimiser, state, data position
# ----------------------------------------------------------------------------------------------------------------


class Run:
    def __init__(self, spec: dict, data, d: Dist):
        self.spec, self.data, self.d = spec, data, d
        self.model = SwitchHeadLM(spec["model"], data.vocab_size)
        init_parameters(self.model, spec["train"]["seed"])
        self.model.to(d.device)
        self.params = dict(self.model.named_parameters())
        self.opt = AdamW(self.params, spec["train"])
        self.step, self.tokens, self.elapsed, self.base_lr = 0, 0, 0.0, spec["train"]["lr"]
        self.memory: Optional[List[torch.Tensor]] = None  # this rank's rows of the XL memory
        B = spec["data"]["batchSize"]
        self.rows = slice(d.rank * B // d.world, (d.rank + 1) * B // d.world)
        self.ddp = (
            DistributedDataParallel(self.model, device_ids=[d.device] if d.device.type == "cuda" else None)
            if d.world > 1
            else self.model
        )

    def tensors(self, batch: Batch):
        """This rank's rows of a batch, on the device: input, target [b, T] int64, mask [b, T] or None."""
        to = lambda a: torch.from_numpy(np.ascontiguousarray(a[self.rows])).to(self.d.device)  # noqa: E731
        return to(batch.input), to(batch.target), (to(batch.mask) if batch.mask is not None else None)

    # ---- checkpoints --------------------------------------------------------------------------------------------

    def expected_tensors(self) -> Dict[str, tuple]:
        out = {}
        for n, p in self.params.items():
            for name in (n, f"optim.m.{n}", f"optim.v.{n}"):
                out[name] = tuple(p.shape)
        return out

    def gather_memory(self) -> Optional[List[np.ndarray]]:
        """The XL memory of the whole batch [B, T, d] per layer (all ranks take part; rank order = row order)."""
        if not self.spec["model"]["attention"]["xlMemory"] or self.memory is None:
            return None
        out = []
        for m in self.memory:
            parts = [torch.empty_like(m) for _ in range(self.d.world)] if self.d.world > 1 else [m]
            if self.d.world > 1:
                dist.all_gather(parts, m.contiguous())
            out.append(torch.cat(parts, 0).float().cpu().numpy())
        return out

    def save_checkpoint(self, path: str, engine_version: str) -> None:
        memory = self.gather_memory()
        if self.d.rank != 0:
            return
        t = {n: p.detach().float().cpu().numpy() for n, p in self.params.items()}
        t.update({f"optim.m.{n}": m.float().cpu().numpy() for n, m in self.opt.m.items()})
        t.update({f"optim.v.{n}": v.float().cpu().numpy() for n, v in self.opt.v.items()})
        t.update({f"xl_memory.{l}": m for l, m in enumerate(memory or [])})
        state = {
            "step": self.step,
            "tokens": self.tokens,
            "elapsedS": self.elapsed,
            "baseLr": self.base_lr,
            "optimizerT": self.opt.t,
            "batcher": self.data.train.state(),
        }
        meta = {
            "format": CHECKPOINT_FORMAT,
            "engine_version": engine_version,
            "trainer_state": json.dumps(state),
            "spec": json.dumps(self.spec),
            "writer": f"train.py (PyTorch {torch.__version__}, {self.d.world} process(es))",
        }
        write_safetensors(path, t, meta)

    def load_checkpoint(self, path: str) -> None:
        tensors, meta = read_safetensors(path)
        if meta.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError(
                f"{path}: not a SwitchHead Workbench checkpoint (format \"{meta.get('format', 'missing')}\", "
                f'expected "{CHECKPOINT_FORMAT}")'
            )
        check_compatible(self.expected_tensors(), tensors, self.memory_shapes(), path)
        try:
            state = json.loads(meta.get("trainer_state", ""))
        except ValueError:
            raise CheckpointError(f"{path}: trainer_state metadata is missing or not JSON") from None
        with torch.no_grad():
            for n, p in self.params.items():
                p.copy_(torch.from_numpy(tensors[n].copy()))
                self.opt.m[n].copy_(torch.from_numpy(tensors[f"optim.m.{n}"].copy()))
                self.opt.v[n].copy_(torch.from_numpy(tensors[f"optim.v.{n}"].copy()))
        L = self.spec["model"]["nLayers"]
        mem = [tensors.get(f"xl_memory.{l}") for l in range(L)]
        to_device = lambda m: torch.from_numpy(m[self.rows].copy()).to(self.d.device)  # noqa: E731 (my rows)
        self.memory = [to_device(m) for m in mem] if mem[0] is not None else None
        self.step, self.tokens, self.elapsed = state["step"], state["tokens"], state["elapsedS"]
        self.base_lr, self.opt.t = state["baseLr"], state["optimizerT"]
        try:
            self.data.train.restore(state["batcher"])
        except ValueError as e:
            raise CheckpointError(f"{path}: {e}") from None

    def memory_shapes(self) -> Dict[str, tuple]:
        """xl_memory.<l> the model accepts: [B, any, d] per layer, only with XL memory."""
        m = self.spec["model"]
        if not m["attention"]["xlMemory"]:
            return {}
        return {f"xl_memory.{l}": (self.spec["data"]["batchSize"], None, m["dModel"]) for l in range(m["nLayers"])}


def check_compatible(expected: Dict[str, tuple], tensors: Dict[str, np.ndarray], memory: Dict[str, tuple], label: str):
    """Name every missing, unexpected and misshapen tensor (the engine's wording)."""
    got = {n: t for n, t in tensors.items() if not (n.startswith("xl_memory.") and n in memory)}
    missing = [n for n in expected if n not in got]
    if any(n in tensors for n in memory):  # the XL memory is optional (absent before the first step), but whole
        missing += [n for n in memory if n not in tensors]
    unexpected = [n for n in got if n not in expected]
    problems = []
    if missing:
        problems.append(f"missing parameters: {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected parameters: {', '.join(unexpected)}")
    fmt = lambda s: "[" + ", ".join("*" if x is None else str(x) for x in s) + "]"  # noqa: E731
    for n, shape in list(expected.items()) + [(n, s) for n, s in memory.items() if n in tensors]:
        t = tensors.get(n)
        if t is None:
            continue
        if len(t.shape) != len(shape) or any(s is not None and s != g for s, g in zip(shape, t.shape)):
            problems.append(f"'{n}' has shape {fmt(t.shape)} in the file but the model expects {fmt(shape)}")
        if t.dtype != np.float32:
            problems.append(f"'{n}' has dtype {t.dtype} in the file but the model expects F32")
    if problems:
        raise CheckpointError(f"{label} does not fit the model: {'; '.join(problems)}")


# ----------------------------------------------------------------------------------------------------------------
# Training step and evaluation
# ----------------------------------------------------------------------------------------------------------------


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


class NonFinite(Exception):
    def __init__(self, step: int, what: str, value: float):
        super().__init__(
            f"{what} became {value} at step {step}; training stopped before applying the update "
            "(try a lower learning rate or stronger clipping)"
        )


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


# ----------------------------------------------------------------------------------------------------------------
# Routing statistics and probes (rank 0, on the whole batch; engine/train/routing.ts)
# ----------------------------------------------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------------------------------------------
# The run directory (the workbench's DESIGN 2.2): spec.json, metrics.jsonl, routing.jsonl, probes/<step>.json,
# checkpoints/<step>.safetensors, summary.json. Rank 0 writes; JSONL is appended, everything else written atomically.
# ----------------------------------------------------------------------------------------------------------------


def sanitize_run_name(name: str) -> str:
    import unicodedata

    s = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", name))
    s = re.sub(r"-{2,}", "-", s).lstrip("-.")[:64].rstrip("-.")
    return s or "run"


def create_run_dir(root: str, name: str) -> str:
    """runs/<yyyymmdd-hhmmss>-<name>, with -2, -3, ... when taken (the workbench's run ids)."""
    base = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S") + "-" + sanitize_run_name(name)
    os.makedirs(root, exist_ok=True)
    for i in range(1, 10_000):
        path = os.path.join(root, base if i == 1 else f"{base}-{i}")
        try:
            os.mkdir(path)
            return path
        except FileExistsError:
            continue
    raise RunError(f"cannot create a run directory under {root}")


class RunDir:
    def __init__(self, path: str):
        self.dir = path
        self.spec, self.summary = os.path.join(path, "spec.json"), os.path.join(path, "summary.json")
        self.metrics, self.routing = os.path.join(path, "metrics.jsonl"), os.path.join(path, "routing.jsonl")
        self.probes, self.checkpoints = os.path.join(path, "probes"), os.path.join(path, "checkpoints")

    def checkpoint_path(self, step: int) -> str:
        return os.path.join(self.checkpoints, f"{step}.safetensors")

    def steps_in(self, folder: str, ext: str) -> List[int]:
        if not os.path.isdir(folder):
            return []
        pattern = re.compile(r"^(\d+)" + re.escape(ext) + "$")
        return sorted(int(m.group(1)) for m in map(pattern.match, os.listdir(folder)) if m)

    def write_checkpoint(self, run: Run, keep: int, engine_version: str) -> str:
        """All ranks call this (the XL memory is gathered); rank 0 writes and keeps the newest `keep` files."""
        path = self.checkpoint_path(run.step)
        if run.d.rank == 0:
            os.makedirs(self.checkpoints, exist_ok=True)
        run.save_checkpoint(path, engine_version)
        if run.d.rank == 0:
            old = [s for s in self.steps_in(self.checkpoints, ".safetensors") if s != run.step]
            for s in old[: max(0, len(old) - (keep - 1))]:
                os.remove(self.checkpoint_path(s))
        return path

    def latest_checkpoint(self) -> Tuple[Optional[int], List[str]]:
        """The newest checkpoint that reads; unreadable ones are skipped, each with a warning."""
        warnings = []
        for step in reversed(self.steps_in(self.checkpoints, ".safetensors")):
            try:
                read_safetensors(self.checkpoint_path(step))
                return step, warnings
            except (CheckpointError, OSError, ValueError, KeyError, TypeError) as e:
                warnings.append(f"skipped {e}")
        return None, warnings

    def roll_back(self, step: int, say) -> None:
        """Back to the state of `step`: stale temp files, later rows, probes, checkpoints and the summary go."""
        for folder in (self.dir, self.probes, self.checkpoints):
            for f in os.listdir(folder) if os.path.isdir(folder) else []:
                m = re.search(r"\.(\d+)\.[a-z0-9]+$", f)
                if f.startswith(TEMP_PREFIX) and not (m and pid_alive(int(m.group(1)))):
                    os.remove(os.path.join(folder, f))
                    say(f"removed stale temp file {os.path.join(folder, f)}")
        for path in (self.metrics, self.routing):
            if os.path.exists(path):
                keep = [r for r in read_jsonl(path) if r.get("step", math.inf) <= step]
                write_atomic(path, lambda f: f.write("".join(json.dumps(r) + "\n" for r in keep).encode("utf-8")))
        for s in self.steps_in(self.probes, ".json"):
            if s > step:
                os.remove(os.path.join(self.probes, f"{s}.json"))
        for s in self.steps_in(self.checkpoints, ".safetensors"):
            if s > step:
                os.remove(self.checkpoint_path(s))
        if os.path.exists(self.summary):
            os.remove(self.summary)


def claim_run(rd: RunDir) -> None:
    """writer.json {pid, kind: "export", startedAt, hostname}: the workbench shows the run as being written (the
    convention of its run directories); refused while another live process on this machine holds the run."""
    path = os.path.join(rd.dir, WRITER_FILE)
    try:
        other = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError):
        other = None
    if isinstance(other, dict) and other.get("hostname") == socket.gethostname() and isinstance(other.get("pid"), int):
        if other["pid"] != os.getpid() and pid_alive(other["pid"]):
            raise RunError(f"{rd.dir} is being written by process {other['pid']} ({other.get('kind')}) on this machine")
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    write_json(path, {"pid": os.getpid(), "kind": "export", "startedAt": now, "hostname": socket.gethostname()})


def release_run(rd: RunDir) -> None:
    path = os.path.join(rd.dir, WRITER_FILE)
    if os.path.exists(path):
        os.remove(path)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except PermissionError:
        return True
    except OSError:
        return False


def broadcast(obj, d: Dist):
    """Rank 0's value of a small Python object, on every rank."""
    if d.world == 1:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


# ----------------------------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------------------------


def due(step: int, every: int, last: int) -> bool:
    return step % every == 0 or step == last


class Stop:
    """SIGINT/SIGTERM: finish the step, save a checkpoint, stop (all ranks agree on the step). A second signal quits."""

    def __init__(self):
        self.signal = None
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, self.handle)

    def handle(self, sig, frame):
        if self.signal is not None:
            sys.exit(130 if sig == signal.SIGINT else 143)
        self.signal = sig

    def agreed(self, d: Dist) -> bool:
        flag = torch.tensor([0 if self.signal is None else int(self.signal)], device=d.device)
        if d.world > 1:
            dist.all_reduce(flag, op=dist.ReduceOp.MAX, group=d.group)
        if flag.item() and self.signal is None:
            self.signal = int(flag.item())
        return bool(flag.item())


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Train the exported SwitchHead experiment (DDP under torchrun).")
    ap.add_argument("--spec", default=os.path.join(HERE, "spec.json"), help="experiment spec (default: spec.json)")
    ap.add_argument("--data-dir", default=os.path.join(HERE, "data"), help="prepared data (default: data/)")
    ap.add_argument("--out", default=os.path.join(HERE, "runs"), help="where new runs go (default: runs/)")
    ap.add_argument("--resume", metavar="RUN_DIR", help="continue this run from its last checkpoint")
    ap.add_argument("--device", choices=["cuda", "cpu"], help="default: cuda when available, else cpu")
    ap.add_argument("--dist-backend", choices=["nccl", "gloo"], help="default: nccl on GPUs, gloo on CPUs")
    ap.add_argument("--dist-timeout", type=int, default=1800, help="seconds a rank waits for the others")
    ap.add_argument("--amp", action="store_true", help="bfloat16 autocast (faster; not the workbench's numbers)")
    ap.add_argument("--keep-checkpoints", type=int, default=3, help="newest checkpoints kept (default 3)")
    return ap.parse_args(argv)


def read_spec(args) -> dict:
    """The spec of a new run (spec.json) or of the run to resume (its spec.json holds {"spec": ...})."""
    if not args.resume:
        return json.load(open(args.spec, encoding="utf-8"))
    path = os.path.join(args.resume, "spec.json")
    if not os.path.exists(path):
        raise RunError(f"{args.resume} is not a run directory: no spec.json")
    meta = json.load(open(path, encoding="utf-8"))
    if not isinstance(meta, dict) or "spec" not in meta:
        raise RunError(f'{path}: no "spec" field (not a workbench run?)')
    return meta["spec"]


def check_world(spec: dict) -> None:
    """Each of the N processes takes B/N rows of every batch (checked before the processes meet)."""
    B, world = spec["data"]["batchSize"], int(os.environ.get("WORLD_SIZE", "1"))
    if B % world:
        raise RunError(f"data.batchSize={B} is not divisible by the {world} processes: each takes B/N rows")


def resume(run: Run, rd: RunDir, say) -> None:
    d = run.d
    step, warnings = rd.latest_checkpoint() if d.rank == 0 else (None, [])
    for w in warnings:
        say(f"warning: {w}")
    if step is None and warnings:
        raise RunError(f"no usable checkpoint in {rd.dir}: {'; '.join(warnings)}")
    step = broadcast(step, d)
    if step is not None:
        run.load_checkpoint(rd.checkpoint_path(step))
        if run.step != step:
            raise RunError(f"{rd.checkpoint_path(step)}: holds step {run.step}, but its name says {step}")
        say(f"resuming {rd.dir} from step {step}")
    else:
        say(f"no usable checkpoint in {rd.dir}: restarting from step 0")
    if d.world > 1:
        dist.barrier(group=d.group)
    if d.rank == 0:
        rd.roll_back(step or 0, say)


def summary(run: Run, export: dict, last_train: Optional[dict], last_val: Optional[dict]) -> dict:
    params = sum(p.numel() for p in run.params.values())
    s = {
        "name": run.spec["name"],
        "status": "complete",
        "engineVersion": export.get("engineVersion", "unknown"),
        "backend": "pytorch",
        "steps": run.step,
        "tokens": run.tokens,
        "trainTimeS": round(run.elapsed, 3),
        "tokensPerS": round(run.tokens / max(run.elapsed, 1e-9), 1),
        "final": {"train": last_train, "val": last_val},
        "valLoss": last_val["loss"] if last_val else None,
        "bpb": last_val.get("bpb") if last_val else None,
        "accuracy": last_val.get("answer_accuracy") if last_val else None,
        "tokenAccuracy": last_val.get("accuracy") if last_val else None,
        "params": params,
        "paramsPaper": f"{params / 1e6:.2f}M",
        "dataset": run.data.description,
    }
    if export.get("spec") == run.spec:  # the export's cost figures (SPEC 6) are for this very spec
        s.update(attention=export["cost"]["attention"], attentionMatrices=export["cost"]["attentionMatrices"])
    return s


def train(args, spec: dict, d: Dist) -> int:
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if d.rank == 0 else (lambda m: None)
    export_file = os.path.join(HERE, "export.json")
    export = json.load(open(export_file, encoding="utf-8")) if os.path.exists(export_file) else {}
    stop = Stop()
    resuming = bool(args.resume)
    new_dir = create_run_dir(args.out, spec["name"]) if d.rank == 0 and not resuming else None
    rd = RunDir(args.resume if resuming else broadcast(new_dir, d))
    if d.rank == 0:
        claim_run(rd)
    try:
        return train_in(args, spec, d, rd, export, stop, say)
    finally:
        if d.rank == 0:
            release_run(rd)


def train_in(args, spec: dict, d: Dist, rd: RunDir, export: dict, stop: Stop, say) -> int:
    """Train in the run directory `rd` (new, or resumed from its last checkpoint) until the end or a stop."""
    resuming, version = bool(args.resume), export.get("engineVersion", "unknown")
    data = load_dataset(spec, args.data_dir)
    run = Run(spec, data, d)
    if resuming:
        resume(run, rd, say)
    elif d.rank == 0:
        name = torch.cuda.get_device_name(d.device) if d.device.type == "cuda" else "CPU"
        write_json(rd.spec, {
            "spec": spec,
            "engineVersion": version,
            "backend": {"name": "pytorch", "adapter": f"PyTorch {torch.__version__}, {d.world} x {name}"},
            "dataset": data.description,
            "vocabSize": data.vocab_size,
            "createdAt": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
        })
        say(f"run directory: {rd.dir}")
    params = sum(p.numel() for p in run.params.values())
    say(f"{spec['name']}: {data.description}; {params / 1e6:.2f}M parameters; {d.world} process(es) on {d.device.type}")

    L, total = spec["log"], spec["train"]["steps"]
    has_moe = spec["model"]["attention"]["kind"] != "dense" or spec["model"]["mlp"]["kind"] == "sigma-moe"
    rows = read_jsonl(rd.metrics) if d.rank == 0 else []
    last_val = next((r for r in reversed(rows) if r.get("split") == "val"), None)
    last_train = next((r for r in reversed(rows) if r.get("split") == "train"), None)
    has_val = broadcast(last_val is not None, d)
    probe_text = probe_text_for(run)
    log = lambda path, row: append_jsonl(path, row) if d.rank == 0 else None  # noqa: E731
    if run.step == 0 and not has_val:
        last_val = evaluate(run)
        log(rd.metrics, last_val)
    every = max(1, total // 200)
    while run.step < total and not stop.agreed(d):
        try:
            r = train_step(run, args.amp)
        except NonFinite as e:
            have = run.step in rd.steps_in(rd.checkpoints, ".safetensors")
            path = rd.checkpoint_path(run.step) if have else rd.write_checkpoint(run, args.keep_checkpoints, version)
            raise RunError(f"{e}. The last good state (step {run.step}) is in {path}") from None
        last_train, s = r, r["step"]
        if due(s, L["metricsInterval"], total):
            log(rd.metrics, r)
        if due(s, L["evalInterval"], total):
            last_val = evaluate(run)
            log(rd.metrics, last_val)
        if d.rank == 0 and has_moe and due(s, L["routingInterval"], total):
            append_jsonl(rd.routing, routing_report(run))
        if d.rank == 0 and probe_text and due(s, L["probeInterval"], total):
            try:
                os.makedirs(rd.probes, exist_ok=True)
                write_json(os.path.join(rd.probes, f"{s}.json"), probe_report(run, probe_text))
            except ValueError as e:
                say(f"warning: probes disabled: {e}")
                probe_text = None
        if due(s, L["checkpointInterval"], total):
            rd.write_checkpoint(run, args.keep_checkpoints, version)
        if s % every == 0 or s == total:
            val = f"  val {last_val['loss']:.4f}" if last_val else ""
            say(f"step {s}/{total}  loss {r['loss']:.4f}  lr {r['lr']:.2e}  {r['tokens_per_s']:,.0f} tok/s{val}")
    if stop.signal is not None and run.step < total:
        have = run.step in rd.steps_in(rd.checkpoints, ".safetensors")
        path = rd.checkpoint_path(run.step) if have else rd.write_checkpoint(run, args.keep_checkpoints, version)
        say(f"stopped at step {run.step}/{total}; checkpoint {path}\nresume with: train.py --resume {rd.dir}")
        return 130 if stop.signal == signal.SIGINT else 143
    if d.rank == 0:
        write_json(rd.summary, summary(run, export, last_train, last_val))
        say(f"done: {run.step} steps; val loss {last_val['loss']:.4f}" if last_val else f"done: {run.step} steps")
        print(rd.dir, flush=True)
    return 0


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    try:
        spec = read_spec(args)
        check_world(spec)
        return train(args, spec, setup_distributed(args))
    except (RunError, CheckpointError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr, flush=True)
        return 1
    except KeyError as e:
        print(f"error: the spec lacks the field {e} (export it again from the workbench)", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
