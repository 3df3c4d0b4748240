"""Where indexes written before the analyzer moved to vocab/ pickled it: such an index is
opened to find the files it was built from (location.recorded_sources), then rebuilt."""

from .vocab.analysis import (AsciiFoldFilter, ElisionFilter, FrenchAnalyzer,  # noqa: F401
                             FrenchStemFilter)
