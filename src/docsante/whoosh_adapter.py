"""Where indexes written before schema version 10 pickled their field types: they are opened
only to find the files they were built from (location.recorded_sources), then rebuilt."""

from .index.whoosh_adapter import FrenchText, WordCounts  # noqa: F401
