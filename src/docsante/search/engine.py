"""The search side of the API: open an index, search it, read passages and documents."""

from __future__ import annotations

import os
import threading
from html import escape
from collections import defaultdict
from collections.abc import Sequence
from functools import wraps
from pathlib import Path
from types import MappingProxyType

import numpy as np
from whoosh import query as wq

from ..corpus.document import file_of, valid_text
from ..corpus.web import Fetched, WebState, archive_path, archived, is_url, state_path
from ..errors import IndexDamaged, IndexNotFound, PassageNotFound, QueryError
from ..facets import BY_NAME, FACETS, NAMES
from ..index.schema import PASSAGE
from ..index.store import DAMAGE, check_version, damaged_message, index_exists, open_whoosh
from ..vocab.vocabulary import vocabulary
from .build import QueryCompiler, resolve_filters, to_filter
from .dates import SORTS, check_sort, period
from .documents import rank_documents
from .evaluate import Evaluation, member
from .facets import DEFAULT_SIZE, FacetCount
from .generation import Generation
from .highlight import Snippets, fallback_snippet
from .parse import parse
from .results import (MAX_COPIES_LISTED, Copy, DocumentHits, DocumentInfo, DocumentView, Hit, PassageView, Results,
                      document_info, frozen_facets, outline, to_copy, to_hit)
from .suggest import close_words, respell
from .watches import Watches

# The limits of every search, wherever it comes from (API, CLI, web); docs/reference.md's « Limites » lists them.
MAX_QUERY_CHARS = 1000  # characters of a query
MAX_LIMIT = 1000        # hits in one answer
MAX_OFFSET = 10_000     # hits skipped (pagination)
MAX_FILTERS = 20        # facet values a search filters on, all facets together
MAX_FACET_SIZE = 10_000  # values listed per facet
CONTEXT_DEPTH = 1000   # passages re-ranked with their document's match
CONTEXT_WEIGHT = 0.5   # a passage inherits this share of its document's best passage score
MAX_DOCUMENT_HITS = 3  # passages shown under each document of a search by document
EVERY_PASSAGE = wq.Term("kind", PASSAGE)
FilterValues = str | int | Sequence[str | int] | None  # one facet's filter: a value or several (OR)

__all__ = ["Index", "open_index", "Hit", "Results", "PassageView", "DocumentInfo", "FacetCount", "check_bounds"]


def _serialized(method):
    """Whoosh searchers read their files with shared handles: one call at a time per Index.
    A damaged index file met while reading is reported as such."""
    @wraps(method)
    def locked(self, *args, **kwargs):
        with self._lock:
            try:
                return method(self, *args, **kwargs)
            except (*DAMAGE, OSError) as e:
                raise IndexDamaged(damaged_message(self.path, e)) from e
    return locked


def open_index(index_dir: str | os.PathLike) -> "Index":
    """Open an existing index. Raises IndexNotFound or IndexDamaged."""
    return Index(index_dir)


