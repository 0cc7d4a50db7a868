"""The synthetic tasks (engine/data/synthetic.ts, synthetic-batcher.ts): copy, reverse, recall, modadd, sort, and
their mixture, generated while training (nothing to prepare).

A row packs whole examples back to back, then <pad>; the loss and the accuracy count answer tokens only. modadd
holds out a seeded share of the p^2 pairs for validation. Also here: the tasks' vocabulary and tokenizer, and the
answer-accuracy counts that training sums over batches and ranks.
"""

import re
from typing import List, Optional

import numpy as np

from .batching import Batch, LmBatcher
from .js import JS_SPACE, js_number, js_round
from .rng import Rng, mix_seed


TASKS = ["copy", "reverse", "recall", "modadd", "sort"]


class SyntheticVocab:
    """Token ids in this order, each section only if a task uses it:
    <pad> <sep> ? + = <task tokens> items values numbers."""

    def __init__(self, cfg: dict):
        tasks = tasks_of(cfg)
        has = lambda *ts: any(t in tasks for t in ts)  # noqa: E731
        letters = lambda n, a, prefix: [chr(ord(a) + i) if n <= 26 else f"{prefix}{i}" for i in range(n)]  # noqa: E731
        self.names: List[str] = []

        def section(tokens: List[str]):
            start = len(self.names) if tokens else -1
            self.names.extend(tokens)
            return start

        self.pad = section(["<pad>"])
        self.sep = section(["<sep>"] if has("copy", "reverse", "sort") else [])
        self.query = section(["?"] if has("recall") else [])
        self.plus = section(["+"] if has("modadd") else [])
        self.eq = section(["="] if has("modadd") else [])
        mix = cfg["task"] == "mixture"
        start = section([f"<{t}>" for t in TASKS] if mix else [])
        self.task_token = {t: start + i if mix else -1 for i, t in enumerate(TASKS)}
        self.items = section(letters(cfg["symbols"], "A", "x") if has("copy", "reverse", "sort", "recall") else [])
        self.values = section(letters(cfg["symbols"], "a", "v") if has("recall") else [])
        self.numbers = section([str(i) for i in range(cfg["modulus"])] if has("modadd") else [])
        self.size = len(self.names)


def tasks_of(cfg: dict) -> List[str]:
    return list(TASKS) if cfg["task"] == "mixture" else [cfg["task"]]


def example_length(task: str, cfg: dict) -> int:
    n = cfg["length"]
    core = 2 * n + 3 if task == "recall" else 5 if task == "modadd" else 2 * n + 1
    return core + (1 if cfg["task"] == "mixture" else 0)


def modadd_split(p: int, val_fraction: float, seed: int):
    """A seeded permutation of the p^2 pairs (a*p + b); the last round(p^2 * valFraction) are validation."""
    pairs = Rng(seed ^ 0x6D6F64).shuffle(list(range(p * p)))
    n_val = min(max(js_round(p * p * val_fraction), 1), p * p - 1)
    return pairs[: p * p - n_val], pairs[p * p - n_val :]


def make_example(task: str, cfg: dict, vocab: SyntheticVocab, rng: Rng, mod_pairs: Optional[List[int]]):
    """One example: (tokens, answer start)."""
    n = cfg["length"]
    if task in ("copy", "reverse", "sort"):
        xs = [vocab.items + rng.int(cfg["symbols"]) for _ in range(n)]
        ans = xs if task == "copy" else xs[::-1] if task == "reverse" else sorted(xs)
        tokens, answer = xs + [vocab.sep] + ans, n + 1
    elif task == "recall":
        keys = [vocab.items + k for k in rng.distinct(n, cfg["symbols"])]
        vals = [vocab.values + rng.int(cfg["symbols"]) for _ in range(n)]
        q = rng.int(n)
        tokens, answer = [t for kv in zip(keys, vals) for t in kv] + [vocab.query, keys[q], vals[q]], 2 * n + 2
    else:
        p = cfg["modulus"]
        pair = mod_pairs[rng.int(len(mod_pairs))] if mod_pairs is not None else rng.int(p * p)
        a, b = pair // p, pair % p
        tokens, answer = [vocab.numbers + a, vocab.plus, vocab.numbers + b, vocab.eq, vocab.numbers + (a + b) % p], 4
    if cfg["task"] == "mixture":
        tokens, answer = [vocab.task_token[task]] + tokens, answer + 1
    return tokens, answer


