"""Data harness for test/export/data.test.ts: what the exported data package (switchhead/data/, which
prepare_data.py runs) makes of each exported folder.
Usage: python3 data_check.py OUT.json EXPORT_DIR [EXPORT_DIR ...]

For each folder: tokenise (prepare), load the dataset, and write its vocabulary, batcher fingerprint, the first
three training batches, the validation batches, bytes per token, token names and the encoding of a probe text.
"""

import json
import os
import sys

sys.path.insert(0, sys.argv[2])
from switchhead.data import load_dataset, prepare  # noqa: E402

PROBE = "Don't stop: 1,234 apples\u00a0and \u00bd pear\u2014caf\u00e9 \u2615 it's 2024!\n\n  Done.\t"


def flat(batch, field):
    a = getattr(batch, field)
    return None if a is None else [int(x) for x in a.reshape(-1)]


def dump(folder: str) -> dict:
    spec = json.load(open(os.path.join(folder, "spec.json")))
    prepare(spec, os.path.join(folder, "data"))
    data = load_dataset(spec, os.path.join(folder, "data"))
    batches = lambda bs: [{f: flat(b, f) for f in ("input", "target", "mask", "task_ids")} for b in bs]  # noqa: E731
    train = [data.train.next() for _ in range(3)]
    try:
        probe = data.tokenizer.encode(PROBE)
    except ValueError as e:
        probe = str(e)
    return {
        "name": spec["name"],
        "vocabSize": data.vocab_size,
        "fingerprint": data.train.fingerprint,
        "state": data.train.state(),
        "train": batches(train),
        "val": batches(data.val_batches),
        "bytesPerToken": data.bytes_per_token,
        "names": [data.tokenizer.token_name(i) for i in range(min(data.vocab_size, 400))],
        "probe": probe,
        "description": data.description,
    }


if __name__ == "__main__":
    json.dump([dump(f) for f in sys.argv[2:]], open(sys.argv[1], "w"), ensure_ascii=False)
