"""The whole run (engine/node/runner.ts): a new run directory or a resumed one, the training loop with its
evaluations, routing reports, probes and checkpoints at the spec's intervals, a clean stop on SIGINT/SIGTERM, and
summary.json at the end. train.py parses the command line and calls `train`.

Resuming reads the run's newest readable checkpoint (skipping unreadable ones with a warning), rolls the directory
back to it and continues as if the run had never stopped, with any number of processes that divides the batch.
"""

import datetime
import json
import os
import signal
import sys
from typing import Optional

import torch
import torch.distributed as dist

from ..data import load_dataset
from .checkpoints import load_checkpoint
from .distributed import Dist, broadcast
from .errors import NonFinite, RunError
from .files import append_jsonl, read_jsonl, write_json
from .reports import probe_report, probe_text_for, routing_report
from .run_dir import RunDir, claim_run, create_run_dir, release_run
from .run_state import Run
from .steps import evaluate, train_step


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


def resume(run: Run, rd: RunDir, say) -> None:
    d = run.d
    step, warnings = rd.latest_checkpoint() if d.rank == 0 else (None, [])
    for w in warnings:
        say(f"warning: {w}")
    if step is None and warnings:
        raise RunError(f"no usable checkpoint in {rd.dir}: {'; '.join(warnings)}")
    step = broadcast(step, d)
    if step is not None:
        load_checkpoint(run, rd.checkpoint_path(step))
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


def train(args, spec: dict, d: Dist, export_file: str) -> int:
    """Train `spec` in a new run directory under args.out, or in args.resume; export.json (`export_file`, if there)
    gives the engine version and the spec's attention cost. Returns the exit code (0, or 130/143 after a signal)."""
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if d.rank == 0 else (lambda m: None)
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