class Index:
    """An open index. Safe to share between threads (calls are serialized)."""

    def __init__(self, index_dir: str | os.PathLike):
        self._lock = threading.RLock()
        self.path = Path(index_dir)
        if not index_exists(self.path):
            raise IndexNotFound(f"Aucun index dans {self.path} ; créez-le avec « docsante index DOSSIER --index {self.path} ».")
        check_version(self.path)
        try:
            self._ix = open_whoosh(self.path)
            self._generation = Generation(self._ix, self.path)
        except Exception as e:  # whoosh raises many types on damaged files
            raise IndexDamaged(damaged_message(self.path, e)) from e
        # the searcher's schema, read with its generation: FileIndex.schema reads the newest table of
        # contents from disk at each call, which a commit may have replaced (and deleted) meanwhile
        self._analyzer = self._generation.searcher.schema["text"].analyzer
        self._compiler = QueryCompiler(self._analyzer)
        self._doc_compiler = QueryCompiler(self._analyzer, documents=True)

    def close(self) -> None:
        self._generation.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def generation(self) -> Generation:
        """The index's newest version, opened again when another process committed. (Whoosh's
        own refresh() fails on an index that holds nothing: it cannot reuse an empty reader.)"""
        if not self._generation.current:
            stale, self._generation = self._generation, Generation(self._ix, self.path)
            stale.close()
        return self._generation

    @_serialized
    def warm(self) -> None:
        """Read what the first search of the index's version reads, so that it answers at once
        (`docsante serve` warms each worker's index as it starts)."""
        self.generation.warm()

    @staticmethod
    def _evaluate(g: Generation, scoring, flt) -> Evaluation:
        """All passages matching `scoring` and the filter, with their BM25F scores."""
        found = g.evaluator.evaluate(scoring)
        if flt is not None:
            keep = member(found.ids, g.evaluator.evaluate(flt).ids)
            found = Evaluation(found.ids[keep], found.scores[keep])
        return found

    @_serialized
    def search(self, query: str, *, since: str | None = None, until: str | None = None, new_since: str | None = None,
               sort: str = "pertinence", limit: int = 10, offset: int = 0, facet_size: int = DEFAULT_SIZE,
               by_document: bool = False, show_duplicates: bool = False, **filters: FilterValues) -> Results:
        """Ranked passages for `query`, with facet counts over all matches. An empty
        query matches every passage (to browse by facets).

        `filters`: one keyword per facet (facets.py: region, dispositif, acteur, theme, year…), any
        alias or a list of them (OR within a facet, AND across facets).
        `since` and `until` ("2022", "2022-03", "2022-03-15") bound the documents' dates;
        `new_since` (a day or an ISO time) keeps documents indexed as new or changed since then.
        `sort`: "pertinence", "date" (the documents' dates, newest first) or "ajout"
        (the most recently indexed first).
        A passage with the same text as a better one, or nearly (another region's name, a date, a
        word), is not shown again: it is listed in that hit's `duplicates`; `show_duplicates=True`
        shows every copy as its own hit. `by_document=True` ranks documents (Results.documents), each
        with its best passages, and `limit` and `offset` count documents.
        Recent searches are answered from a cache until the index changes; the Results
        returned may be shared: do not modify them.
        Raises QueryError (query too long, bad bounds, bad dates), UnknownFacetValue, and
        TypeError for a keyword that names no facet."""
        unknown = set(filters) - set(NAMES)
        if unknown:
            raise TypeError(f"search() got an unexpected keyword argument {sorted(unknown)[0]!r}")
        query = valid_text(query)  # a query typed with bytes that are not UTF-8
        facets = {name: _valid_values(filters.get(name)) for name in NAMES}
        bounds, sort = period(since, until, new_since), check_sort(sort)
        key = (query, *(_cache_part(v) for v in facets.values()), bounds, sort, limit, offset, facet_size,
               by_document, show_duplicates)
        g = self.generation
        results = g.remembered(key)
        if results is None:
            results = self._search(g, query, facets, bounds, sort, limit, offset, facet_size, by_document,
                                   show_duplicates)
            g.remember(key, results)
        return results

    def _search(self, g: Generation, query, facets, bounds, sort, limit, offset, facet_size, by_document,
                show_duplicates) -> Results:
        check_bounds(query, limit, offset, facet_size)
        parsed = parse(query)
        given = sum(len(_cache_part(v)) for v in facets.values()) + len(parsed.filters)
        if given > MAX_FILTERS:
            raise QueryError(f"Trop de filtres ({given} ; {MAX_FILTERS} au plus).")
        selected = resolve_filters(parsed, **facets)
        close = close_words(parsed, g.searcher, self._compiler)
        compiled = self._compiler.compile(parsed, close)
        scoring = compiled.query
        flt = to_filter(selected)
        if scoring is None:
            if query.strip() and not parsed.filters:
                return Results(query, parsed, 0, offset, limit, ())  # only stopwords or punctuation
            scoring = EVERY_PASSAGE  # an empty query (or filters only) browses every passage
        found = self._within(g, self._evaluate(g, scoring, flt), bounds)
        docs = found.ids
        every_word = len(docs) if compiled.every_word is None or not len(docs) \
            else len(self._within(g, self._evaluate(g, compiled.every_word, flt), bounds).ids)
        filtered_by = _filtered_by(selected, bounds)
        unfiltered = len(self._evaluate(g, scoring, None).ids) if filtered_by and not len(docs) else None
        counts = g.facets.count(docs, selected=selected, size=facet_size)
        hits, documents = [], () if by_document else None
        if limit and len(docs) > offset:  # hits to show: what only a page of results needs
            snippets = Snippets(scoring, self._analyzer)
            if by_document:
                documents = self._documents_found(g, found, parsed, compiled, sort, offset, limit, snippets,
                                                  show_duplicates)
                hits = [h for d in documents for h in d.hits]
            else:
                ranked = self._ranked(g, found, max(offset + limit, CONTEXT_DEPTH), sort, self._topic(g, compiled))
                if not show_duplicates:
                    ranked = self._folded(g, ranked, offset + limit)
                hits = [self._hit(g, snippets, docnum, score) for score, docnum in ranked[offset:offset + limit]]
        return Results(query, parsed, len(docs), offset, limit, tuple(hits),
                       total_documents=_distinct(g.evaluator.documents[docs]),
                       documents=documents,
                       facets=frozen_facets({f: c[0] for f, c in counts.items()}),
                       facets_truncated=MappingProxyType({f: c[1] for f, c in counts.items()}),
                       did_you_mean=self._did_you_mean(g, query, close, flt),
                       expansions=tuple(compiled.notes), total_all_words=every_word,
                       filtered_by=filtered_by, unfiltered_total=unfiltered)

    @staticmethod
    def _within(g: Generation, found: Evaluation, bounds) -> Evaluation:
        """The passages of `found` whose documents' dates are within `bounds`."""
        if not bounds:
            return found
        keep = g.dates.within(found.ids, bounds)
        return Evaluation(found.ids[keep], found.scores[keep])

    def _did_you_mean(self, g: Generation, query, close, flt) -> str | None:
        """The query respelt with the closest indexed spellings of the words the index does not
        know, when it finds passages: the query the closest spellings already widened, to run as typed."""
        corrected = respell(query, close)
        if corrected is None:
            return None
        q = self._compiler.compile(parse(corrected)).query
        return corrected if q is not None and len(self._evaluate(g, q, flt).ids) else None

    @staticmethod
    def _topic(g: Generation, compiled) -> np.ndarray | None:
        """The passages matching the query without its places (None: it names none)."""
        return None if compiled.topic is None else g.evaluator.evaluate(compiled.topic).ids

    @staticmethod
    def _ranked(g: Generation, found: Evaluation, needed: int, sort: str = "pertinence",
                topic: np.ndarray | None = None) -> list[tuple[float, int]]:
        """The best passages, scored plus CONTEXT_WEIGHT times the best score of their document:
        the passage that answers, in the document that does. Only passages about the query's
        topic (`topic`: matching it without its places) are lifted. Another sort puts the newest
        first, by score within the same date."""
        if SORTS[sort]:
            order = g.dates.newest_first(found.ids, found.scores, sort)[:needed]
            return [(float(found.scores[i]), int(found.ids[i])) for i in order]
        depth = max(needed, CONTEXT_DEPTH)
        top = np.arange(len(found.ids))
        if len(top) > depth:
            top = np.argpartition(-found.scores, depth - 1)[:depth]
        ids, scores = found.ids[top], found.scores[top]
        _, document = np.unique(g.evaluator.groups[ids], return_inverse=True)
        best = np.zeros(document.max() + 1 if len(document) else 0)
        np.maximum.at(best, document, scores)
        lift = CONTEXT_WEIGHT * best[document]
        if topic is not None:  # "PTSM Hauts-de-France": the region's other passages are not lifted
            lift = np.where(np.isin(ids, topic), lift, 0.0)
        final = scores + lift
        order = np.lexsort((ids, -final))
        return [(float(final[i]), int(ids[i])) for i in order]

    @staticmethod
    def _folded(g: Generation, ranked: list[tuple[float, int]], needed: int) -> list[tuple[float, int]]:
        """The first `needed` of the ranked passages that are no copy of a passage ranked above them."""
        kept, hidden = [], set()
        for score, docnum in ranked:
            if docnum in hidden:
                continue
            kept.append((score, docnum))
            if len(kept) == needed:
                break
            hidden.update(g.copies.of(docnum).tolist())
        return kept

    def _documents_found(self, g: Generation, found: Evaluation, parsed, compiled, sort, offset, limit,
                         snippets, show_duplicates) -> tuple[DocumentHits, ...]:
        """The documents of the passages found, each with its best passages and how many of its passages
        match. A document whose best passages are all copies of a document above it (a copied folder) is
        not shown again, unless `show_duplicates`."""
        owners = g.evaluator.documents
        ordinals, matching = np.unique(owners[found.ids], return_counts=True)
        ranked = self._ranked(g, found, CONTEXT_DEPTH if SORTS[sort] is None else len(found.ids), sort,
                              self._topic(g, compiled))
        best: dict[int, list[tuple[float, int]]] = defaultdict(list)  # each document's best ranked passages
        for score, docnum in ranked:
            if len(passages := best[int(owners[docnum])]) < MAX_DOCUMENT_HITS:
                passages.append((score, docnum))
        shown, hidden = [], set()
        for ordinal, score in self._document_order(g, found, parsed, sort, ranked, ordinals):
            passages = best.get(ordinal) or self._best_passages(found, owners, ordinal)
            if not show_duplicates:
                if all(docnum in hidden for _, docnum in passages):
                    continue
                for _, docnum in passages:
                    hidden.update(g.copies.of(docnum).tolist())
            shown.append((ordinal, score, passages))
            if len(shown) == offset + limit:
                break
        count = dict(zip(ordinals.tolist(), matching.tolist()))
        out = []
        for ordinal, score, passages in shown[offset:]:
            hits = tuple(self._hit(g, snippets, docnum, s) for s, docnum in passages)
            out.append(DocumentHits(self._document_info(g, hits[0].doc_id), score, count[ordinal], hits))
        return tuple(out)

    def _document_order(self, g: Generation, found: Evaluation, parsed, sort, ranked, ordinals) -> list[tuple[int, float]]:
        """The documents of the passages found, best first: as `docsante run` ranks them (search/documents.py:
        their best passages lifted by their context, and their whole text), or by the sort's dates; the
        documents of passages beyond the ranked ones follow, by their best passage."""
        owners = g.evaluator.documents
        if SORTS[sort] is None:
            whole_query, wanted = self._doc_compiler.compile(parsed).query, set(ordinals.tolist())
            whole = self._evaluate(g, whole_query, None) if whole_query is not None else Evaluation.empty()
            whole_scores = {o: float(s) for o, s in zip(owners[whole.ids].tolist(), whole.scores) if o in wanted}
            order = rank_documents(((int(owners[d]), s) for s, d in ranked), whole_scores, len(ordinals))
        else:  # newest first: each document where its first passage comes
            order = list({int(owners[d]): s for s, d in reversed(ranked)}.items())[::-1]
        top = np.zeros(owners.max() + 1)
        np.maximum.at(top, owners[found.ids], found.scores)
        placed = {o for o, _ in order}
        rest = sorted(((int(o), float(top[o])) for o in ordinals if int(o) not in placed), key=lambda os: -os[1])
        return order + rest

    @staticmethod
    def _best_passages(found: Evaluation, owners: np.ndarray, ordinal: int) -> list[tuple[float, int]]:
        """A document's best passages among those found, by score (a document beyond the ranked passages)."""
        mine = np.flatnonzero(owners[found.ids] == ordinal)
        mine = mine[np.argsort(-found.scores[mine], kind="stable")][:MAX_DOCUMENT_HITS]
        return [(float(found.scores[i]), int(found.ids[i])) for i in mine]

    @staticmethod
    def _document_info(g: Generation, doc_id: str) -> DocumentInfo:
        return document_info(_passages_of(g.searcher, doc_id))

    @staticmethod
    def _hit(g: Generation, snippets: Snippets, docnum: int, score: float) -> Hit:
        stored = g.searcher.stored_fields(docnum)
        return to_hit(stored, score, snippets(stored["text"]), *_copies(g, docnum))

    @_serialized
    def passage(self, passage_id: str, *, context: int = 1, query: str = "") -> PassageView:
        """A passage with its neighbours, its copies and its document. `passage_id` is a full id or a
        unique end of one ("fiche.pdf#p3"), or a document's ("fiche.pdf", a record's id): its
        first passage. `query`: a search whose words are marked in the passage's whole text
        (`highlighted`). Raises PassageNotFound."""
        g = self.generation
        searcher = g.searcher
        stored = _by_id(searcher, passage_id) or _first_passage(searcher, passage_id)
        if stored is None:
            doc_end, sep, position = passage_id.rpartition("#")
            stored = (_by_id(searcher, f"{_complete_id(searcher, doc_end)}#{position}") if sep
                      else _first_passage(searcher, _complete_id(searcher, passage_id)))
        if stored is None:
            raise PassageNotFound(f"Aucun passage « {passage_id} » dans l'index.")
        doc_id, position = stored["doc_id"], stored["position"]
        siblings = _passages_of(searcher, doc_id)
        around = [f for f in siblings if abs(f["position"] - position) <= context]
        copies = _copies(g, stored["_number"])
        compiled = self._compiler.compile(parse(valid_text(query))).query if query.strip() else None
        return PassageView(
            passage=to_hit(stored, 0.0, fallback_snippet(stored["text"]), *copies),
            before=tuple(to_hit(f, 0.0, "") for f in around if f["position"] < position),
            after=tuple(to_hit(f, 0.0, "") for f in around if f["position"] > position),
            document=document_info(siblings),
            highlighted=Snippets(compiled, self._analyzer).whole(stored["text"]) if compiled is not None
            else escape(stored["text"], quote=False))

    @_serialized
    def document(self, doc_id: str) -> DocumentView:
        """A whole document: what it is, its outline (the heading tree, each heading with its passages)
        and all its passages, in order. `doc_id` is a full id or a unique end of one ("rapport.docx").
        Raises PassageNotFound."""
        passages = _document_passages(self.generation.searcher, doc_id)
        hits = tuple(to_hit(f, 0.0, "") for f in passages)
        return DocumentView(document_info(passages), outline(hits), hits)

    @_serialized
    def original(self, doc_id: str) -> Path | Fetched | str:
        """Where a document indexed can be read as it was: its file, if it was indexed from one and is
        still there; a web page's archived copy (its last answer, from the WARC archive beside the
        index); else its web address (http or https). `doc_id` as `document` takes it. Only
        documents in the index have one: any other id raises PassageNotFound, and so does a document
        with none."""
        first = _document_passages(self.generation.searcher, doc_id)[0]
        doc_id = first["doc_id"]
        if first.get("origin") == doc_id and os.path.isabs(doc_id) and (file := file_of(doc_id)).is_file():
            return file
        if is_url(doc_id) and (copy := archived(archive_path(self.path), doc_id,
                                                  WebState(state_path(self.path)).urls.get(doc_id) or {})):
            return copy
        if first.get("url", "").lower().startswith(("http://", "https://")):
            return first["url"]
        raise PassageNotFound(f"Le document « {doc_id} » n'a pas d'original consultable (fichier déplacé ou supprimé, "
                              f"ni adresse web).")

    @_serialized
    def documents(self) -> tuple[DocumentInfo, ...]:
        """Every document in the index, by title (`docsante documents`)."""
        by_doc: dict[str, list[dict]] = defaultdict(list)
        for fields in self.generation.searcher.reader().all_stored_fields():
            if fields.get("kind") == PASSAGE:
                by_doc[fields["doc_id"]].append(fields)
        infos = (document_info(sorted(passages, key=lambda f: f["position"])) for passages in by_doc.values())
        return tuple(sorted(infos, key=lambda d: (d.title.lower(), d.doc_id)))

    def facets(self, query: str = "", *, facet: str | Sequence[str] | None = None, size: int = MAX_FACET_SIZE,
               **scope) -> dict[str, tuple[FacetCount, ...]]:
        """Every value of the facets (all, or those named in `facet`: a name or a list) with its
        passage count among the passages matching `query` and the filters (`scope`: the
        keyword arguments of `search` that choose passages: region, year, since…):
        `docsante facets`, /api/facets. Raises QueryError, UnknownFacetValue."""
        chosen = list(NAMES) if facet is None else [facet] if isinstance(facet, str) else list(facet)
        unknown = [f for f in chosen if f not in NAMES]
        if unknown:
            raise QueryError(f"Facette inconnue : {', '.join(unknown)} ({', '.join(NAMES)}).")
        results = self.search(query, **scope, limit=0, facet_size=size)
        return {f: results.facets[f] for f in chosen}

    def watches(self) -> Watches:
        """The saved searches (veille) of this index: list, add, remove, run."""
        return Watches(self)

    @_serialized
    def last_change(self) -> str | None:
        """When the newest passage in the index was indexed as new or changed (ISO, UTC)."""
        changes = self.generation.dates.values["changed"]
        return changes[-1] if changes else None

    @_serialized
    def stats(self) -> dict:
        g = self.generation
        passages = self._evaluate(g, EVERY_PASSAGE, None).ids  # undeleted ones
        counts = g.facets.count(passages, size=MAX_FACET_SIZE)
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return {"index": str(self.path), "passages": len(passages),
                "documents": len(np.unique(g.evaluator.documents[passages])),
                "size_bytes": size,
                "facets": {f.name: {b.value: b.count for b in counts[f.name][0]} for f in FACETS},
                "facet_labels": {f.name: {b.value: b.label for b in counts[f.name][0]} for f in FACETS}}

    @_serialized
    def run(self, queries: dict[str, str], *, limit: int = 100) -> list[tuple[str, str, int, float]]:
        """A TREC run: for each query, source records (doc_id) ranked by their passages and
        their whole text (search/documents.py). Raises QueryError for a query over the limits."""
        rows = []
        for qid, text in queries.items():
            check_bounds(text, 0, 0)
            parsed = parse(valid_text(text))
            compiled = self._compiler.compile(parsed)
            if compiled.query is None:
                continue
            g = self.generation
            stored = g.searcher.stored_fields
            found = self._evaluate(g, compiled.query, None)
            passages = [(stored(docnum)["doc_id"], score)
                        for score, docnum in self._ranked(g, found, limit * 5, topic=self._topic(g, compiled))]
            documents = self._evaluate(g, self._doc_compiler.compile(parsed).query, None)
            top = np.argsort(-documents.scores, kind="stable")[:limit * 5]
            whole = {stored(int(documents.ids[i]))["doc_id"]: float(documents.scores[i]) for i in top}
            ranked = rank_documents(passages, whole, limit)
            rows += [(qid, doc_id, rank, score) for rank, (doc_id, score) in enumerate(ranked, 1)]
        return rows


