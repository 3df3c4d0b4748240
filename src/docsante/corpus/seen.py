"""The files an index was built from, as they were when read: a file whose bytes (by their digest:
a modification time can stay the same through an edit, or change without one) and corrections row
have not changed is not read again, and in a JSONL file read again, a line read before is not
parsed again (its record is the one indexed, under the id it gave).

Kept in the index's folder (index/store.py's SOURCES_FILE, gzipped JSON), written whole and atomically once a
run has committed everything it read; a new index starts without it, and removing documents
(write.py's remove_documents) forgets it, so that indexing their files again brings them back.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

FORMAT = 2  # 2: lines' digests of their bytes, not of their decoded text
GZIP_LEVEL = 1  # 1,000,000 JSONL lines: 72 MB of JSON, 16 MB gzipped in 0.4 s (level 6: 15 MB in 1.2 s)
CHUNK = 1 << 20


@dataclass
class UnchangedFile:
    """A file skipped: as it was when its `documents` documents were indexed."""
    origin: str
    documents: int


@dataclass
class FileRead:
    """A file read whole: its key (see file_key), how many documents it gave, and for a JSONL file
    the id each line's record gave, by the line's digest (None for other files)."""
    origin: str
    key: list
    documents: int
    lines: dict[str, str] | None


def file_key(path: Path, corrections: dict) -> list:
    """What must not change for a file to be skipped: its bytes' digest, and the row its folder's
    metadata table gives it. Hashing reads the file, a small part of what reading it costs."""
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return [h.hexdigest(), json.dumps(corrections, sort_keys=True, ensure_ascii=False, default=str)]


def line_digest(line: bytes) -> str:
    """A JSONL line's digest, of its bytes as read: a line read before is neither decoded nor parsed."""
    return hashlib.blake2b(line, digest_size=8).hexdigest()


class SeenFiles:
    """{origin: {"key": file_key, "documents": n, "lines": {digest: id}}}; an unreadable file starts again."""

    def __init__(self, path: Path | None):
        self.path = path
        try:
            found = json.loads(gzip.decompress(path.read_bytes())) if path and path.exists() else {}
            self.files = found["files"] if found.get("format") == FORMAT else {}
        except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError):
            self.files = {}

    def unchanged(self, origin: str, key: list) -> int | None:
        """How many documents the file gave, if it is as it was when they were indexed."""
        known = self.files.get(origin)
        return known["documents"] if known and known.get("key") == key else None

    def lines(self, origin: str) -> dict[str, str]:
        return (self.files.get(origin) or {}).get("lines") or {}

    def save(self, read: list[FileRead], incomplete: set[str]) -> None:
        """Remember the files read in a run once it has committed them: a file with a line or page that
        could not be read keeps only its lines, and is read again next time. Files no longer there go."""
        if self.path is None:
            return
        for f in read:
            self.files[f.origin] = {"key": None if f.origin in incomplete else f.key, "documents": f.documents,
                                    "lines": f.lines or {}}
        self.files = {origin: entry for origin, entry in self.files.items() if Path(origin).exists()}
        hidden = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        hidden.write_bytes(gzip.compress(json.dumps({"format": FORMAT, "files": self.files}).encode(), GZIP_LEVEL))
        os.replace(hidden, self.path)
