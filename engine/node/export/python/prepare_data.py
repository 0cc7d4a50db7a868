"""Data of the exported experiment, made exactly as SwitchHead Workbench makes it, so that batches, checkpoints and
losses agree token for token with the workbench: tokenizers (UTF-8 bytes, characters, GPT-2 BPE truncated to the
spec's vocabulary), the train/validation split, the seeded batchers (language-model streams and synthetic tasks)
and answer accuracy. train.py imports it; run it once to tokenise the corpus:

    python3 prepare_data.py                     # reads spec.json and data/source/, writes data/tokens/
    python3 prepare_data.py --source my.txt     # a "file" source read from another path

Depends on numpy and the standard library only.
"""

import argparse
import json
import math
import os
import re
import sys
import unicodedata
from typing import Dict, List, NamedTuple, Optional

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
M32 = 0xFFFFFFFF

# ----------------------------------------------------------------------------------------------------------------
# Seeds and random numbers (the engine's engine/data/rng.ts, bit for bit)
# ----------------------------------------------------------------------------------------------------------------


def imul(a: int, b: int) -> int:
    """The low 32 bits of a*b (JavaScript's Math.imul, as an unsigned number)."""
    return (a * b) & M32


def mix_seed(*words: int) -> int:
    """Mix integers into one uint32 seed (murmur3-style finaliser per word)."""
    h = 0x811C9DC5
    for w in words:
        k = imul(w & M32, 0xCC9E2D51)
        k = ((k << 15) | (k >> 17)) & M32
        h = (imul(h ^ imul(k, 0x1B873593), 5) + 0xE6546B64) & M32
        h = ((h << 13) | (h >> 19)) & M32
    h ^= h >> 16
    h = imul(h, 0x85EBCA6B)
    h ^= h >> 13
    h = imul(h, 0xC2B2AE35)
    return h ^ (h >> 16)


class Rng:
    """mulberry32: a 32-bit state, the same stream as the engine's Rng."""

    def __init__(self, seed: int):
        self.state = int(seed) & M32

    def next_u32(self) -> int:
        self.state = (self.state + 0x6D2B79F5) & M32
        t = self.state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return (t ^ (t >> 14)) & M32

    def int(self, n: int) -> int:
        """Uniform integer in [0, n)."""
        return math.floor(self.next_u32() / 4294967296 * n)

    def distinct(self, k: int, n: int) -> List[int]:
        """k distinct integers from [0, n) in random order (partial Fisher-Yates)."""
        pool = list(range(n))
        for i in range(k):
            j = i + self.int(n - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]

    def shuffle(self, xs: list) -> list:
        for i in range(len(xs) - 1, 0, -1):
            j = self.int(i + 1)
            xs[i], xs[j] = xs[j], xs[i]
        return xs


def js_round(x: float) -> int:
    """JavaScript's Math.round for x >= 0 (halves go up)."""
    return math.floor(x + 0.5)


def js_number(x: float) -> str:
    """A number as JavaScript prints it (for batcher fingerprints): 1 not 1.0, 1e-7 not 1e-07."""
    if float(x).is_integer() and abs(x) < 1e21:
        return str(int(x))
    r = repr(float(x))
    if "e" in r:
        mant, exp = r.split("e")
        r = f"{mant}e{'-' if exp.startswith('-') else '+'}{exp.lstrip('+-').lstrip('0')}"
    return r


# ----------------------------------------------------------------------------------------------------------------
# Tokenizers (engine/data/tokenizer.ts, bpe.ts)
# ----------------------------------------------------------------------------------------------------------------

# JavaScript's \s: WhiteSpace and LineTerminator of ECMAScript.
JS_SPACE = set("\t\n\x0b\x0c\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff")
JS_SPACE |= {chr(c) for c in range(0x2000, 0x200B)}


