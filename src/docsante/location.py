"""Where the index lives by default, and the bundled sample corpus that fills it on first use."""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

import platformdirs

from .corpus.document import file_of
from .index.store import index_exists, is_current, open_whoosh

ENV_VAR = "DOCSANTE_INDEX"


def sample_corpus() -> Path:
    """The five bundled documents (see data/SOURCES.md)."""
    return Path(str(resources.files("docsante").joinpath("data/sample")))


def default_index_dir() -> Path:
    """$DOCSANTE_INDEX when set and not empty, else the user data directory."""
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        return Path(value)
    return Path(platformdirs.user_data_dir("docsante", appauthor=False)) / "index"


def ensure_default_index(index_dir: Path) -> None:
    """The user's default index, ready: built from the sample corpus on first use; written by
    another version of docsante, rebuilt from the files it was built from that still exist
    (else from the sample), since it could not be searched."""
    from .indexer.write import build_index

    if not index_exists(index_dir):
        if index_dir.exists() and any(index_dir.iterdir()):
            return  # a folder of something else: opening it says so
        print(f"Premier usage : création de l'index d'exemple dans {index_dir}…", file=sys.stderr)
        build_index([sample_corpus()], index_dir)
    elif not is_current(index_dir):
        sources = recorded_sources(index_dir) or [sample_corpus()]
        print(f"L'index par défaut {index_dir} vient d'une autre version de docsante : reconstruction à partir "
              f"de {len(sources)} source(s)…", file=sys.stderr)
        build_index(sources, index_dir, rebuild=True)


def recorded_sources(index_dir: Path) -> list[Path]:
    """The files an index was built from that still exist, read from its stored fields (whatever
    version wrote it); none when it cannot be read."""
    try:
        fields = open_whoosh(index_dir).reader().all_stored_fields()
        sources = {f.get("origin") or f["source"] for f in fields if f.get("origin") or f.get("source")}
    except Exception:  # an index of another version or damaged: whoosh raises many types
        return []
    return sorted(p for p in map(file_of, sources) if p.is_file())
