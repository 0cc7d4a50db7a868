"""Tokenise the exported experiment's text exactly as SwitchHead Workbench does; run it once, before train.py:

    python3 prepare_data.py                     # reads spec.json and data/source/, writes data/tokens/
    python3 prepare_data.py --source my.txt     # a "file" source read from another path

The tokenizers (UTF-8 bytes, characters, GPT-2 BPE truncated to the spec's vocabulary), the train/validation split
and the batchers are in the package switchhead/data/ (train.py reads the same). Depends on numpy and the standard
library only.
"""

import argparse
import json
import os
import sys
from typing import List

from switchhead.data import prepare

HERE = os.path.dirname(os.path.abspath(__file__))


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
