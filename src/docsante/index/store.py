"""Where an index lives on disk: opening, creating and versioning it, for the indexer and the search side alike."""

from __future__ import annotations

import json
import pickle
import struct
import time
import zlib
from pathlib import Path

from whoosh.index import EmptyIndexError
from whoosh.filedb.filestore import FileStorage

from ..errors import IndexDamaged
from ..facets import NAMES
from .schema import build_schema

META_FILE = "docsante.json"
SOURCES_FILE = "sources.json.gz"  # the files the index was built from, as they were (corpus/seen.py)
SCHEMA_VERSION = 17  # bump when the analyzer or the other fields change: old indexes must be rebuilt
OPEN_ATTEMPTS, OPEN_WAIT = 10, 0.05  # as Whoosh's reader(), when a commit deletes the table of contents being read
# what Whoosh raises when it reads a truncated or overwritten index file (an I/O error aside)
DAMAGE = (EOFError, struct.error, zlib.error, pickle.UnpicklingError)


def index_exists(index_dir: Path) -> bool:
    """Whether an index is there; one whose table of contents cannot be read is damaged."""
    if not Path(index_dir).exists():
        return False
    try:
        return open_whoosh(Path(index_dir)).latest_generation() > -1
    except EmptyIndexError:
        return False
    except Exception as e:  # whoosh raises many types on a damaged table of contents
        raise IndexDamaged(damaged_message(index_dir, e)) from e


def storage(index_dir: Path) -> FileStorage:
    """The index's files, read with plain reads rather than mapped into memory: a search or a
    merge reads a small part of a large segment, and mapped pages, once touched, stay counted
    in the process's memory. The price: many short reads, such as a truncation's rare words on
    several segments, are slower (docs/measures.md, Measured speed, gives both figures)."""
    return FileStorage(str(index_dir), supports_mmap=False)


def open_whoosh(index_dir: Path):
    """The index, at its newest commit. Whoosh lists the tables of contents, then reads the newest:
    a commit in between replaces and deletes it, and the listing is read again (Whoosh's own
    reader() retries the same way; opening the index does not)."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return storage(index_dir).open_index()
        except FileNotFoundError:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
            time.sleep(OPEN_WAIT)


def open_or_create(index_dir: Path, *, rebuild: bool = False):
    meta = index_dir / META_FILE
    try:
        if not rebuild and index_exists(index_dir):
            check_version(index_dir)
            return open_whoosh(index_dir)
        index_dir.mkdir(parents=True, exist_ok=True)
        (index_dir / SOURCES_FILE).unlink(missing_ok=True)  # of the index this one replaces
        ix = storage(index_dir).create_index(build_schema())
        meta.write_text(json.dumps(CURRENT), "utf-8")
        return ix
    except (*DAMAGE, ValueError, KeyError) as e:
        raise IndexDamaged(damaged_message(index_dir, e)) from e


def damaged_message(index_dir: Path, error: Exception) -> str:
    return (f"L'index {index_dir} est endommagé ({type(error).__name__}) ; reconstruisez-le avec "
            f"« docsante index DOSSIERS… --rebuild --index {index_dir} ».")


CURRENT = {"schema_version": SCHEMA_VERSION, "facets": list(NAMES)}  # what an index records of its version
FACETS_BEFORE_RECORDED = ["region", "dispositif", "acteur", "theme", "year"]  # an index that records none had these


def is_current(index_dir: Path) -> bool:
    """Whether the index was written with this version's schema and facets (facets.py): an
    index written before a facet was added must be rebuilt, as one of another schema."""
    try:
        meta = json.loads((index_dir / META_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("schema_version") == SCHEMA_VERSION \
        and meta.get("facets", FACETS_BEFORE_RECORDED) == CURRENT["facets"]


def check_version(index_dir: Path) -> None:
    if not is_current(index_dir):
        raise IndexDamaged(f"L'index {index_dir} a été créé par une autre version de docsante ; "
                           f"reconstruisez-le avec « docsante index … --rebuild ».")
