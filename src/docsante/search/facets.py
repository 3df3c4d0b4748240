"""Facet counts over the current result set (Datasette's model).

Each reader generation gets a cache of facet postings: for every facet value,
the sorted array of document numbers carrying it. Counting a result set is then
one boolean-mask lookup per value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..facets import FACETS
from ..vocab.vocabulary import vocabulary

DEFAULT_SIZE = 20


@dataclass(frozen=True)
class FacetCount:
    facet: str
    value: str
    label: str
    count: int
    selected: bool
    name: str = ""  # the full name ("Conseil local de santé mentale" for CLSM); the label when it is one

    def to_dict(self):
        return {"value": self.value, "label": self.label, "name": self.name or self.label, "count": self.count,
                "selected": self.selected}


class FacetPostings:
    """Document numbers per facet value, for one index generation (read through its Evaluator)."""

    def __init__(self, evaluator):
        self.doc_count = evaluator.doc_count
        self.postings: dict[str, dict[str, np.ndarray]] = {f.name: evaluator.values(f.name) for f in FACETS}

    def count(self, matching: np.ndarray, selected=None, size=DEFAULT_SIZE):
        """{facet: ([FacetCount…], truncated)} for the documents in `matching`."""
        mask = np.zeros(self.doc_count, dtype=bool)
        mask[matching] = True
        vocab = vocabulary()
        selected = selected or {}
        out = {}
        for facet in FACETS:
            name, buckets = facet.name, []
            for value, docs in self.postings[name].items():
                n = int(np.count_nonzero(mask[docs]))
                if n:
                    buckets.append(FacetCount(name, value, vocab.label(name, value), n, value in selected.get(name, ()),
                                              vocab.full_name(name, value)))
            if facet.timeline:  # years read as a timeline, newest first
                buckets.sort(key=lambda b: b.value, reverse=True)
            else:
                buckets.sort(key=lambda b: (-b.count, b.label.lower()))
            out[name] = (buckets[:size], len(buckets) > size)
        return out
