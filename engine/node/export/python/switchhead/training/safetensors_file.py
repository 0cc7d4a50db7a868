"""The safetensors format (https://huggingface.co/docs/safetensors), read and written without the library:

    u64 little-endian header length | JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}},
    padded with spaces to 8 bytes | the raw little-endian data, tensor after tensor.

Checkpoints are written as F32, sorted by name, atomically; reading checks that every tensor fits the data section
and names the file and the problem otherwise.
"""

import json
import struct
from typing import Dict, Tuple

import numpy as np

from .errors import CheckpointError
from .files import write_atomic

DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64, "U8": np.uint8}


def write_safetensors(path: str, tensors: Dict[str, np.ndarray], metadata: Dict[str, str]) -> None:
    """The safetensors format: u64 header length, JSON header {name: {dtype, shape, data_offsets}, __metadata__},
    padded with spaces to 8 bytes, then the raw little-endian data, tensor after tensor. Written atomically."""
    header, offset = {"__metadata__": metadata}, 0
    names = sorted(tensors)
    for n in names:
        nbytes = tensors[n].size * 4
        header[n] = {"dtype": "F32", "shape": list(tensors[n].shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)

    def write(f):
        f.write(struct.pack("<Q", len(text)) + text)
        for n in names:
            f.write(np.ascontiguousarray(tensors[n], dtype="<f4").tobytes())

    write_atomic(path, write)


def read_safetensors(path: str) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """Read and check a safetensors file; errors name the file and the problem."""
    fail = lambda msg: CheckpointError(f"checkpoint {path}: {msg}")  # noqa: E731
    data = open(path, "rb").read()
    if len(data) < 8:
        raise fail(f"file is {len(data)} bytes, too short for the 8-byte header length (truncated?)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise fail(f"header length {n} exceeds the {len(data) - 8} bytes after the length field (truncated?)")
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except ValueError as e:
        raise fail(f"header is not valid JSON ({e})") from None
    metadata = header.pop("__metadata__", {}) or {}
    tensors, pos, body = {}, 0, data[8 + n :]
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if e["dtype"] not in DTYPES:
            raise fail(f"tensor '{name}': dtype '{e['dtype']}' is not supported")
        begin, end = e["data_offsets"]
        need = int(np.prod(e["shape"], dtype=np.int64)) * np.dtype(DTYPES[e["dtype"]]).itemsize
        if begin != pos or end - begin != need or end > len(body):
            raise fail(f"tensor '{name}' [{begin}, {end}) does not fit the data section (truncated or corrupt)")
        dtype = np.dtype(DTYPES[e["dtype"]])
        tensors[name] = np.frombuffer(body, dtype, count=need // dtype.itemsize, offset=begin).reshape(e["shape"])
        pos = end
    if pos != len(body):
        raise fail(f"data section has {len(body)} bytes but the tensors cover only {pos}")
    return tensors, metadata