def check_bounds(query: str, limit: int, offset: int, facet_size: int = DEFAULT_SIZE) -> None:
    """Raise QueryError, in French, when a search asks for more than the limits allow."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"Requête trop longue ({len(query)} caractères ; {MAX_QUERY_CHARS} au plus).")
    if not 0 <= limit <= MAX_LIMIT:
        raise QueryError(f"« limit » doit être entre 0 et {MAX_LIMIT}.")
    if not 0 <= offset <= MAX_OFFSET:
        raise QueryError(f"« offset » doit être entre 0 et {MAX_OFFSET}.")
    if not 0 <= facet_size <= MAX_FACET_SIZE:
        raise QueryError(f"« facet_size » doit être entre 0 et {MAX_FACET_SIZE}.")


def _copies(g: Generation, docnum: int) -> tuple[tuple[Copy, ...], int, int]:
    """A passage's copies (the first MAX_COPIES_LISTED), how many there are, and in how many other documents."""
    found = g.copies.of(docnum)
    owners = g.evaluator.documents
    listed = tuple(to_copy(g.searcher.stored_fields(int(c))) for c in found[:MAX_COPIES_LISTED])
    return listed, len(found), _distinct(owners[found[owners[found] != owners[docnum]]])


def _distinct(ordinals: np.ndarray) -> int:
    """How many distinct values non-negative ordinals hold (one pass: no sort of a large match set)."""
    if not len(ordinals):
        return 0
    seen = np.zeros(int(ordinals.max()) + 1, bool)
    seen[ordinals] = True
    return int(np.count_nonzero(seen))


