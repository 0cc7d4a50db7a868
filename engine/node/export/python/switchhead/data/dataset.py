"""The dataset of a spec (engine/data/index.ts): `prepare` tokenises the text once into data/tokens/, and
`load_dataset` gives training its tokenizer, train batcher and fixed validation batches.

data/tokens/ holds train.npy, val.npy (int32 token streams) and meta.json (the settings they were made for, the
vocabulary, the dataset line); a spec whose data settings changed needs prepare_data.py again. Synthetic tasks need
no files: their batches are generated while training.
"""

import json
import os
from typing import List, NamedTuple, Optional

import numpy as np

from .batching import Batch, LmBatcher
from .bpe import BpeTokenizer
from .corpora import read_documents, split_tokens, unigram_entropy_bits
from .js import js_round
from .synthetic import SyntheticBatcher, SyntheticTokenizer
from .tokenizers import ByteTokenizer, CharTokenizer


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
