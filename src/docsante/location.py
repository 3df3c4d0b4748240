"""Where the index lives by default, and the bundled sample corpus that fills it on first use."""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

import platformdirs

from .store import index_exists

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


def ensure_sample_index(index_dir: Path) -> None:
    """Build the default index from the sample corpus if it does not exist yet."""
    if index_exists(index_dir):
        return
    from .indexer.write import build_index

    print(f"Premier usage : création de l'index d'exemple dans {index_dir}…", file=sys.stderr)
    build_index([sample_corpus()], index_dir)
