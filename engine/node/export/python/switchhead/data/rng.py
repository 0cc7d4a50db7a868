"""Seeds and random numbers: the engine's engine/data/rng.ts, bit for bit.

`mix_seed` folds integers into one uint32 seed (a murmur3-style finaliser per word); `Rng` is mulberry32 with a
32-bit state. Batches, the data order and the synthetic examples are pure functions of these, so both engines make
the same ones, and a checkpoint's batcher state (a step count) restores the same stream in either.
"""

import math
from typing import List

M32 = 0xFFFFFFFF


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
