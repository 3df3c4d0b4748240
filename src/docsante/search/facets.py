"""Facet counts over the current result set (Datasette's model).

Each reader generation gets a cache of facet postings: for every facet, the document
numbers of all its values in one array, each beside its value. Counting a result set is
then one boolean-mask lookup and one bincount per facet.
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
    """For one index generation (read through its Evaluator), each facet's postings in one array:
    the document numbers of all its values, and beside each the value it stands for. Counting a
    result set is then one mask lookup and one bincount per facet, however many values it has."""

    def __init__(self, evaluator):
        self.doc_count = evaluator.doc_count
        self.postings: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
        for facet in FACETS:
            by_value = evaluator.values(facet.name)
            values = list(by_value)
            docs = np.concatenate([by_value[v] for v in values]) if values else np.empty(0, np.int64)
            which = np.repeat(np.arange(len(values)), [len(by_value[v]) for v in values])
            self.postings[facet.name] = (values, docs, which)

    def count(self, matching: np.ndarray, selected=None, size=DEFAULT_SIZE):
        """{facet: ([FacetCount…], truncated)} for the documents in `matching`."""
        mask = np.zeros(self.doc_count, dtype=bool)
        mask[matching] = True
        vocab = vocabulary()
        selected = selected or {}
        out = {}
        for facet in FACETS:
            name = facet.name
            values, docs, which = self.postings[name]
            counts = np.bincount(which[mask[docs]], minlength=len(values))
            buckets = [FacetCount(name, values[i], vocab.label(name, values[i]), int(counts[i]),
                                  values[i] in selected.get(name, ()), vocab.full_name(name, values[i]))
                       for i in np.flatnonzero(counts)]
            if facet.timeline:  # years read as a timeline, newest first
                buckets.sort(key=lambda b: b.value, reverse=True)
            else:
                buckets.sort(key=lambda b: (-b.count, b.label.lower()))
            out[name] = (buckets[:size], len(buckets) > size)
        return out
