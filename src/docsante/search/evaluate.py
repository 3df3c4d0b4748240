"""Vectorised evaluation of compiled Whoosh queries: the same BM25F scores, with numpy.

Whoosh's matchers walk postings one document at a time in Python; a word found
in most passages costs hundreds of milliseconds. Here each word's postings are
read once per index generation into arrays (document numbers, term frequencies):
mapped from the arrays written beside each segment for frequent words (frequent.py),
else decoded from Whoosh's blocks a whole block at a time. A query tree is evaluated with array operations: union sums
scores (Or), intersection keeps documents present everywhere (And), and so on.
Scores follow Whoosh's BM25F formula term for term, so rankings are the same as
Whoosh's own (tests/test_evaluate.py checks it). Phrases are matched on decoded
positions: each word's positions as keys `document << 32 | position`, shifted and
intersected word after word. Each query class has its method in `Evaluator.METHODS`;
any other class, and a handled class with options the method does not follow (an Or
with `minmatch` or `scale`…) fall back to Whoosh's own matcher for that sub-query,
never to a wrong score.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import cached_property
from pathlib import Path

import numpy as np
from whoosh import query as wq

from ..index.frequent import FrequentPostings, segment_id
from ..index.whoosh_adapter import (ConstantPrefix, Near, bm25_parameters, field_lengths, position_keys, posting_arrays,
                                     prefix_words, varbytes_column)

POSTINGS_CACHE_BYTES = 128 * 2**20  # decoded postings kept per index generation (least recently used go)


class Evaluation:
    """Matching documents (sorted) and their scores."""

    __slots__ = ("ids", "scores")

    def __init__(self, ids: np.ndarray, scores: np.ndarray):
        self.ids, self.scores = ids, scores

    @classmethod
    def empty(cls):
        return cls(np.empty(0, np.int64), np.empty(0, np.float64))


class Evaluator:
    """Evaluates queries against one Whoosh searcher (one index generation); what it reads is
    kept for that generation and dropped with it."""

    def __init__(self, searcher, folder: Path | None = None):
        """`folder`: the index's folder, where frequent words' postings may lie as arrays (frequent.py)."""
        self.searcher = searcher
        self.reader = searcher.reader()
        self.doc_count = searcher.doc_count_all()
        self.segments = [(segment, offset, FrequentPostings(folder, segment_id(segment))
                          if folder is not None and segment_id(segment) else None)
                         for segment, offset in self.reader.leaf_readers()]
        self._lengths: dict[str, np.ndarray] = {}
        self._postings: OrderedDict = OrderedDict()
        self._cached_bytes = 0

    # ------------------------------------------------------------------ data
    def lengths(self, field: str) -> np.ndarray:
        if field not in self._lengths:
            parts = [field_lengths(segment, field) for segment, _ in self.reader.leaf_readers()]
            self._lengths[field] = np.concatenate(parts) if parts else np.empty(0, np.float64)
        return self._lengths[field]

    def decode(self, field: str, text) -> tuple[np.ndarray, np.ndarray]:
        """A word's postings (undeleted documents) as arrays of document numbers and frequencies."""
        ids, weights = [np.empty(0, np.int64)], [np.empty(0, np.float64)]
        for segment, offset, frequent in self.segments:
            found = frequent and frequent.postings(field, text)
            segment_ids, segment_weights = found or posting_arrays(segment, field, text)
            ids.append(segment_ids + offset)
            weights.append(segment_weights)
        ids, weights = np.concatenate(ids), np.concatenate(weights)
        if self.reader.has_deletions():
            keep = self.live[ids]
            ids, weights = ids[keep], weights[keep]
        return ids, weights

    def postings(self, field: str, text) -> tuple[np.ndarray, np.ndarray]:
        """`decode`, kept in a bounded cache for this index generation."""
        return self._cached((field, text), lambda: self.decode(field, text))

    def _cached(self, key, compute) -> tuple[np.ndarray, np.ndarray]:
        """The arrays `compute()` gives, kept for this index generation under `key`."""
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
            return cached
        cached = compute()
        self._remember(key, cached)
        return cached

    def _remember(self, key, arrays: tuple[np.ndarray, np.ndarray]) -> None:
        """Keep decoded arrays, dropping the least recently used past POSTINGS_CACHE_BYTES."""
        self._postings[key] = arrays
        self._cached_bytes += arrays[0].nbytes + arrays[1].nbytes
        while self._cached_bytes > POSTINGS_CACHE_BYTES and len(self._postings) > 1:
            _, (old_ids, old_weights) = self._postings.popitem(last=False)
            self._cached_bytes -= old_ids.nbytes + old_weights.nbytes

    def values(self, field: str) -> dict[str, np.ndarray]:
        """Each value indexed in a keyword or ID field (a facet, a date) with its documents."""
        out = {}
        for term in self.reader.lexicon(field):
            docs = self.decode(field, term)[0]
            if len(docs):
                out[term.decode("utf-8") if isinstance(term, bytes) else term] = docs
        return out

    @cached_property
    def groups(self) -> np.ndarray:
        """For each document number, the ordinal of its group (passages of one file share it; the records
        of one JSONL `document`, such as the tabs of a fiche, too): its context, when passages are ranked."""
        return self._ordinals(group or doc_id for group, doc_id in zip(self._column("group"), self._column("doc_id")))

    @cached_property
    def documents(self) -> np.ndarray:
        """For each document number, the ordinal of its document (doc_id): what searches by document group."""
        return self._ordinals(self._column("doc_id"))

    def _ordinals(self, values) -> np.ndarray:
        """For each document number, the ordinal of its value (one per distinct value, in order of appearance)."""
        ordinals: dict[bytes, int] = {}
        return np.fromiter((ordinals.setdefault(value, len(ordinals)) for value in values), np.int64, count=self.doc_count)

    def _column(self, field: str) -> list[bytes]:
        """A column's value (UTF-8) for each document number, b"" where there is none."""
        return [value for segment, _ in self.reader.leaf_readers() for value in varbytes_column(segment, field)]

    @cached_property
    def all_docs(self) -> np.ndarray:
        """The undeleted documents."""
        return np.flatnonzero(self.live)

    @cached_property
    def live(self) -> np.ndarray:
        """For each document number, whether it is undeleted (each segment's deleted documents, at once)."""
        live = np.ones(self.doc_count, bool)
        for segment, offset in self.reader.leaf_readers():
            if segment.has_deletions():
                live[offset + np.fromiter(segment.segment().deleted_docs(), np.int64)] = False
        return live

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, q) -> Evaluation:
        method = self.METHODS.get(type(q))
        if method is None or not _plain(q):
            return self._fallback(q)
        return method(self, q)

    def _term(self, q: wq.Term) -> Evaluation:
        field = q.fieldname
        text = self._bytes(field, q.text)
        if text is None:
            return Evaluation.empty()
        ids, tf = self.postings(field, text)
        if not len(ids):
            return Evaluation.empty()
        if not self.searcher.schema[field].scorable:
            return Evaluation(ids, np.full(len(ids), float(q.boost)))
        scores = self._bm25(field, text, ids, tf)
        if scores is None:
            return self._fallback(q)
        return Evaluation(ids, scores * q.boost)

    def _bytes(self, field: str, word) -> bytes | None:
        """A word as the field indexes it, or None (no such field, or a value it cannot hold)."""
        if field not in self.searcher.schema:
            return None
        try:
            return self.searcher.schema[field].to_bytes(word)
        except ValueError:
            return None

    def _bm25(self, field: str, text: bytes, ids: np.ndarray, tf: np.ndarray) -> np.ndarray | None:
        """Whoosh's BM25F score of a word in each of the documents `ids` (with frequencies `tf`)."""
        parameters = bm25_parameters(self.searcher, field, text)
        if parameters is None:
            return None
        idf, avgfl, B, K1 = parameters
        fl = self.lengths(field)[ids]
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))

    def positions(self, field: str, text: bytes) -> np.ndarray:
        """A word's positions as sorted keys `document << 32 | position`, kept in the postings cache."""
        return self._cached(("positions", field, text), lambda: (self._decode_positions(field, text), np.empty(0)))[0]

    def _decode_positions(self, field: str, text: bytes) -> np.ndarray:
        keys = [np.empty(0, np.int64)]
        for segment, offset, frequent in self.segments:
            found = frequent and frequent.positions(field, text)
            keys.append((position_keys(segment, field, text) if found is None else found) + (offset << 32))
        keys = np.concatenate(keys)
        if self.reader.has_deletions():
            keys = keys[self.live[keys >> 32]]
        return keys

    def _phrase(self, q: wq.Phrase) -> Evaluation:
        """Whoosh's Phrase (an ordered SpanNear2 with mindist 1): each word at 1 to `slop`
        positions after the previous one. Its score adds up its words' scores, times its boost."""
        words = self._positional(q)
        if isinstance(words, Evaluation):
            return words
        field = q.fieldname
        ends = self.positions(field, words[0])
        for word in words[1:]:
            keys = self.positions(field, word)
            steps = [intersection(ends + d, keys)[0] for d in range(1, max(1, q.slop) + 1)]
            ends = steps[0] if len(steps) == 1 else np.unique(np.concatenate(steps))
            if not len(ends):
                return Evaluation.empty()
        documents = ends >> 32  # sorted: each document once
        return self._phrase_scores(q, words, documents[np.concatenate(([True], documents[1:] != documents[:-1]))])

    def _positional(self, q: wq.Phrase) -> list[bytes] | Evaluation:
        """A phrase's words as its field indexes them; or, when it cannot be matched on positions, what
        it evaluates to: nothing (a word the field does not hold), or Whoosh's own matcher (no positions)."""
        field = q.fieldname
        words = [self._bytes(field, w) for w in q.words]
        if not words or any(w is None or (field, w) not in self.reader for w in words):
            return Evaluation.empty()
        if not self.searcher.schema[field].format.supports("positions"):
            return self._fallback(q)
        return words

    def _phrase_scores(self, q, words: list[bytes], docs: np.ndarray) -> Evaluation:
        """A phrase's score in each of the documents `docs`: its words' scores added up, times its boost."""
        field, total = q.fieldname, np.zeros(len(docs))
        for word in words:
            ids, tf = self.postings(field, word)
            scores = self._bm25(field, word, ids, tf)
            if scores is None:
                return self._fallback(q)
            total += scores[np.searchsorted(ids, docs)]
        return Evaluation(docs, total * q.boost)

    def _near(self, q: Near) -> Evaluation:
        """Whoosh's unordered SpanNear2: spans (first, last position) grown word after word, each
        word at 1 to `slop` positions outside the span so far, on either side. Scored as a phrase."""
        words = self._positional(q)
        if isinstance(words, Evaluation):
            return words
        field = q.fieldname
        starts = ends = self.positions(field, words[0])
        for word in words[1:]:
            keys = self.positions(field, word)
            low = np.searchsorted(keys, starts - q.slop, "left")
            counts = np.searchsorted(keys, ends + q.slop, "right") - low
            span = np.repeat(np.arange(len(starts)), counts)
            found = keys[low[span] + np.arange(len(span)) - np.repeat(np.cumsum(counts) - counts, counts)]
            outside = (found < starts[span]) | (found > ends[span])
            span, found = span[outside], found[outside]
            grown = np.unique(np.stack([np.minimum(starts[span], found), np.maximum(ends[span], found)]), axis=1)
            starts, ends = grown[0], grown[1]
            if not len(starts):
                return Evaluation.empty()
        return self._phrase_scores(q, words, np.unique(starts >> 32))

    def _or(self, q: wq.Or) -> Evaluation:
        """The union of the subqueries' documents, each scored with the sum of its scores. Nested
        Ors (a word's fields in an OR of words) are summed in one pass: each pass over frequent words
        costs milliseconds at a million passages."""
        parts = [p for p in self._or_parts(q, 1.0) if len(p.ids)]
        if not parts:
            return Evaluation.empty()
        ids = np.concatenate([p.ids for p in parts])
        scores = np.concatenate([p.scores for p in parts])
        if len(ids) * 8 > self.doc_count:  # frequent words: count into one slot per document, no sort
            summed = np.bincount(ids, weights=scores, minlength=self.doc_count)
            present = np.zeros(self.doc_count, bool)
            present[ids] = True
            unique = np.flatnonzero(present)
            return Evaluation(unique, summed[unique] * q.boost)
        unique, inverse = np.unique(ids, return_inverse=True)
        summed = np.zeros(len(unique))
        np.add.at(summed, inverse, scores)
        return Evaluation(unique, summed * q.boost)

    def _or_parts(self, q: wq.Or, boost: float):
        """The evaluations an Or sums, those of the plain Ors it holds taken in (scores times their boosts)."""
        for s in q.subqueries:
            if type(s) is wq.Or and _plain(s):
                yield from self._or_parts(s, boost * s.boost)
            else:
                part = self.evaluate(s)
                yield part if boost == 1.0 else Evaluation(part.ids, part.scores * boost)

    def _and(self, q: wq.And) -> Evaluation:
        positives = [s for s in q.subqueries if not isinstance(s, wq.Not)]
        negatives = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
        result = None
        for s in positives:
            part = self.evaluate(s)
            if result is None:
                result = part
            else:
                common, ia, ib = intersection(result.ids, part.ids)
                result = Evaluation(common, result.scores[ia] + part.scores[ib])
            if not len(result.ids):
                return Evaluation.empty()
        if result is None:
            result = Evaluation(self.all_docs, np.zeros(len(self.all_docs)))
        for neg in negatives:
            excluded = self.evaluate(neg).ids
            keep = ~member(result.ids, excluded)
            # whoosh's InverseMatcher gives the documents it lets through a score of 1
            result = Evaluation(result.ids[keep], result.scores[keep] + 1.0)
        return Evaluation(result.ids, result.scores * q.boost)

    def _and_maybe(self, q: wq.AndMaybe) -> Evaluation:
        required = self.evaluate(q.a)
        optional = self.evaluate(q.b)
        _, ia, ib = intersection(required.ids, optional.ids)
        scores = required.scores.copy()
        scores[ia] += optional.scores[ib]
        return Evaluation(required.ids, scores * q.boost)

    def _constant_score(self, q: wq.ConstantScoreQuery) -> Evaluation:
        ids = self.evaluate(q.child).ids
        return Evaluation(ids, np.full(len(ids), float(q.score)))

    def _constant_prefix(self, q: ConstantPrefix) -> Evaluation:
        """The documents holding a word that starts with the prefix, kept in the postings cache."""
        ids = self._cached(("prefix", q.fieldname, q.text), lambda: (self._prefixed(q), np.empty(0)))[0]
        return Evaluation(ids, np.full(len(ids), float(q.boost)))

    def _prefixed(self, q: ConstantPrefix) -> np.ndarray:
        """One slice of each segment's arrays (frequent.py), else each expanded word's postings."""
        holding = np.zeros(self.doc_count, bool)
        for segment, offset, frequent in self.segments:
            found = frequent and frequent.prefixed(q.fieldname, q.text)
            if found is None:
                found = [posting_arrays(segment, q.fieldname, word)[0] for word in prefix_words(q, segment)]
            for segment_ids in found:
                holding[segment_ids.astype(np.int64) + offset] = True
        if self.reader.has_deletions():
            holding &= self.live
        return np.flatnonzero(holding)

    def _fallback(self, q) -> Evaluation:
        """Whoosh's own matcher, scored exactly as Whoosh does."""
        ids, scores = [], []
        for sub, offset in self.searcher.leaf_searchers():
            m = q.matcher(sub)
            while m.is_active():
                ids.append(m.id() + offset)
                scores.append(m.score())
                m.next()
        if not ids:
            return Evaluation.empty()
        ids_a = np.asarray(ids, np.int64)
        order = np.argsort(ids_a, kind="stable")
        return Evaluation(ids_a[order], np.asarray(scores, np.float64)[order])

    METHODS = {wq.Term: _term, wq.Or: _or, wq.And: _and, wq.AndMaybe: _and_maybe, wq.Phrase: _phrase, Near: _near,
               wq.ConstantScoreQuery: _constant_score, ConstantPrefix: _constant_prefix}


def member(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Whether each of `values` is one of `members` (sorted, unique): one binary search each."""
    if not len(members):
        return np.zeros(len(values), bool)
    at = np.searchsorted(members, values)
    at[at == len(members)] = 0  # past the last member: compared with the first, never equal
    return members[at] == values


def intersection(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The values of two sorted, unique arrays found in both, with their indices in each:
    the shorter array's values searched in the longer one (no sort of both together)."""
    if len(a) <= len(b):
        ia = np.flatnonzero(member(a, b))
        common = a[ia]
        return common, ia, np.searchsorted(b, common)
    ib = np.flatnonzero(member(b, a))
    common = b[ib]
    return common, np.searchsorted(a, common), ib


def _plain(q) -> bool:
    """Whether a handled query has only the options its method follows: an Or that needs a
    minimum of matches or scales by coordination is Whoosh's to score."""
    if isinstance(q, wq.Or):
        return not getattr(q, "minmatch", 0) and getattr(q, "scale", None) is None
    return True