class ByteTokenizer:
    kind, vocab_size = "byte", 256

    def encode(self, text: str) -> List[int]:
        return list(text.encode("utf-8"))

    def decode(self, ids) -> str:
        return bytes(int(i) for i in ids).decode("utf-8", errors="replace")

    def token_name(self, i: int) -> str:
        return chr(i) if 0x20 <= i < 0x7F else f"<0x{i:02x}>"

    def describe(self) -> str:
        return "byte-level (vocab 256)"


class CharTokenizer:
    """The sorted (by code point) distinct characters of the training text; unknown characters are an error."""

    kind = "char"

    def __init__(self, chars: List[str]):
        if not chars:
            raise ValueError("char tokenizer: the training text is empty, so there is no vocabulary")
        self.chars = chars
        self.id_of = {c: i for i, c in enumerate(chars)}
        self.vocab_size = len(chars)

    @staticmethod
    def from_texts(texts: List[str]) -> "CharTokenizer":
        return CharTokenizer(sorted(set("".join(texts)), key=ord))

    def encode(self, text: str) -> List[int]:
        out = []
        for pos, ch in enumerate(text):
            if ch not in self.id_of:
                raise ValueError(
                    f"char tokenizer: character {json.dumps(ch)} (U+{ord(ch):04X}) at index {pos} is not in the "
                    f"vocabulary of {self.vocab_size} characters from the training text"
                )
            out.append(self.id_of[ch])
        return out

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def token_name(self, i: int) -> str:
        return self.chars[i]

    def describe(self) -> str:
        return f"char-level (vocab {self.vocab_size})"


def gpt2_byte_table():
    """GPT-2's reversible byte -> printable character table: (bytes in id order, character of each byte)."""
    printable = lambda b: 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or 0xAE <= b <= 0xFF  # noqa: E731
    order = [b for b in range(256) if printable(b)] + [b for b in range(256) if not printable(b)]
    char_of = {}
    n = 0
    for b in range(256):
        if printable(b):
            char_of[b] = chr(b)
        else:
            char_of[b] = chr(256 + n)
            n += 1
    return order, char_of


_CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")


def pretokenize(text: str) -> List[str]:
    """GPT-2's pre-tokenisation, the engine's regex with JavaScript's \\s; at each position the first alternative
    that matches wins:  's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"""
    cls_cache: Dict[str, str] = {}

    def cls(c: str) -> str:  # 's'pace, 'L'etter, 'N'umber or 'o'ther
        r = cls_cache.get(c)
        if r is None:
            r = "s" if c in JS_SPACE else unicodedata.category(c)[0] if unicodedata.category(c)[0] in "LN" else "o"
            cls_cache[c] = r
        return r

    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "'":
            hit = next((t for t in _CONTRACTIONS if text.startswith(t, i)), None)
            if hit:
                out.append(hit)
                i += len(hit)
                continue
        j = i + 1 if c == " " and i + 1 < n and cls(text[i + 1]) != "s" else i
        kind = cls(text[j])
        if kind != "s":  # ' ?' then a run of one class: letters, numbers, or anything else but spaces
            k = j + 1
            while k < n and cls(text[k]) == kind:
                k += 1
            out.append(text[i:k])
            i = k
            continue
        k = i + 1
        while k < n and cls(text[k]) == "s":
            k += 1
        if k < n and k - i > 1:
            k -= 1  # \s+(?!\S): leave the last space to the word that follows
        out.append(text[i:k])
        i = k
    return out