def _filtered_by(selected: dict[str, list[str]], bounds) -> tuple[str, ...]:
    """The filters of a search as a reader names them: "région : Hauts-de-France", "depuis le 2022-01-01"."""
    vocab = vocabulary()
    named = [f"{BY_NAME[f].one} : {', '.join(vocab.label(f, v) for v in values)}" for f, values in selected.items() if values]
    named += [f"{label} {value[:10]}" for label, value in (("depuis le", bounds.since), ("jusqu'au", bounds.until),
                                                         ("ajoutés depuis le", bounds.new_since)) if value]
    return tuple(named)


def _valid_values(values):
    """Filter values (None, a string, a number or a list) made encodable strings."""
    if values is None:
        return None
    if isinstance(values, (str, int)):  # year=2022
        return valid_text(str(values))
    return [valid_text(str(v)) for v in values]


def _cache_part(values) -> tuple:
    """A filter argument (None, a string or a list) as a hashable cache key part."""
    return () if values is None else (values,) if isinstance(values, str) else tuple(values)


def _complete_id(searcher, end: str) -> str:
    """The full document id ending with `end` ("fiche.pdf"), if exactly one document matches."""
    matches = [d.decode("utf-8") for d in searcher.lexicon("doc_id") if d.decode("utf-8").endswith("/" + end)]
    if len(matches) > 1:
        raise PassageNotFound(f"« {end} » désigne plusieurs documents ({', '.join(matches[:3])}…) : "
                              f"donnez l'identifiant complet.")
    return matches[0] if matches else end


