"""The data of the exported experiment, made exactly as SwitchHead Workbench makes it (engine/data), so that
batches, checkpoints and losses agree token for token with the workbench. Depends on numpy and the standard library.

Modules:
    rng.py          the engine's seed mixer and mulberry32 random numbers, bit for bit
    js.py           JavaScript's rounding, number printing and whitespace, where the engine's results depend on them
    tokenizers.py   UTF-8 bytes and characters
    bpe.py          GPT-2 byte-level BPE truncated to the spec's vocabulary, with GPT-2's pre-tokenisation
    corpora.py      text sources (bundled documents, a user's file, inline text) and the train/validation split
    batching.py     a batch, and the language-model batcher (row streams for XL memory)
    synthetic.py    the synthetic tasks (copy, reverse, recall, modadd, sort, mixture): vocabulary, batcher, accuracy
    dataset.py      a spec's dataset: `prepare` (tokenise to data/tokens/) and `load_dataset` (what training reads)
"""

from .batching import Batch
from .dataset import Dataset, load_dataset, prepare
from .synthetic import TASKS, accuracy_counts

__all__ = ["Batch", "Dataset", "TASKS", "accuracy_counts", "load_dataset", "prepare"]