class BpeTokenizer:
    """GPT-2 byte-level BPE truncated to its first K merges: vocabulary 256 + K, ids as GPT-2's."""

    kind = "bpe"

    def __init__(self, merges_text: str, n_merges: int):
        order, char_of = gpt2_byte_table()
        self.vocab_size = 256 + n_merges
        self.n_merges = n_merges
        self.id_of_byte = [0] * 256
        self.token_bytes: List[bytes] = [b""] * self.vocab_size
        id_of_string = {}
        for i, b in enumerate(order):
            self.id_of_byte[b] = i
            self.token_bytes[i] = bytes([b])
            id_of_string[char_of[b]] = i
        self.rank: Dict[tuple, int] = {}
        self.merge_pair: List[tuple] = []
        i = 0
        for li, line in enumerate(merges_text.split("\n")):
            if i >= n_merges:
                break
            line = line[:-1] if line.endswith("\r") else line
            if line.startswith("#version") or line.strip() == "":
                continue
            parts = line.split(" ")
            if len(parts) != 2:
                raise ValueError(f"vocab.bpe line {li + 1} is not \"left right\": {line!r}")
            a, b = id_of_string.get(parts[0]), id_of_string.get(parts[1])
            if a is None or b is None:
                raise ValueError(f"vocab.bpe line {li + 1} (merge {i}) uses a token no earlier merge made: {line!r}")
            self.rank[(a, b)] = i
            self.merge_pair.append((a, b))
            id_of_string[parts[0] + parts[1]] = 256 + i
            self.token_bytes[256 + i] = self.token_bytes[a] + self.token_bytes[b]
            i += 1
        if i < n_merges:
            raise ValueError(f"vocab.bpe holds only {i} merges, {n_merges} requested")
        self.cache: Dict[str, List[int]] = {}

    def encode_word(self, word: str) -> List[int]:
        hit = self.cache.get(word)
        if hit is not None:
            return hit
        ids = [self.id_of_byte[b] for b in word.encode("utf-8")]
        while len(ids) > 1:
            best = min((self.rank.get(p, math.inf) for p in zip(ids, ids[1:])), default=math.inf)
            if best == math.inf:
                break
            a, b = self.merge_pair[best]
            merged, j = [], 0
            while j < len(ids):
                if j + 1 < len(ids) and ids[j] == a and ids[j + 1] == b:
                    merged.append(256 + best)
                    j += 2
                else:
                    merged.append(ids[j])
                    j += 1
            ids = merged
        if len(self.cache) >= 200_000:
            self.cache.clear()
        self.cache[word] = ids
        return ids

    def encode(self, text: str) -> List[int]:
        return [i for w in pretokenize(text) for i in self.encode_word(w)]

    def decode(self, ids) -> str:
        return b"".join(self.token_bytes[int(i)] for i in ids).decode("utf-8", errors="replace")

    def token_name(self, i: int) -> str:
        return self.decode([i])

    def describe(self) -> str:
        return f"GPT-2 BPE, first {self.n_merges} merges (vocab {self.vocab_size})"


# ----------------------------------------------------------------------------------------------------------------
# Text sources and the split (engine/data/corpus.ts, index.ts; engine/node/corpus.ts)
# ----------------------------------------------------------------------------------------------------------------


class Document(NamedTuple):
    name: str
    text: str


def normalize_text(text: str) -> str:
    """Line endings to \\n; control characters other than \\t and \\n removed."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", re.sub(r"\r\n?", "\n", text))


def load_user_text(path: str) -> Document:
    """A "file" source: UTF-8 text, no NUL bytes, not blank; a leading BOM is dropped."""
    if not os.path.isfile(path):
        raise ValueError(f"text file not found: {path}")
    data = open(path, "rb").read()
    if not data:
        raise ValueError(f"text file is empty: {path}")
    if b"\0" in data:
        raise ValueError(f"{path} is not a text file (NUL byte at offset {data.index(0)}); give a UTF-8 text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not valid UTF-8 text (offset {e.start}); re-save it as UTF-8") from None
    text = normalize_text(text[1:] if text.startswith("\ufeff") else text)
    if not "".join(c for c in text if c not in JS_SPACE):
        raise ValueError(f"text file holds only whitespace: {path}")
    return Document(os.path.basename(path), text)


def split_tokens(docs: List[np.ndarray], val_fraction: float):
    """The last val_fraction of every document's tokens is validation (at least 2 per side for >= 4 tokens)."""
    n_val = []
    for ids in docs:
        v = js_round(len(ids) * val_fraction)
        n_val.append(min(max(v, 2), len(ids) - 2) if len(ids) >= 4 else v)
    train = np.concatenate([ids[: len(ids) - v] for ids, v in zip(docs, n_val)]).astype(np.int32)
    val = np.concatenate([ids[len(ids) - v :] for ids, v in zip(docs, n_val)]).astype(np.int32)
    if len(train) < 2 or len(val) < 2:
        raise ValueError(
            f"the text is too short to split: {len(train) + len(val)} tokens give {len(train)} for training and "
            f"{len(val)} for validation (need at least 2 each; use more text or a larger data.valFraction)"
        )
    return train, val


