"""The byte and character tokenizers (engine/data/tokenizer.ts); GPT-2 BPE is in bpe.py, the synthetic tasks'
tokenizer in synthetic.py.

Every tokenizer has `kind`, `vocab_size`, `encode(text)`, `decode(ids)` and `token_name(i)` (the probe files show
token names); the text tokenizers also `describe()` themselves for the dataset line.
"""

import json
from typing import List


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
