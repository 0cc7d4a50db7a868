"""Text sources and the train/validation split (engine/data/corpus.ts, index.ts; engine/node/corpus.ts).

A spec's text is a bundled corpus (data/source/documents.json and one file per document, written by the export), a
user's text file ("file" source: data/source/<name>, or --source PATH), or text inside the spec. Every document's
last valFraction of tokens is validation.
"""

import json
import os
import re
from typing import List, NamedTuple, Optional

import numpy as np

from .js import JS_SPACE, js_round


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
