"""BM25F with a correct average length for the whole-document field.

Whoosh divides a field's total length by the number of all index entries; only
document entries fill `doctext`, so its average must be taken over them alone,
or every document would look many times longer than average.
"""

from __future__ import annotations

from whoosh import scoring

from ..schema import DOCUMENT


class DocsanteBM25F(scoring.BM25F):
    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if fieldname == "doctext" and isinstance(scorer, scoring.BM25FScorer):
            entries = searcher.doc_frequency("kind", DOCUMENT) or 1
            scorer.avgfl = (searcher.field_length("doctext") / entries) or 1
        return scorer
