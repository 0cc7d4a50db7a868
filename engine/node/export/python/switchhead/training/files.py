"""Crash-safe run files: atomic writes (temp file, fsync, rename) and JSON lines that survive a torn last line.

A process killed mid-write leaves the old file or the new one, never half of one; its temp file (TEMP_PREFIX, with
the writer's pid) is removed when the run resumes (run_dir.py). JSONL files are appended one line per write.
"""

import json
import os
import random

from .errors import RunError

TEMP_PREFIX = ".tmp-"


def write_atomic(path: str, write) -> None:
    """Write through a temp file in the same folder, fsync, rename: a crash leaves the old file or the new one."""
    folder = os.path.dirname(path) or "."
    tmp = os.path.join(folder, f"{TEMP_PREFIX}{os.path.basename(path)}.{os.getpid()}.{random.randrange(36**8):x}")
    try:
        with open(tmp, "xb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json(path: str, obj) -> None:
    write_atomic(path, lambda f: f.write((json.dumps(obj, indent=2) + "\n").encode("utf-8")))


def read_jsonl(path: str) -> list:
    """One JSON object per line; a torn last line (a crash mid-write) is ignored."""
    if not os.path.exists(path):
        return []
    lines = [ln for ln in open(path, encoding="utf-8").read().split("\n") if ln.strip()]
    rows = []
    for i, line in enumerate(lines):
        try:
            rows.append(json.loads(line))
        except ValueError:
            if i < len(lines) - 1:
                raise RunError(f"{path}: line {i + 1} is corrupt")
    return rows


def append_jsonl(path: str, row: dict) -> None:
    """Append one line in one write, after dropping a torn last line left by a crash."""
    with open(path, "a+b") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size:
            f.seek(0)
            data = f.read()
            if not data.endswith(b"\n"):
                start = data.rfind(b"\n") + 1
                try:
                    json.loads(data[start:])
                    f.write(b"\n")
                except ValueError:
                    f.truncate(start)
        f.write((json.dumps(row) + "\n").encode("utf-8"))
