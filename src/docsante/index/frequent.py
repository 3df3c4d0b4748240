"""Frequent words' postings as numpy arrays beside each segment, read without decoding.

Whoosh stores postings as pickled, compressed blocks: reading a word found in half the
passages costs about 2 µs per posting, hundreds of milliseconds at national scale, and
a phrase of frequent words needs their positions too. When a segment is written (by its
indexing worker, from its postings on their way to its files; at the end of the run, read back
from it, for a merged one), the postings of the words found
in at least FREQUENT_POSTINGS passages of it are also written as raw arrays (document
numbers, weights, positions: a weight is a word's count in the document, so that the keys
`document << 32 | position` phrases use are rebuilt from the three), which searches map
into memory. The document numbers of
the other (rare) words follow, in word order, so that a truncation reads every word it
expands to as one slice (a common stem expands to hundreds of rare words, each a look-up
in Whoosh's files). Segments merged away during the run never get them. The files are
named after their segment, so Whoosh removes them with it; a segment without them (an
index written by an older docsante) is read from Whoosh's blocks, with the same results.
"""

from __future__ import annotations

import json
import os
import time
from bisect import bisect_left
from pathlib import Path
from typing import Callable

import numpy as np

from .whoosh_adapter import position_keys, posting_arrays, value_keys

FREQUENT_POSTINGS = 256  # two of Whoosh's blocks: shorter lists decode in well under a millisecond
ARRAYS = ("ids", "weights", "positions", "rare")  # a weight is a word's count in a passage (its field's boost is 1)
# raw, native byte order, each array of a segment in the narrowest unsigned type that holds its largest number
# (most segments: 16-bit numbers and positions, 8-bit counts), named in the words file
UNSIGNED = (np.uint8, np.uint16, np.uint32)  # numbers are gathered in 32 bits
FORMAT = 5  # of the words file; 2 added the rare words' numbers, 3 made weights 32-bit, 4 positions, 5 narrowest


def _path(folder: Path, segment_id: str, part: str) -> Path:
    return folder / f"{segment_id}.frequent_{part}"


def _positional_fields(schema) -> list[str]:
    return [name for name in schema.names() if schema[name].format and schema[name].format.supports("positions")]


def segment_id(segment) -> str | None:
    """The id of a segment's reader (None for the reader of an empty index)."""
    found = segment.segment() if hasattr(segment, "segment") else None
    return found.segment_id() if found is not None else None


def write_missing(ix, on_segment: Callable[[int, int], None] | None = None) -> None:
    """Write the arrays of every segment of the index that has none (current format), read back from
    its postings. `on_segment(done, total)` is called before the first and after each segment written."""
    folder = Path(ix.storage.folder)
    with ix.reader() as reader:
        missing = [(name, segment) for segment, _ in reader.leaf_readers()
                   if (name := segment_id(segment)) and _read_directory(folder, name) is None]
        for done, (name, segment) in enumerate(missing):
            if on_segment:
                on_segment(done, len(missing))
            SegmentArrays.read_back(segment).write(folder, name)
        if missing and on_segment:
            on_segment(len(missing), len(missing))


