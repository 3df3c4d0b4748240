"""Frequent words' postings as numpy arrays beside each segment, read without decoding.

Whoosh stores postings as pickled, compressed blocks: reading a word found in half the
passages costs about 2 µs per posting, hundreds of milliseconds at national scale, and
a phrase of frequent words needs their positions too. When a segment is written, the
postings of its words found in at least FREQUENT_POSTINGS passages are also written as
arrays (document numbers, weights, position keys `document << 32 | position`), which a
search maps into memory. The files are named after their segment, so Whoosh removes
them with it when segments merge; a segment without them (an index written by an older
docsante) is read from Whoosh's blocks, with the same results.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from .whoosh_adapter import position_keys, posting_arrays

FREQUENT_POSTINGS = 256  # two of Whoosh's blocks: shorter lists decode in well under a millisecond
ARRAYS = ("ids", "weights", "keys")


def _path(folder: Path, segment_id: str, part: str) -> Path:
    return folder / f"{segment_id}.frequent_{part}"


def _positional_fields(schema) -> list[str]:
    return [name for name in schema.names() if schema[name].format and schema[name].format.supports("positions")]


def segment_id(segment) -> str | None:
    """The id of a segment's reader (None for the reader of an empty index)."""
    found = segment.segment() if hasattr(segment, "segment") else None
    return found.segment_id() if found is not None else None


def write_missing(ix) -> None:
    """Write the arrays of every segment of the index that has none."""
    folder = Path(ix.storage.folder)
    with ix.reader() as reader:
        for segment, _ in reader.leaf_readers():
            name = segment_id(segment)
            if name and not _path(folder, name, "words.json").exists():
                _write(folder, name, segment)


def _write(folder: Path, segment_id: str, segment) -> None:
    parts = {name: [] for name in ARRAYS}
    directory: dict[str, dict[str, list[int]]] = {}
    ends = dict.fromkeys(ARRAYS, 0)
    for field in _positional_fields(segment.schema):
        for word, info in segment.iter_field(field):
            if info.doc_frequency() < FREQUENT_POSTINGS:
                continue
            starts = dict(ends)
            for name, array in zip(ARRAYS, (*posting_arrays(segment, field, word), position_keys(segment, field, word))):
                parts[name].append(array)
                ends[name] += len(array)
            directory.setdefault(field, {})[word.decode("utf-8")] = [starts["ids"], ends["ids"], starts["keys"], ends["keys"]]
    types = {"ids": np.int32, "weights": np.float64, "keys": np.int64}
    for name in ARRAYS:  # written under a hidden name, then renamed: a reader never sees half a file
        array = np.concatenate(parts[name]).astype(types[name]) if parts[name] else np.empty(0, types[name])
        _replace(_path(folder, segment_id, f"{name}.npy"), lambda f: np.save(f, array))
    _replace(_path(folder, segment_id, "words.json"), lambda f: f.write(json.dumps(directory).encode("utf-8")))


def _replace(path: Path, write) -> None:
    hidden = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with open(hidden, "wb") as f:
            write(f)
        os.replace(hidden, path)
    finally:
        hidden.unlink(missing_ok=True)


class FrequentPostings:
    """One segment's arrays, mapped into memory (an empty directory when it has none)."""

    def __init__(self, folder: Path, segment_id: str):
        self.directory: dict[str, dict[str, list[int]]] = {}
        try:
            self.directory = json.loads(_path(folder, segment_id, "words.json").read_text("utf-8"))
            self.arrays = {name: np.load(_path(folder, segment_id, f"{name}.npy"), mmap_mode="r") for name in ARRAYS}
        except (OSError, ValueError):
            self.directory = {}

    def _span(self, field: str, text: bytes) -> list[int] | None:
        words = self.directory.get(field)
        return words.get(text.decode("utf-8", "surrogateescape")) if words else None

    def postings(self, field: str, text: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        span = self._span(field, text)
        if span is None:
            return None
        start, end = span[0], span[1]
        return self.arrays["ids"][start:end].astype(np.int64), np.array(self.arrays["weights"][start:end])

    def positions(self, field: str, text: bytes) -> np.ndarray | None:
        span = self._span(field, text)
        return None if span is None else np.array(self.arrays["keys"][span[2]:span[3]])