def unigram_entropy_bits(ids: np.ndarray, vocab_size: int) -> float:
    p = np.bincount(ids, minlength=vocab_size)
    p = p[p > 0] / len(ids)
    return float(-(p * np.log2(p)).sum())


# ----------------------------------------------------------------------------------------------------------------
# Batchers (engine/data/batcher.ts): a batch is a pure function of (stream, B, T, seed, step)
# ----------------------------------------------------------------------------------------------------------------


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
        rows = self.tokens[pos]
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


# ----------------------------------------------------------------------------------------------------------------
# Synthetic tasks (engine/data/synthetic.ts, synthetic-batcher.ts)
# ----------------------------------------------------------------------------------------------------------------

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


# ----------------------------------------------------------------------------------------------------------------
# The dataset of a spec
# ----------------------------------------------------------------------------------------------------------------


class Dataset(NamedTuple):
    tokenizer: object
    train: object  # LmBatcher or SyntheticBatcher
    val_batches: List[Batch]
    vocab_size: int
    description: str
    bytes_per_token: Optional[float]  # UTF-8 bytes per validation target token (None for synthetic tasks)
    synthetic: bool


def data_key(spec: dict) -> dict:
    """What the token files depend on: a changed spec needs prepare_data.py again."""
    d = spec["data"]
    return {"source": d["source"], "tokenizer": d["tokenizer"], "valFraction": d["valFraction"]}


def read_documents(spec: dict, data_dir: str, source_path: Optional[str]) -> List[Document]:
    src = spec["data"]["source"]
    if src["kind"] == "text":
        return [Document(src["name"], normalize_text(src["text"]))]
    if src["kind"] == "file":
        bundled = os.path.join(data_dir, "source", os.path.basename(src["path"]))
        return [load_user_text(source_path or (bundled if os.path.exists(bundled) else src["path"]))]
    listing = json.load(open(os.path.join(data_dir, "source", "documents.json"), encoding="utf-8"))
    docs = []
    for d in listing:
        with open(os.path.join(data_dir, "source", d["file"]), encoding="utf-8", newline="") as f:
            docs.append(Document(d["name"], f.read()))
    return docs


def make_text_tokenizer(spec: dict, data_dir: str, texts: Optional[List[str]] = None, chars: Optional[list] = None):
    t = spec["data"]["tokenizer"]
    if t["kind"] == "byte":
        return ByteTokenizer()
    if t["kind"] == "char":
        return CharTokenizer(chars) if chars is not None else CharTokenizer.from_texts(texts)
    merges = open(os.path.join(data_dir, "vocab.bpe"), encoding="utf-8").read()
    return BpeTokenizer(merges, t["vocabSize"] - 256)