def _read_directory(folder: Path, segment_id: str) -> dict | None:
    """A segment's words file: its arrays' types and, for each field, its frequent words' spans in
    the arrays and its rare words with where their document numbers start. None when absent or
    of an older format."""
    try:
        found = json.loads(_path(folder, segment_id, "words.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and found.get("format") == FORMAT else None


def _narrowest(array: np.ndarray) -> np.ndarray:
    largest = int(array.max()) if len(array) else 0
    return array.astype(next(t for t in UNSIGNED if largest <= np.iinfo(t).max))


class SegmentArrays:
    """A segment's arrays, gathered word by word in the order Whoosh writes them (field, then word),
    each word's numbers in 32 bits (12 bytes a posting of a frequent word, 4 of a rare one) until all
    are known. A worker gathers its new segment's from the postings as they are written (`written`);
    a merged segment's are read back from it (`read_back`): the same arrays."""

    def __init__(self, schema):
        self.fields = {field: {"frequent": {}, "rare": [], "rare_starts": []} for field in _positional_fields(schema)}
        self.parts: dict[str, list[np.ndarray]] = {name: [] for name in ARRAYS}
        self.ends = dict.fromkeys(ARRAYS, 0)
        self.rare_ends: dict[str, int] = {}

    @classmethod
    def read_back(cls, segment) -> SegmentArrays:
        """The arrays of a segment (its reader) read from its postings."""
        arrays = cls(segment.schema)
        for field in arrays.fields:
            for word, _ in segment.iter_field(field):
                arrays._word(field, word, *posting_arrays(segment, field, word),
                             lambda: position_keys(segment, field, word))
        return arrays

    def written(self, field: str, word: bytes, documents: list[int], weights: list[float], values: list) -> None:
        """A word's postings in a new segment, in document order, as its writer writes them (field
        by field, word by word): gathered when the field has positions."""
        if field in self.fields:
            ids = np.array(documents, np.int64)
            self._word(field, word, ids, np.array(weights, np.float64), lambda: value_keys(ids, values))

    def _word(self, field: str, word: bytes, ids: np.ndarray, weights: np.ndarray,
              keys: Callable[[], np.ndarray]) -> None:
        """One word's postings: its document numbers, its weights, and (a function giving) its position keys."""
        entry, ends = self.fields[field], self.ends
        if len(ids) < FREQUENT_POSTINGS:
            entry["rare"].append(word.decode("utf-8"))
            entry["rare_starts"].append(ends["rare"])
            self._add("rare", ids)
            self.rare_ends[field] = ends["rare"]
            return
        starts = dict(ends)
        self._add("ids", ids)
        self._add("weights", weights)
        found = keys()
        if not np.array_equal(np.repeat(ids, weights.astype(np.int64)), found >> 32):
            raise ValueError(f"{field}: weights are not counts of positions")  # a field boost
        self._add("positions", found & 0xFFFFFFFF)
        entry["frequent"][word.decode("utf-8")] = [starts["ids"], ends["ids"], starts["positions"], ends["positions"]]

    def _add(self, name: str, array: np.ndarray) -> None:
        self.parts[name].append(array.astype(np.uint32))
        self.ends[name] += len(array)

    def write(self, folder: Path, segment_id: str) -> None:
        """Write the arrays, each in its narrowest type. Files are written under hidden names, then
        renamed, the words file last: a reader never sees half of them."""
        fields, end = {}, 0
        for field, entry in self.fields.items():  # in the order gathered: a field's rare words end where its last one's do
            end = self.rare_ends.get(field, end)
            fields[field] = {**entry, "rare_starts": [*entry["rare_starts"], end]}
        hidden = {part: folder / f".{segment_id}.frequent_{part}.{os.getpid()}" for part in (*ARRAYS, "words.json")}
        try:
            types = {}
            for name, parts in self.parts.items():
                array = _narrowest(np.concatenate(parts) if parts else np.empty(0, np.uint32))
                hidden[name].write_bytes(array.tobytes())
                types[name] = array.dtype.str
            hidden["words.json"].write_text(json.dumps({"format": FORMAT, "types": types, "fields": fields}), "utf-8")
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
        self.directory: dict[str, dict] | None = None
        self._frequent_words: dict[str, list[str]] = {}
        self._load()

    def _load(self) -> None:
        self._tried = time.monotonic()
        found = _read_directory(self.folder, self.segment_id)
        if found is None:
            return
        try:
            self.arrays = {name: _mapped(_path(self.folder, self.segment_id, name), np.dtype(found["types"][name]))
                           for name in ARRAYS}
        except OSError:
            return
        self.directory = found["fields"]

    def _field(self, field: str) -> dict | None:
        if self.directory is None and time.monotonic() - self._tried >= self.RETRY_SECONDS:
            self._load()
        return (self.directory or {}).get(field)

    def _span(self, field: str, text: bytes) -> list[int] | None:
        entry = self._field(field)
        return entry["frequent"].get(text.decode("utf-8", "surrogateescape")) if entry else None

    def postings(self, field: str, text: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        span = self._span(field, text)
        if span is None:
            return None
        start, end = span[0], span[1]
        return self.arrays["ids"][start:end].astype(np.int64), self.arrays["weights"][start:end].astype(np.float64)

    def positions(self, field: str, text: bytes) -> np.ndarray | None:
        span = self._span(field, text)
        if span is None:
            return None
        counts = self.arrays["weights"][span[0]:span[1]].astype(np.int64)  # a word's count in each document
        return (np.repeat(self.arrays["ids"][span[0]:span[1]].astype(np.int64), counts) << 32) \
            | self.arrays["positions"][span[2]:span[3]]

    def prefixed(self, field: str, prefix: str) -> list[np.ndarray] | None:
        """The document numbers of the words starting with `prefix` (a document may repeat):
        one slice of the frequent words' arrays, one of the rare words'. None without arrays."""
        entry = self._field(field)
        if entry is None:
            return None
        if field not in self._frequent_words:
            self._frequent_words[field] = list(entry["frequent"])  # written in word order
        words, spans = self._frequent_words[field], entry["frequent"]
        lo, hi = _prefix_range(words, prefix)
        rare_lo, rare_hi = _prefix_range(entry["rare"], prefix)
        starts = entry["rare_starts"]
        frequent_start, frequent_end = (spans[words[lo]][0], spans[words[hi - 1]][1]) if lo < hi else (0, 0)
        return [self.arrays["ids"][frequent_start:frequent_end], self.arrays["rare"][starts[rare_lo]:starts[rare_hi]]]


def _prefix_range(words: list[str], prefix: str) -> tuple[int, int]:
    """Where the words starting with `prefix` lie in a sorted list."""
    return bisect_left(words, prefix), bisect_left(words, prefix + "\U0010ffff")
