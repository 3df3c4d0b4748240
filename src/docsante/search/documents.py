"""Ranking documents rather than passages (`docsante run`, a TREC run of source records).

A document scores by its passages, each already lifted by its document's context (the
best, plus PASSAGE_DECAY times the second, its square times the third…), plus
DOCUMENT_WEIGHT times the score of its whole text matched as one (bench/quality.py,
set `documents`, measures both).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

PASSAGE_DECAY = 0.3    # the n-th best passage of a document counts PASSAGE_DECAY ** (n - 1)
DOCUMENT_WEIGHT = 1.0  # the whole document's score, against its passages'


def rank_documents(passages: Iterable[tuple[str, float]], whole: Mapping[str, float],
                   limit: int) -> list[tuple[str, float]]:
    """The best `limit` documents, best first (ties by id), from their passages' scores
    (`passages`: (doc_id, score), best first) and their whole texts' (`whole`: doc_id ->
    score). A one-passage document has no whole-text entry: its passage is its whole text."""
    scores: dict[str, list[float]] = defaultdict(list)
    for doc_id, score in passages:
        scores[doc_id].append(score)
    by_passages = {d: sum(score * PASSAGE_DECAY ** n for n, score in enumerate(found)) for d, found in scores.items()}
    ranked = ((d, s + DOCUMENT_WEIGHT * whole.get(d, s)) for d, s in by_passages.items())
    return sorted(ranked, key=lambda kv: (-kv[1], kv[0]))[:limit]
