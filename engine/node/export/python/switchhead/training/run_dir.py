"""The run directory (the workbench's DESIGN 2.2), as the workbench writes it, so a run copied back opens there:

    runs/<yyyymmdd-hhmmss>-<name>/  spec.json, metrics.jsonl, routing.jsonl, probes/<step>.json,
                                    checkpoints/<step>.safetensors (the newest --keep-checkpoints), summary.json,
                                    writer.json while a process writes it

Rank 0 writes; JSONL is appended, everything else written atomically (files.py). On resume the directory rolls back
to its checkpoint: later rows, probes and checkpoints, the summary and stale temp files go.
"""

import datetime
import json
import math
import os
import re
import socket
from typing import List, Optional, Tuple

from .checkpoints import save_checkpoint
from .errors import CheckpointError, RunError
from .files import TEMP_PREFIX, read_jsonl, write_atomic, write_json
from .run_state import Run
from .safetensors_file import read_safetensors

WRITER_FILE = "writer.json"


def sanitize_run_name(name: str) -> str:
    import unicodedata

    s = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", name))
    s = re.sub(r"-{2,}", "-", s).lstrip("-.")[:64].rstrip("-.")
    return s or "run"


def create_run_dir(root: str, name: str) -> str:
    """runs/<yyyymmdd-hhmmss>-<name>, with -2, -3, ... when taken (the workbench's run ids)."""
    base = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S") + "-" + sanitize_run_name(name)
    os.makedirs(root, exist_ok=True)
    for i in range(1, 10_000):
        path = os.path.join(root, base if i == 1 else f"{base}-{i}")
        try:
            os.mkdir(path)
            return path
        except FileExistsError:
            continue
    raise RunError(f"cannot create a run directory under {root}")


class RunDir:
    def __init__(self, path: str):
        self.dir = path
        self.spec, self.summary = os.path.join(path, "spec.json"), os.path.join(path, "summary.json")
        self.metrics, self.routing = os.path.join(path, "metrics.jsonl"), os.path.join(path, "routing.jsonl")
        self.probes, self.checkpoints = os.path.join(path, "probes"), os.path.join(path, "checkpoints")

    def checkpoint_path(self, step: int) -> str:
        return os.path.join(self.checkpoints, f"{step}.safetensors")

    def steps_in(self, folder: str, ext: str) -> List[int]:
        if not os.path.isdir(folder):
            return []
        pattern = re.compile(r"^(\d+)" + re.escape(ext) + "$")
        return sorted(int(m.group(1)) for m in map(pattern.match, os.listdir(folder)) if m)

    def write_checkpoint(self, run: Run, keep: int, engine_version: str) -> str:
        """All ranks call this (the XL memory is gathered); rank 0 writes and keeps the newest `keep` files."""
        path = self.checkpoint_path(run.step)
        if run.d.rank == 0:
            os.makedirs(self.checkpoints, exist_ok=True)
        save_checkpoint(run, path, engine_version)
        if run.d.rank == 0:
            old = [s for s in self.steps_in(self.checkpoints, ".safetensors") if s != run.step]
            for s in old[: max(0, len(old) - (keep - 1))]:
                os.remove(self.checkpoint_path(s))
        return path

    def latest_checkpoint(self) -> Tuple[Optional[int], List[str]]:
        """The newest checkpoint that reads; unreadable ones are skipped, each with a warning."""
        warnings = []
        for step in reversed(self.steps_in(self.checkpoints, ".safetensors")):
            try:
                read_safetensors(self.checkpoint_path(step))
                return step, warnings
            except (CheckpointError, OSError, ValueError, KeyError, TypeError) as e:
                warnings.append(f"skipped {e}")
        return None, warnings

    def roll_back(self, step: int, say) -> None:
        """Back to the state of `step`: stale temp files, later rows, probes, checkpoints and the summary go."""
        for folder in (self.dir, self.probes, self.checkpoints):
            for f in os.listdir(folder) if os.path.isdir(folder) else []:
                m = re.search(r"\.(\d+)\.[a-z0-9]+$", f)
                if f.startswith(TEMP_PREFIX) and not (m and pid_alive(int(m.group(1)))):
                    os.remove(os.path.join(folder, f))
                    say(f"removed stale temp file {os.path.join(folder, f)}")
        for path in (self.metrics, self.routing):
            if os.path.exists(path):
                keep = [r for r in read_jsonl(path) if r.get("step", math.inf) <= step]
                write_atomic(path, lambda f: f.write("".join(json.dumps(r) + "\n" for r in keep).encode("utf-8")))
        for s in self.steps_in(self.probes, ".json"):
            if s > step:
                os.remove(os.path.join(self.probes, f"{s}.json"))
        for s in self.steps_in(self.checkpoints, ".safetensors"):
            if s > step:
                os.remove(self.checkpoint_path(s))
        if os.path.exists(self.summary):
            os.remove(self.summary)


def claim_run(rd: RunDir) -> None:
    """writer.json {pid, kind: "export", startedAt, hostname}: the workbench shows the run as being written (the
    convention of its run directories); refused while another live process on this machine holds the run."""
    path = os.path.join(rd.dir, WRITER_FILE)
    try:
        other = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError):
        other = None
    if isinstance(other, dict) and other.get("hostname") == socket.gethostname() and isinstance(other.get("pid"), int):
        if other["pid"] != os.getpid() and pid_alive(other["pid"]):
            raise RunError(f"{rd.dir} is being written by process {other['pid']} ({other.get('kind')}) on this machine")
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    write_json(path, {"pid": os.getpid(), "kind": "export", "startedAt": now, "hostname": socket.gethostname()})


def release_run(rd: RunDir) -> None:
    path = os.path.join(rd.dir, WRITER_FILE)
    if os.path.exists(path):
        os.remove(path)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except PermissionError:
        return True
    except OSError:
        return False
