"""A batch, and the language-model batcher (engine/data/batcher.ts): a batch is a pure function of
(stream, B, T, seed, step), so a checkpoint's batcher state (kind, step, seed, fingerprint) restores the data
position in either engine. The synthetic tasks' batcher (synthetic.py) shares `Batch` and the state format.
"""

from typing import List, NamedTuple, Optional

import numpy as np

from .rng import mix_seed


class Batch(NamedTuple):
    input: np.ndarray  # [B, T] int64
    target: np.ndarray  # [B, T] int64: target[b, t] is the token after input[b, t]
    mask: Optional[np.ndarray]  # [B, T] float32, 1 where the loss counts (synthetic); None = everywhere
    task_ids: Optional[np.ndarray]  # [B, T] synthetic task index per position (-1 on padding)


def stream_hash(tokens: np.ndarray) -> str:
    """A short stable hash of a token stream (a sample of at most ~4096 positions), as the engine's."""
    n = len(tokens)
    h = mix_seed(n)
    stride = max(1, n // 4096)
    for i in range(0, n, stride):
        h = mix_seed(h, int(tokens[i]), i)
    return f"{h:08x}"


class LmBatcher:
    """Row b reads its own contiguous stretch of the stream (from b*len/B plus a seed-chosen shift) and advances T
    tokens per batch, wrapping around: row b of batch n+1 continues where row b of batch n stopped (XL memory)."""

    kind = "lm"

    def __init__(self, tokens: np.ndarray, batch_size: int, seq_len: int, seed: int):
        if len(tokens) < 2:
            raise ValueError(f"LM batcher needs a token stream of at least 2 tokens, got {len(tokens)}")
        self.tokens = np.asarray(tokens, dtype=np.int64)
        self.B, self.T, self.seed, self.step = batch_size, seq_len, seed, 0
        self.shift = mix_seed(seed, 0x5EED) % len(tokens)
        self.fingerprint = f"len={len(tokens)} B={batch_size} T={seq_len} h={stream_hash(self.tokens)}"

    def batch_at(self, step: int, shift: int) -> Batch:
        n = len(self.tokens)
        advance = (step % n) * (self.T % n)
        starts = np.array([((b * n) // self.B + shift + advance) % n for b in range(self.B)], dtype=np.int64)
        pos = (starts[:, None] + np.arange(self.T + 1)[None, :]) % n  # [B, T+1]
        rows = self.tokens[pos]  # [B, T+1]
        return Batch(rows[:, :-1], rows[:, 1:], None, None)

    def next(self) -> Batch:
        self.step += 1
        return self.batch_at(self.step - 1, self.shift)

    def eval_batches(self, n: int) -> List[Batch]:
        return [self.batch_at(s, 0) for s in range(n)]

    def state(self) -> dict:
        return {"kind": self.kind, "step": self.step, "seed": self.seed, "fingerprint": self.fingerprint}

    def restore(self, state: dict) -> None:
        check_restore(state, self.state())
        self.step = state["step"]


def check_restore(state: dict, mine: dict) -> None:
    if state.get("kind") != mine["kind"]:
        raise ValueError(f'batcher state is for a "{state.get("kind")}" batcher, this one is "{mine["kind"]}"')
    if state.get("seed") != mine["seed"]:
        raise ValueError(f"batcher state has seed {state.get('seed')}, this batcher has seed {mine['seed']}")
    if state.get("fingerprint") != mine["fingerprint"]:
        raise ValueError(
            f"batcher state was saved for different data ({state.get('fingerprint')}), "
            f"this batcher has {mine['fingerprint']}"
        )
    if not isinstance(state.get("step"), int) or state["step"] < 0:
        raise ValueError(f"batcher state step must be an integer >= 0, got {state.get('step')}")
