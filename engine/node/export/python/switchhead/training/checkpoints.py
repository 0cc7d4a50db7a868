"""A run's state to and from a safetensors checkpoint, in the engine's tensor names and metadata (DESIGN 2.2), so a
checkpoint loads both ways between this code and the workbench.

Tensors: the parameters by name, optim.m.<name> and optim.v.<name> (AdamW's moments), and with XL memory
xl_memory.<l> [B, T, d] per layer, gathered from all ranks to the whole batch. Metadata: format, engine_version,
trainer_state (JSON: step, tokens, elapsedS, baseLr, optimizerT, batcher state), spec (JSON) and writer. A file
that does not fit the model is refused with every missing, unexpected and misshapen tensor named.
"""

import json
from typing import Dict, List, Optional

import numpy as np
import torch
import torch.distributed as dist

from .errors import CheckpointError
from .run_state import Run
from .safetensors_file import read_safetensors, write_safetensors

CHECKPOINT_FORMAT = "switchhead-workbench/1"


def expected_tensors(run: Run) -> Dict[str, tuple]:
    out = {}
    for n, p in run.params.items():
        for name in (n, f"optim.m.{n}", f"optim.v.{n}"):
            out[name] = tuple(p.shape)
    return out


def memory_shapes(run: Run) -> Dict[str, tuple]:
    """xl_memory.<l> the model accepts: [B, any, d] per layer, only with XL memory."""
    m = run.spec["model"]
    if not m["attention"]["xlMemory"]:
        return {}
    return {f"xl_memory.{l}": (run.spec["data"]["batchSize"], None, m["dModel"]) for l in range(m["nLayers"])}


def gather_memory(run: Run) -> Optional[List[np.ndarray]]:
    """The XL memory of the whole batch [B, T, d] per layer (all ranks take part; rank order = row order)."""
    if not run.spec["model"]["attention"]["xlMemory"] or run.memory is None:
        return None
    out = []
    for m in run.memory:
        parts = [torch.empty_like(m) for _ in range(run.d.world)] if run.d.world > 1 else [m]
        if run.d.world > 1:
            dist.all_gather(parts, m.contiguous())
        out.append(torch.cat(parts, 0).float().cpu().numpy())  # [B, T, d]
    return out


def save_checkpoint(run: Run, path: str, engine_version: str) -> None:
    """All ranks call this (the XL memory is gathered); rank 0 writes the file."""
    memory = gather_memory(run)
    if run.d.rank != 0:
        return
    t = {n: p.detach().float().cpu().numpy() for n, p in run.params.items()}
    t.update({f"optim.m.{n}": m.float().cpu().numpy() for n, m in run.opt.m.items()})
    t.update({f"optim.v.{n}": v.float().cpu().numpy() for n, v in run.opt.v.items()})
    t.update({f"xl_memory.{l}": m for l, m in enumerate(memory or [])})
    state = {
        "step": run.step,
        "tokens": run.tokens,
        "elapsedS": run.elapsed,
        "baseLr": run.base_lr,
        "optimizerT": run.opt.t,
        "batcher": run.data.train.state(),
    }
    meta = {
        "format": CHECKPOINT_FORMAT,
        "engine_version": engine_version,
        "trainer_state": json.dumps(state),
        "spec": json.dumps(run.spec),
        "writer": f"train.py (PyTorch {torch.__version__}, {run.d.world} process(es))",
    }
    write_safetensors(path, t, meta)


def load_checkpoint(run: Run, path: str) -> None:
    """Every rank loads the file: parameters, moments, its own rows of the XL memory, counters, data position."""
    tensors, meta = read_safetensors(path)
    if meta.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{path}: not a SwitchHead Workbench checkpoint (format \"{meta.get('format', 'missing')}\", "
            f'expected "{CHECKPOINT_FORMAT}")'
        )
    check_compatible(expected_tensors(run), tensors, memory_shapes(run), path)
    try:
        state = json.loads(meta.get("trainer_state", ""))
    except ValueError:
        raise CheckpointError(f"{path}: trainer_state metadata is missing or not JSON") from None
    with torch.no_grad():
        for n, p in run.params.items():
            p.copy_(torch.from_numpy(tensors[n].copy()))
            run.opt.m[n].copy_(torch.from_numpy(tensors[f"optim.m.{n}"].copy()))
            run.opt.v[n].copy_(torch.from_numpy(tensors[f"optim.v.{n}"].copy()))
    L = run.spec["model"]["nLayers"]
    mem = [tensors.get(f"xl_memory.{l}") for l in range(L)]
    to_device = lambda m: torch.from_numpy(m[run.rows].copy()).to(run.d.device)  # noqa: E731 (my rows)
    run.memory = [to_device(m) for m in mem] if mem[0] is not None else None
    run.step, run.tokens, run.elapsed = state["step"], state["tokens"], state["elapsedS"]
    run.base_lr, run.opt.t = state["baseLr"], state["optimizerT"]
    try:
        run.data.train.restore(state["batcher"])
    except ValueError as e:
        raise CheckpointError(f"{path}: {e}") from None


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
