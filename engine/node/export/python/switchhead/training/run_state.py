"""A run's state: the model (wrapped in DistributedDataParallel on several processes), the optimiser, the step,
tokens and time so far, the learning rate, this rank's rows of the XL memory, and the data position (the train
batcher). A checkpoint (checkpoints.py) saves and restores exactly this.
"""

from typing import List, Optional

import numpy as np
import torch
from torch.nn.parallel import DistributedDataParallel

from ..data import Batch
from ..model import SwitchHeadLM, init_parameters
from .distributed import Dist, my_rows
from .optim import AdamW


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
        self.rows = my_rows(d, spec["data"]["batchSize"])
        self.ddp = (
            DistributedDataParallel(self.model, device_ids=[d.device] if d.device.type == "cuda" else None)
            if d.world > 1
            else self.model
        )

    def tensors(self, batch: Batch):
        """This rank's rows of a batch, on the device: input, target [b, T] int64, mask [b, T] or None."""
        to = lambda a: torch.from_numpy(np.ascontiguousarray(a[self.rows])).to(self.d.device)  # noqa: E731
        return to(batch.input), to(batch.target), (to(batch.mask) if batch.mask is not None else None)
