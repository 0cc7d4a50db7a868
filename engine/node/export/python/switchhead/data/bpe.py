"""GPT-2 byte-level BPE truncated to its first K merges (engine/data/bpe.ts): vocabulary 256 + K, ids as GPT-2's.

The merges come from data/vocab.bpe (GPT-2's file, carried by the export). Text is pre-tokenised with GPT-2's regex
evaluated with JavaScript's \\s (as the engine does), each piece is encoded as UTF-8 bytes, and the lowest-ranked
adjacent pair is merged until none is left.
"""

import math
import unicodedata
from typing import Dict, List

from .js import JS_SPACE


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