class SyntheticBatcher:
    """Rows of whole examples packed back to back, then <pad>; the loss counts answer tokens only."""

    kind = "synthetic"

    def __init__(self, cfg: dict, batch_size: int, seq_len: int, seed: int, split: str, val_fraction: float):
        self.cfg, self.B, self.T, self.seed, self.split, self.step = cfg, batch_size, seq_len, seed, split, 0
        self.vocab = SyntheticVocab(cfg)
        self.tasks = tasks_of(cfg)
        longest = max(example_length(t, cfg) for t in self.tasks)
        if longest > seq_len + 1:
            raise ValueError(
                f"data.seqLen={seq_len} is too short for synthetic {cfg['task']} examples of {longest} tokens "
                f"(need seqLen >= {longest - 1})"
            )
        self.mod_pairs = None
        if "modadd" in self.tasks:
            train, val = modadd_split(cfg["modulus"], val_fraction, seed)
            self.mod_pairs = train if split == "train" else val
        self.fingerprint = (
            f"synthetic {cfg['task']} n={cfg['length']} s={cfg['symbols']} p={cfg['modulus']} {split} "
            f"f={js_number(val_fraction)} B={batch_size} T={seq_len}"
        )

    def batch_at(self, step: int, stream: int) -> Batch:
        B, T = self.B, self.T
        rng = Rng(mix_seed(self.seed, 1 if self.split == "train" else 2, stream, step))
        rows = np.full((B, T + 1), self.vocab.pad, dtype=np.int64)
        answer = np.zeros((B, T + 1), dtype=np.float32)
        task = np.full((B, T + 1), -1, dtype=np.int64)
        for b in range(B):
            used = 0
            while True:
                t = self.tasks[0 if len(self.tasks) == 1 else rng.int(len(self.tasks))]
                tokens, start = make_example(t, self.cfg, self.vocab, rng, self.mod_pairs)
                if used + len(tokens) > T + 1:
                    break
                rows[b, used : used + len(tokens)] = tokens
                answer[b, used + start : used + len(tokens)] = 1
                task[b, used : used + len(tokens)] = TASKS.index(t)
                used += len(tokens)
        return Batch(rows[:, :-1], rows[:, 1:], answer[:, 1:], task[:, 1:])

    def next(self) -> Batch:
        self.step += 1
        return self.batch_at(self.step - 1, 0)

    def eval_batches(self, n: int) -> List[Batch]:
        return [self.batch_at(s, 1) for s in range(n)]

    state = LmBatcher.state
    restore = LmBatcher.restore


class SyntheticTokenizer:
    kind = "synthetic"

    def __init__(self, vocab: SyntheticVocab, task: str):
        self.vocab, self.task, self.vocab_size = vocab, task, vocab.size
        self.id_of = {n: i for i, n in enumerate(vocab.names)}

    def encode(self, text: str) -> List[int]:
        words = [w for w in re.split("[" + "".join(sorted(JS_SPACE)) + "]+", text) if w]
        for w in words:
            if w not in self.id_of:
                raise ValueError(f'synthetic tokenizer: "{w}" is not a token of the {self.task} vocabulary')
        return [self.id_of[w] for w in words]

    def decode(self, ids) -> str:
        return " ".join(self.vocab.names[int(i)] for i in ids)

    def token_name(self, i: int) -> str:
        return self.vocab.names[i]


def accuracy_counts(pred: np.ndarray, target: np.ndarray, mask: np.ndarray, task_ids: np.ndarray) -> np.ndarray:
    """Answer accuracy counts on the scored positions of [B, T] arrays: rows (all, then each task of TASKS) x
    (right tokens, tokens, right answers, answers). An answer is a maximal run of scored positions of one task in a
    row. Counts add up across batches and ranks."""
    counts = np.zeros((1 + len(TASKS), 4), dtype=np.int64)
    for b in range(target.shape[0]):
        t = 0
        while t < target.shape[1]:
            if not mask[b, t] > 0:
                t += 1
                continue
            task, right, j = int(task_ids[b, t]), True, t
            groups = [0] + ([1 + task] if task >= 0 else [])
            while j < target.shape[1] and mask[b, j] > 0 and task_ids[b, j] == task:
                ok = pred[b, j] == target[b, j]
                right = right and ok
                counts[groups, 0] += int(ok)
                counts[groups, 1] += 1
                j += 1
            counts[groups, 2] += int(right)
            counts[groups, 3] += 1
            t = j
    return counts
