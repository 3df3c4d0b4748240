"""Where indexes written before the field types moved to index/ pickled them: such an index is
opened to find the files it was built from (location.recorded_sources), then rebuilt."""

from .index.whoosh_adapter import FrenchText, WordCounts  # noqa: F401