def _document_passages(searcher, doc_id: str) -> list[dict]:
    """The passages of a document in the index, named by its id or a unique end of it. Raises PassageNotFound."""
    passages = _passages_of(searcher, doc_id) or _passages_of(searcher, _complete_id(searcher, doc_id))
    if not passages:
        raise PassageNotFound(f"Aucun document « {doc_id} » dans l'index.")
    return passages


def _passages_of(searcher, doc_id: str) -> list[dict]:
    """A document's passages' stored fields (with their document numbers as `_number`), in order."""
    return sorted((f for f in _entries_of(searcher, doc_id) if f["kind"] == PASSAGE), key=lambda f: f["position"])


def _first_passage(searcher, doc_id: str) -> dict | None:
    return next(iter(_passages_of(searcher, doc_id)), None)


def _by_id(searcher, entry_id: str) -> dict | None:
    """An entry's stored fields, by its id, with its document number as `_number`: found among its
    document's entries (ids are stored, not indexed: a passage's is its document's and "#p<position>")."""
    doc_id, sep, _ = entry_id.rpartition("#")
    return next((f for f in _entries_of(searcher, doc_id) if f["id"] == entry_id), None) if sep else None


def _entries_of(searcher, doc_id: str):
    """A document's entries' stored fields, each with its document number as `_number`."""
    for number in searcher.document_numbers(doc_id=doc_id):
        yield {**searcher.stored_fields(number), "_number": number}
