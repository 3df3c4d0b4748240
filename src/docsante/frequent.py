"""Frequent words' postings as numpy arrays beside each segment, read without decoding.

Whoosh stores postings as pickled, compressed blocks: reading a word found in half the
passages costs about 2 µs per posting, hundreds of milliseconds at national scale, and
a phrase of frequent words needs their positions too. At the end of an indexing run,
the postings of the words found in at least FREQUENT_POSTINGS passages of each segment
are also written as raw arrays (document numbers, weights, position keys
`document << 32 | position`), which searches map into memory. Segments merged away
during the run never get them. The files are named after their segment, so Whoosh
removes them with it; a segment without them (an index written by an older docsante)
is read from Whoosh's blocks, with the same results.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

import numpy as np

from .whoosh_adapter import position_keys, posting_arrays

FREQUENT_POSTINGS = 256  # two of Whoosh's blocks: shorter lists decode in well under a millisecond
TYPES = {"ids": np.int32, "weights": np.float64, "keys": np.int64}  # raw arrays, native byte order
ARRAYS = tuple(TYPES)


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
    """Stream each frequent word's arrays to the segment's files, one word at a time (memory stays
    that of one word's postings). Files are written under hidden names, then renamed, the
    directory last: a reader never sees half of them."""
    hidden = {part: folder / f".{segment_id}.frequent_{part}.{os.getpid()}" for part in (*ARRAYS, "words.json")}
    directory: dict[str, dict[str, list[int]]] = {}
    ends = dict.fromkeys(ARRAYS, 0)
    try:
        with contextlib.ExitStack() as stack:
            files = {name: stack.enter_context(open(hidden[name], "wb")) for name in ARRAYS}
            for field in _positional_fields(segment.schema):
                for word, info in segment.iter_field(field):
                    if info.doc_frequency() < FREQUENT_POSTINGS:
                        continue
                    starts = dict(ends)
                    ids, weights = posting_arrays(segment, field, word)
                    for name, array in zip(ARRAYS, (ids, weights, position_keys(segment, field, word))):
                        files[name].write(array.astype(TYPES[name]).tobytes())
                        ends[name] += len(array)
                    directory.setdefault(field, {})[word.decode("utf-8")] = [starts["ids"], ends["ids"],
                                                                             starts["keys"], ends["keys"]]
        hidden["words.json"].write_text(json.dumps(directory), "utf-8")
        for part, path in hidden.items():
            os.replace(path, _path(folder, segment_id, part))
    finally:
        for path in hidden.values():
            path.unlink(missing_ok=True)


def _mapped(path: Path, dtype) -> np.ndarray:
    return np.memmap(path, dtype, mode="r") if path.stat().st_size else np.empty(0, dtype)


class FrequentPostings:
    """One segment's arrays, mapped into memory. A segment without them yet (its indexing run
    is still writing them) is looked at again every RETRY_SECONDS."""

    RETRY_SECONDS = 10.0

    def __init__(self, folder: Path, segment_id: str):
        self.folder, self.segment_id = folder, segment_id
        self.directory: dict[str, dict[str, list[int]]] | None = None
        self._load()

    def _load(self) -> None:
        self._tried = time.monotonic()
        try:
            directory = json.loads(_path(self.folder, self.segment_id, "words.json").read_text("utf-8"))
            self.arrays = {name: _mapped(_path(self.folder, self.segment_id, name), TYPES[name]) for name in ARRAYS}
            self.directory = directory
        except (OSError, ValueError):
            pass

    def _span(self, field: str, text: bytes) -> list[int] | None:
        if self.directory is None and time.monotonic() - self._tried >= self.RETRY_SECONDS:
            self._load()
        words = (self.directory or {}).get(field)
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
