"""batch_sum: everything the model knows about data parallelism.

The model takes one argument for a data-parallel run: `batch_sum`, a function that sums a tensor over all
data-parallel ranks (identity in a single process). The regularisers and the loss are means over the global batch
built from such sums, so with it a run on N processes computes exactly the loss of one process on the whole batch
(training/distributed.py makes the multi-process one).
"""

from typing import Callable

import torch

Tensor = torch.Tensor
BatchSum = Callable[[Tensor], Tensor]


def local_sum(x: Tensor) -> Tensor:
    """batch_sum of a single process: nothing to add."""
    return x
