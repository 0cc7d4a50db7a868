"""Processes: rank, world size and device; each rank's rows of the global batch; sums over the ranks.

torchrun (or you) sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT; without them there is one process.
Rank r of N trains rows [rB/N, (r+1)B/N) of every global batch. Every rank computes the loss of the whole global
batch through `batch_sum` (a differentiable all-reduce on a process group of its own, so that DDP keeps the default
one), so N processes take exactly the steps one process takes.
"""

import datetime
import os
from typing import NamedTuple, Optional

import torch
import torch.distributed as dist

from ..model import local_sum
from .errors import RunError


class Dist(NamedTuple):
    rank: int
    world: int
    device: torch.device
    group: Optional[object]  # a second process group for the sums inside the loss (DDP uses the default one)


def check_world(spec: dict) -> None:
    """Each of the N processes takes B/N rows of every batch (checked before the processes meet)."""
    B, world = spec["data"]["batchSize"], int(os.environ.get("WORLD_SIZE", "1"))
    if B % world:
        raise RunError(f"data.batchSize={B} is not divisible by the {world} processes: each takes B/N rows")


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


def my_rows(d: Dist, batch_size: int) -> slice:
    """This rank's rows of every global batch of `batch_size` rows (rank order = row order)."""
    return slice(d.rank * batch_size // d.world, (d.rank + 1) * batch_size // d.world)


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


def broadcast(obj, d: Dist):
    """Rank 0's value of a small Python object, on every rank."""
    if d.world == 1:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]
