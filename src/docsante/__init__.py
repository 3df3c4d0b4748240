"""docsante: French-aware search of passages in public-health policy documents.

    >>> import docsante
    >>> report = docsante.build_index(["docs/"], "idx")          # doctest: +SKIP
    >>> docsante.open_index("idx").search("contrat local de santé", region="PACA")  # doctest: +SKIP
"""

from .errors import (DocsanteError, IndexBusy, IndexDamaged, IndexNotFound, PassageNotFound, QueryError, SourceError,
                     UnknownFacetValue, WatchNotFound)
from .indexer.write import IndexReport, build_index, remove_documents
from .search.engine import Hit, Index, Results, open_index

__all__ = ["build_index", "remove_documents", "open_index", "Index", "Results", "Hit", "IndexReport", "DocsanteError",
           "IndexNotFound", "IndexDamaged", "IndexBusy", "QueryError", "UnknownFacetValue", "PassageNotFound", "SourceError",
           "WatchNotFound"]
__version__ = "0.1.0"