def prepare(spec: dict, data_dir: str, source_path: Optional[str] = None) -> dict:
    """Tokenise the spec's text into data_dir/tokens/{train,val}.npy and meta.json; returns the metadata."""
    data = spec["data"]
    out = os.path.join(data_dir, "tokens")
    os.makedirs(out, exist_ok=True)
    meta = {"key": data_key(spec)}
    if data["source"]["kind"] != "synthetic":
        docs = read_documents(spec, data_dir, source_path)
        texts = [d.text + "\n" if i < len(docs) - 1 else d.text for i, d in enumerate(docs)]
        tok = make_text_tokenizer(spec, data_dir, texts=texts)
        train, val = split_tokens([np.array(tok.encode(t), dtype=np.int32) for t in texts], data["valFraction"])
        np.save(os.path.join(out, "train.npy"), train)
        np.save(os.path.join(out, "val.npy"), val)
        src = data["source"]
        name = src.get("name") if src["kind"] != "file" else src["path"]
        n_chars = sum(len(t.encode("utf-16-le")) // 2 for t in texts)  # JavaScript string length
        meta.update(
            vocabSize=tok.vocab_size,
            chars=tok.chars if tok.kind == "char" else None,
            description=(
                f"{name}: {len(docs)} document{'' if len(docs) == 1 else 's'}, {n_chars:,} characters; "
                f"{tok.describe()}; {len(train):,} train / {len(val):,} validation tokens "
                f"(last {js_round(data['valFraction'] * 100)}% of each document); "
                f"unigram entropy {unigram_entropy_bits(train, tok.vocab_size):.2f} bits/token"
            ),
        )
    with open(os.path.join(out, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False)
    return meta


def load_dataset(spec: dict, data_dir: str) -> Dataset:
    """The tokenizer, train batcher and fixed validation batches of a spec (text: from prepare_data.py's files)."""
    data, seed, n_eval = spec["data"], spec["train"]["seed"], spec["log"]["evalBatches"]
    B, T = data["batchSize"], data["seqLen"]
    src = data["source"]
    if src["kind"] == "synthetic":
        cfg = {k: src[k] for k in ("task", "length", "symbols", "modulus")}
        train = SyntheticBatcher(cfg, B, T, seed, "train", data["valFraction"])
        val = SyntheticBatcher(cfg, B, T, seed, "val", data["valFraction"])
        tok = SyntheticTokenizer(train.vocab, cfg["task"])
        desc = f"synthetic {cfg['task']} (vocab {tok.vocab_size}); loss on answer tokens only"
        return Dataset(tok, train, val.eval_batches(n_eval), tok.vocab_size, desc, None, True)
    tokens = os.path.join(data_dir, "tokens")
    meta_file = os.path.join(tokens, "meta.json")
    if not os.path.exists(meta_file):
        raise ValueError(f"no tokenised data in {tokens}: run  python3 prepare_data.py  first")
    meta = json.load(open(meta_file, encoding="utf-8"))
    if meta.get("key") != data_key(spec):
        raise ValueError(f"{tokens} holds data for other settings than the spec's: run  python3 prepare_data.py  again")
    tok = make_text_tokenizer(spec, data_dir, chars=meta.get("chars"))
    train = LmBatcher(np.load(os.path.join(tokens, "train.npy")), B, T, seed)
    val_batches = LmBatcher(np.load(os.path.join(tokens, "val.npy")), B, T, seed).eval_batches(n_eval)
    n_bytes = sum(len(tok.decode(b.target.reshape(-1)).encode("utf-8")) for b in val_batches)
    n_tok = sum(b.target.size for b in val_batches)
    bpt = n_bytes / n_tok if n_tok > 0 and n_bytes > 0 else 1.0
    return Dataset(tok, train, val_batches, tok.vocab_size, meta["description"], bpt, False)


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description="Tokenise the experiment's text exactly as SwitchHead Workbench does.")
    ap.add_argument("--spec", default=os.path.join(HERE, "spec.json"), help="experiment spec (default: spec.json)")
    ap.add_argument("--data-dir", default=os.path.join(HERE, "data"), help="data folder (default: data/)")
    ap.add_argument("--source", default=None, help='text file of a "file" source, if not the bundled or recorded one')
    args = ap.parse_args(argv)
    try:
        spec = json.load(open(args.spec, encoding="utf-8"))
        meta = prepare(spec, args.data_dir, args.source)
    except (OSError, ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(meta.get("description", "synthetic task: nothing to tokenise (batches are generated while training)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
