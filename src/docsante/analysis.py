"""Where indexes written before schema version 10 pickled their analyzer: they are opened
only to find the files they were built from (location.recorded_sources), then rebuilt."""

from .vocab.analysis import (AsciiFoldFilter, ElisionFilter, FrenchAnalyzer,  # noqa: F401
                             FrenchStemFilter)
