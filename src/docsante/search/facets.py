"""Facet counts over the current result set (Datasette's model).

Each reader generation gets a cache of facet postings: for every facet value,
the sorted array of document numbers carrying it. Counting a result set is then
one boolean-mask lookup per value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..vocab.vocabulary import FACETS, vocabulary
from ..index.schema import FACET_FIELDS

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
        self.postings: dict[str, dict[str, np.ndarray]] = {}
        for facet in FACETS:
            fieldname = FACET_FIELDS[facet]
            values = {}
            for term in evaluator.reader.lexicon(fieldname):
                docs = evaluator.decode(fieldname, term)[0]
                if len(docs):
                    values[term.decode("utf-8") if isinstance(term, bytes) else term] = docs
            self.postings[facet] = values

    def count(self, matching: np.ndarray, selected=None, size=DEFAULT_SIZE):
        """{facet: ([FacetCount…], truncated)} for the documents in `matching`."""
        mask = np.zeros(self.doc_count, dtype=bool)
        mask[matching] = True
        vocab = vocabulary()
        selected = selected or {}
        out = {}
        for facet in FACETS:
            buckets = []
            for value, docs in self.postings[facet].items():
                n = int(np.count_nonzero(mask[docs]))
                if n:
                    buckets.append(FacetCount(facet, value, vocab.label(facet, value), n, value in selected.get(facet, ()),
                                              vocab.full_name(facet, value)))
            if facet == "year":  # years read as a timeline, newest first
                buckets.sort(key=lambda b: b.value, reverse=True)
            else:
                buckets.sort(key=lambda b: (-b.count, b.label.lower()))
            out[facet] = (buckets[:size], len(buckets) > size)
        return out
