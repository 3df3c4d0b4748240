"""Errors raised by the library. Only the CLI turns them into exit codes."""


class DocsanteError(Exception):
    """Base class: its message is a complete French sentence for the user."""


class IndexNotFound(DocsanteError):
    """No index exists at the given location."""


class IndexDamaged(DocsanteError):
    """The index exists but cannot be read."""


class IndexBusy(DocsanteError):
    """Another indexing run holds the index's write lock."""


class QueryError(DocsanteError):
    """The query cannot be run (too long, empty after analysis…)."""


class UnknownFacetValue(DocsanteError):
    """A facet filter names no known region, dispositif or theme."""


class PassageNotFound(DocsanteError):
    """No passage has the requested id."""


class WatchNotFound(DocsanteError):
    """No saved search (veille) has the requested name."""


class SourceError(DocsanteError):
    """One source file or record cannot be read; indexing goes on without it."""
