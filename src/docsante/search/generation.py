"""One version of an index as searches see it: its searcher and all that is computed from it.

A commit makes a new version. Everything read or computed from the old one (decoded
postings, facet and date columns, recent results) is dropped with it, as a whole.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import cached_property
from pathlib import Path

from ..index.schema import DOCUMENT, DOCUMENT_FIELDS, TEXT_FIELDS
from ..index.whoosh_adapter import DocsanteBM25F
from .copies import Copies
from .dates import DateColumns
from .evaluate import Evaluator
from .facets import FacetPostings

RESULTS_CACHE = 256  # recent searches kept (permalinks and facet clicks repeat)


class Generation:
    def __init__(self, ix, folder: Path):
        """`ix`: the open Whoosh index; `folder`: where its search arrays lie (index/frequent.py)."""
        self.searcher = ix.searcher(weighting=DocsanteBM25F("doctext", ("kind", DOCUMENT)))
        self.evaluator = Evaluator(self.searcher, folder)
        self._results: OrderedDict = OrderedDict()

    @cached_property
    def facets(self) -> FacetPostings:
        return FacetPostings(self.evaluator)

    @cached_property
    def dates(self) -> DateColumns:
        return DateColumns(self.evaluator)

    @cached_property
    def copies(self) -> Copies:
        return Copies(self.evaluator, lambda docnum: self.searcher.stored_fields(docnum)["text"])

    def warm(self) -> None:
        """Read what this version's first search reads (which documents are live, their documents and
        groups, field lengths, facets, dates, copies): a second or more at 1,000,000 passages."""
        evaluator = self.evaluator
        for field in (*TEXT_FIELDS, *DOCUMENT_FIELDS):
            evaluator.lengths(field)
        evaluator.groups, evaluator.documents, self.facets, self.dates, self.copies  # read for their effect

    @property
    def current(self) -> bool:
        """Whether no commit has been made since it was opened."""
        return self.searcher.up_to_date()

    def remembered(self, key):
        """The results of a recent search with this key, or None."""
        found = self._results.get(key)
        if found is not None:
            self._results.move_to_end(key)
        return found

    def remember(self, key, results) -> None:
        self._results[key] = results
        if len(self._results) > RESULTS_CACHE:
            self._results.popitem(last=False)

    def close(self) -> None:
        self.searcher.close()
