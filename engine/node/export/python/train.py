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

This script is the command line; the code is the package switchhead/ next to it (model/, data/, training/).
"""

import argparse
import os
import sys
from typing import List

from switchhead.training.distributed import check_world, setup_distributed
from switchhead.training.errors import CheckpointError, RunError
from switchhead.training.loop import read_spec, train

HERE = os.path.dirname(os.path.abspath(__file__))


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


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    try:
        spec = read_spec(args)
        check_world(spec)
        return train(args, spec, setup_distributed(args), os.path.join(HERE, "export.json"))
    except (RunError, CheckpointError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr, flush=True)
        return 1
    except KeyError as e:
        print(f"error: the spec lacks the field {e} (export it again from the workbench)", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
