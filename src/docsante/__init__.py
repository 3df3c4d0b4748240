"""docsante: French-aware search of passages in public-health policy documents.

    >>> import docsante
    >>> report = docsante.build_index(["docs/"], "idx")          # doctest: +SKIP
    >>> docsante.open_index("idx").search("contrat local de santé", region="PACA")  # doctest: +SKIP

`import docsante` loads nothing but this module and the errors: each name below is imported
the first time it is used (Whoosh, numpy and the readers take a fraction of a second).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .errors import (DocsanteError, IndexBusy, IndexDamaged, IndexNotFound, PassageNotFound, QueryError, SourceError,
                     UnknownFacetValue, WatchNotFound)

if TYPE_CHECKING:
    from .corpus.web import WebOptions
    from .indexer.write import IndexReport, build_index, remove_documents
    from .search.engine import Index, open_index
    from .search.results import Hit, Results

_LAZY = {"build_index": "indexer.write", "remove_documents": "indexer.write", "IndexReport": "indexer.write",
         "open_index": "search.engine", "Index": "search.engine", "Results": "search.results", "Hit": "search.results",
         "WebOptions": "corpus.web"}

__all__ = ["build_index", "remove_documents", "open_index", "Index", "Results", "Hit", "IndexReport", "DocsanteError",
           "IndexNotFound", "IndexDamaged", "IndexBusy", "QueryError", "UnknownFacetValue", "PassageNotFound", "SourceError",
           "WatchNotFound", "WebOptions"]


def __getattr__(name: str):
    if name == "__version__":  # from the installed package's metadata, as `docsante --version` reads it
        from importlib.metadata import version
        return version("docsante")
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'docsante' has no attribute {name!r}")
