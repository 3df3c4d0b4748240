"""The search side of the API: open an index, search it, read passages."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict, defaultdict
from functools import wraps
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
from whoosh import query as wq

from ..corpus.document import valid_text
from ..vocab.vocabulary import FACETS, vocabulary
from ..errors import IndexDamaged, IndexNotFound, PassageNotFound, QueryError
from ..index.store import DAMAGE, check_version, damaged_message, index_exists, open_whoosh
from ..index.schema import DOCUMENT, PASSAGE
from ..index.whoosh_adapter import DocsanteBM25F
from .build import QueryCompiler, resolve_filters, to_filter
from .dates import SORTS, DateColumns, check_sort, period
from .facets import DEFAULT_SIZE, FacetCount, FacetPostings
from .evaluate import Evaluation, Evaluator, member
from .highlight import Snippets, fallback_snippet
from .parse import Clauses, parse
from .suggest import respell
from .watches import Watches

# The limits of every search, wherever it comes from (API, CLI, web); the README's « Limites » lists them.
MAX_QUERY_CHARS = 1000  # characters of a query
MAX_LIMIT = 1000        # hits in one answer
MAX_OFFSET = 10_000     # hits skipped (pagination)
MAX_FILTERS = 20        # facet values a search filters on, all facets together
MAX_FACET_SIZE = 10_000  # values listed per facet
RESULTS_CACHE = 256    # recent searches kept per index generation (permalinks, facet clicks repeat)
CONTEXT_DEPTH = 1000   # passages re-ranked with their document's match
CONTEXT_WEIGHT = 0.5   # a passage inherits this share of its document's best passage score
DOCUMENT_WEIGHT = 1.0  # ranking documents: its passages + this times the whole document's score
PASSAGE_DECAY = 0.3    # ranking documents: the n-th best passage of a document counts PASSAGE_DECAY ** (n - 1)
EVERY_PASSAGE = wq.Term("kind", PASSAGE)


# Hits, results and passage views are frozen, with tuples and read-only mappings inside:
# the same objects are handed out again from the results cache.

@dataclass(frozen=True)
class Hit:
    id: str
    doc_id: str
    source: str
    title: str
    section: str
    text: str
    snippet: str
    score: float
    region: tuple[str, ...]
    dispositifs: tuple[str, ...]
    themes: tuple[str, ...]
    acteurs: tuple[str, ...] = ()  # institutions named: ARS, IREPS, CPAM…
    url: str = ""
    position: int = 0
    page: int | None = None  # first page of the passage in a paged document (PDF)
    date: str | None = None  # its document's date: ISO "YYYY-MM-DD" or "YYYY"
    first_indexed: str | None = None  # when its document was first indexed, and last indexed as changed (ISO, UTC)
    changed: str | None = None
    issuer: str = ""  # the body that issues its document, when the document names one ("ARS Grand Est")

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def to_dict(self) -> dict:
        return {"id": self.id, "doc_id": self.doc_id, "source": self.source, "title": self.title,
                "section": self.section, "text": self.text, "snippet": self.snippet,
                "score": round(self.score, 4), "region": list(self.region), "dispositifs": list(self.dispositifs),
                "acteurs": list(self.acteurs), "themes": list(self.themes), "url": self.url, "position": self.position,
                "page": self.page, "date": self.date, "year": self.year, "first_indexed": self.first_indexed,
                "changed": self.changed, "issuer": self.issuer}


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    title: str
    source: str
    url: str
    passages: int
    date: str = ""
    pages: int | None = None           # the last page a passage starts on (paged documents)
    first_indexed: str | None = None   # ISO times (UTC)
    changed: str | None = None
    issuer: str = ""                   # the body that issues it, when it names one

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "title": self.title, "source": self.source, "url": self.url,
                "passages": self.passages, "date": self.date, "pages": self.pages,
                "first_indexed": self.first_indexed, "changed": self.changed,
                "issuer": self.issuer}


@dataclass(frozen=True)
class PassageView:
    """A passage (`docsante show`, /api/passage/…), its neighbours and its document."""
    passage: Hit
    before: tuple[Hit, ...]
    after: tuple[Hit, ...]
    document: DocumentInfo

    def to_dict(self) -> dict:
        return {"passage": self.passage.to_dict(), "before": [h.to_dict() for h in self.before],
                "after": [h.to_dict() for h in self.after], "document": self.document.to_dict()}


def _frozen_facets(facets: dict) -> MappingProxyType:
    return MappingProxyType({f: tuple(facets.get(f, ())) for f in FACETS})


@dataclass(frozen=True)
class Results:
    query: str
    parsed: Clauses
    total: int
    offset: int
    limit: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetCount, ...]] = field(default_factory=lambda: _frozen_facets({}))
    facets_truncated: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType({f: False for f in FACETS}))
    did_you_mean: str | None = None
    expansions: tuple[str, ...] = ()  # how the query was widened, in French

    def to_dict(self) -> dict:
        """The one JSON shape used by the CLI, the API and the HTTP server."""
        return {
            "query": self.query,
            "interpreted": str(self.parsed),
            "expansions": list(self.expansions),
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {f: [b.to_dict() for b in self.facets.get(f, [])] for f in FACETS},
            "facets_truncated": {f: self.facets_truncated.get(f, False) for f in FACETS},
            "did_you_mean": self.did_you_mean,
        }




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
            self._searcher = self._ix.searcher(weighting=_weighting())
        except Exception as e:  # whoosh raises many types on damaged files
            raise IndexDamaged(damaged_message(self.path, e)) from e
        self._facets = None
        self._date_columns = None
        self._evaluation = None
        self._results: OrderedDict = OrderedDict()
        # the searcher's schema, read with its generation: FileIndex.schema reads the newest table of
        # contents from disk at each call, which a commit may have replaced (and deleted) meanwhile
        self._analyzer = self._searcher.schema["text"].analyzer
        self._compiler = QueryCompiler(self._analyzer)
        self._doc_compiler = QueryCompiler(self._analyzer, documents=True)

    def close(self):
        self._searcher.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def searcher(self):
        """The open searcher, opened again when another process committed. (Whoosh's own
        refresh() fails on an index that holds nothing: it cannot reuse an empty reader.)"""
        if not self._searcher.up_to_date():
            stale, self._searcher = self._searcher, self._ix.searcher(weighting=_weighting())
            stale.close()
            self._facets, self._date_columns, self._evaluation = None, None, None
            self._results.clear()
        return self._searcher

    def _evaluator(self, searcher) -> Evaluator:
        if self._evaluation is None:
            self._evaluation = Evaluator(searcher, self.path)
        return self._evaluation

    def _evaluate(self, searcher, scoring, flt) -> Evaluation:
        """All passages matching `scoring` and the filter, with their BM25F scores."""
        fast = self._evaluator(searcher)
        found = fast.evaluate(scoring)
        if flt is not None:
            keep = member(found.ids, fast.evaluate(flt).ids)
            found = Evaluation(found.ids[keep], found.scores[keep])
        return found

    def _dates(self, searcher) -> DateColumns:
        if self._date_columns is None:
            self._date_columns = DateColumns(self._evaluator(searcher))
        return self._date_columns

    def _facet_postings(self, searcher) -> FacetPostings:
        if self._facets is None:
            self._facets = FacetPostings(self._evaluator(searcher))
        return self._facets

    @_serialized
    def search(self, query: str, *, region=None, dispositif=None, acteur=None, theme=None, year=None,
               since: str | None = None, until: str | None = None, new_since: str | None = None,
               sort: str = "pertinence", limit: int = 10, offset: int = 0, facet_size: int = DEFAULT_SIZE) -> Results:
        """Ranked passages for `query`, with facet counts over all matches. An empty
        query matches every passage (to browse by facets).

        `region`, `dispositif`, `acteur`, `theme`, `year` take any alias (or a list: OR within a facet).
        `since` and `until` ("2022", "2022-03", "2022-03-15") bound the documents' dates;
        `new_since` (a day or an ISO time) keeps documents indexed as new or changed since then.
        `sort`: "pertinence", "date" (the documents' dates, newest first) or "ajout"
        (the most recently indexed first).
        Recent searches are answered from a cache until the index changes; the Results
        returned may be shared: do not modify them.
        Raises QueryError (query too long, bad bounds, bad dates) and UnknownFacetValue."""
        query = valid_text(query)  # a query typed with bytes that are not UTF-8
        facets = {name: _valid_values(v) for name, v in
                  (("region", region), ("dispositif", dispositif), ("acteur", acteur), ("theme", theme), ("year", year))}
        bounds, sort = period(since, until, new_since), check_sort(sort)
        key = (query, *(_cache_part(v) for v in facets.values()), bounds, sort, limit, offset, facet_size)
        searcher = self.searcher
        cached = self._results.get(key)
        if cached is not None:
            self._results.move_to_end(key)
            return cached
        results = self._search(searcher, query, facets, bounds, sort, limit, offset, facet_size)
        self._results[key] = results
        if len(self._results) > RESULTS_CACHE:
            self._results.popitem(last=False)
        return results

    def _search(self, searcher, query, facets, bounds, sort, limit, offset, facet_size) -> Results:
        check_bounds(query, limit, offset, facet_size)
        parsed = parse(query)
        given = sum(len(_cache_part(v)) for v in facets.values()) + len(parsed.filters)
        if given > MAX_FILTERS:
            raise QueryError(f"Trop de filtres ({given} ; {MAX_FILTERS} au plus).")
        selected = resolve_filters(parsed, **facets)
        compiled = self._compiler.compile(parsed)
        scoring = compiled.query
        flt = to_filter(selected)
        if scoring is None:
            if query.strip() and not parsed.filters:
                return Results(query, parsed, 0, offset, limit, ())  # only stopwords or punctuation
            scoring = EVERY_PASSAGE  # an empty query (or filters only) browses every passage
        found = self._evaluate(searcher, scoring, flt)
        if bounds:
            keep = self._dates(searcher).within(found.ids, bounds)
            found = Evaluation(found.ids[keep], found.scores[keep])
        docs = found.ids
        counts = self._facet_postings(searcher).count(docs, selected=selected, size=facet_size)
        hits = []
        if limit and len(docs) > offset:
            topic = self._topic(searcher, compiled)
            ranked = self._ranked(searcher, found, offset + limit, sort, topic)[offset:offset + limit]
            snippets = Snippets(scoring, self._analyzer)
            hits = [self._hit(searcher, snippets, docnum, score) for score, docnum in ranked]
        return Results(query, parsed, len(docs), offset, limit, tuple(hits),
                       facets=_frozen_facets({f: c[0] for f, c in counts.items()}),
                       facets_truncated=MappingProxyType({f: c[1] for f, c in counts.items()}),
                       did_you_mean=self._did_you_mean(searcher, query, parsed, flt, len(docs)),
                       expansions=tuple(compiled.notes))

    def _did_you_mean(self, searcher, query, parsed, flt, total) -> str | None:
        """A respelt query, offered only when it finds more passages than the query typed."""
        corrected = respell(query, parsed, searcher, self._compiler)
        if corrected is None:
            return None
        q = self._compiler.compile(parse(corrected)).query
        if q is None:
            return None
        return corrected if len(self._evaluate(searcher, q, flt).ids) > total else None

    def _topic(self, searcher, compiled) -> np.ndarray | None:
        """The passages matching the query without its places (None: it names none)."""
        return None if compiled.topic is None else self._evaluator(searcher).evaluate(compiled.topic).ids

    def _ranked(self, searcher, found: Evaluation, needed: int, sort: str = "pertinence",
                topic: np.ndarray | None = None) -> list[tuple[float, int]]:
        """The best passages, scored plus CONTEXT_WEIGHT times the best score of their document
        (+0.07 nDCG@10 on spf passages): the passage that answers, in the document that does.
        Only passages about the query's topic (`topic`: matching it without its places) are lifted.
        Another sort puts the newest first, by score within the same date."""
        if SORTS[sort]:
            order = self._dates(searcher).newest_first(found.ids, found.scores, sort)[:needed]
            return [(float(found.scores[i]), int(found.ids[i])) for i in order]
        depth = max(needed, CONTEXT_DEPTH)
        top = np.arange(len(found.ids))
        if len(top) > depth:
            top = np.argpartition(-found.scores, depth - 1)[:depth]
        ids, scores = found.ids[top], found.scores[top]
        _, document = np.unique(self._evaluator(searcher).groups()[ids], return_inverse=True)
        best = np.zeros(document.max() + 1 if len(document) else 0)
        np.maximum.at(best, document, scores)
        lift = CONTEXT_WEIGHT * best[document]
        if topic is not None:  # "PTSM Hauts-de-France": the region's other passages are not lifted
            lift = np.where(np.isin(ids, topic), lift, 0.0)
        final = scores + lift
        order = np.lexsort((ids, -final))
        return [(float(final[i]), int(ids[i])) for i in order]

    def _hit(self, searcher, snippets: Snippets, docnum: int, score: float) -> Hit:
        stored = searcher.stored_fields(docnum)
        return _to_hit(stored, score, snippets(stored["text"]))

    @_serialized
    def passage(self, passage_id: str, *, context: int = 1) -> PassageView:
        """A passage with its neighbours and its document. `passage_id` is a full id or a
        unique end of one ("fiche.pdf#p3"), or a document's ("fiche.pdf", a record's id): its
        first passage. Raises PassageNotFound."""
        searcher = self.searcher
        stored = searcher.document(id=passage_id) or _first_passage(searcher, passage_id)
        if stored is None:
            doc_end, sep, position = passage_id.rpartition("#")
            stored = (searcher.document(id=f"{_complete_id(searcher, doc_end)}#{position}") if sep
                      else _first_passage(searcher, _complete_id(searcher, passage_id)))
        if stored is None:
            raise PassageNotFound(f"Aucun passage « {passage_id} » dans l'index.")
        doc_id, position = stored["doc_id"], stored["position"]
        siblings = sorted((f for f in searcher.documents(doc_id=doc_id) if f["kind"] == PASSAGE),
                          key=lambda f: f["position"])
        around = [f for f in siblings if abs(f["position"] - position) <= context]
        return PassageView(
            passage=_to_hit(stored, 0.0, fallback_snippet(stored["text"])),
            before=tuple(_to_hit(f, 0.0, "") for f in around if f["position"] < position),
            after=tuple(_to_hit(f, 0.0, "") for f in around if f["position"] > position),
            document=_document_info(siblings))

    @_serialized
    def documents(self) -> tuple[DocumentInfo, ...]:
        """Every document in the index, by title (`docsante documents`)."""
        by_doc: dict[str, list[dict]] = defaultdict(list)
        for fields in self.searcher.reader().all_stored_fields():
            if fields.get("kind") == PASSAGE:
                by_doc[fields["doc_id"]].append(fields)
        infos = (_document_info(sorted(passages, key=lambda f: f["position"])) for passages in by_doc.values())
        return tuple(sorted(infos, key=lambda d: (d.title.lower(), d.doc_id)))

    def facets(self, query: str = "", *, facet=None, size: int = MAX_FACET_SIZE, **scope) -> dict[str, tuple[FacetCount, ...]]:
        """Every value of the facets (all, or those named in `facet`: a name or a list) with its
        passage count among the passages matching `query` and the filters (`scope`: the
        keyword arguments of `search` that choose passages: region, year, since…):
        `docsante facets`, /api/facets. Raises QueryError, UnknownFacetValue."""
        chosen = list(FACETS) if facet is None else [facet] if isinstance(facet, str) else list(facet)
        unknown = [f for f in chosen if f not in FACETS]
        if unknown:
            raise QueryError(f"Facette inconnue : {', '.join(unknown)} ({', '.join(FACETS)}).")
        results = self.search(query, **scope, limit=0, facet_size=size)
        return {f: results.facets[f] for f in chosen}

    def watches(self) -> Watches:
        """The saved searches (veille) of this index: list, add, remove, run."""
        return Watches(self)

    @_serialized
    def last_change(self) -> str | None:
        """When the newest passage in the index was indexed as new or changed (ISO, UTC)."""
        changes = self._dates(self.searcher).values["changed"]
        return changes[-1] if changes else None

    @_serialized
    def stats(self) -> dict:
        searcher = self.searcher
        reader = searcher.reader()
        documents = sum(1 for _ in reader.lexicon("doc_id"))
        counts = self._facet_postings(searcher).count(self._evaluate(searcher, EVERY_PASSAGE, None).ids, size=MAX_FACET_SIZE)
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return {"index": str(self.path), "passages": searcher.doc_frequency("kind", PASSAGE), "documents": documents,
                "size_bytes": size,
                "facets": {f: {b.value: b.count for b in counts[f][0]} for f in FACETS},
                "facet_labels": {f: {b.value: b.label for b in counts[f][0]} for f in FACETS}}

    @_serialized
    def run(self, queries: dict[str, str], *, limit: int = 100) -> list[tuple[str, str, int, float]]:
        """A TREC run: for each query, source records (doc_id) ranked by their passages (the best,
        plus PASSAGE_DECAY times the second, its square times the third…: +0.008 nDCG@10 on spf
        documents) plus DOCUMENT_WEIGHT times the score of their whole text (+0.03).
        Raises QueryError for a query over the limits."""
        rows = []
        for qid, text in queries.items():
            check_bounds(text, 0, 0)
            parsed = parse(valid_text(text))
            compiled = self._compiler.compile(parsed)
            if compiled.query is None:
                continue
            searcher = self.searcher
            passages: dict[str, list[float]] = defaultdict(list)
            found = self._evaluate(searcher, compiled.query, None)
            for score, docnum in self._ranked(searcher, found, limit * 5, topic=self._topic(searcher, compiled)):
                passages[searcher.stored_fields(docnum)["doc_id"]].append(score)  # best first
            by_passages = {d: sum(score * PASSAGE_DECAY ** n for n, score in enumerate(scores))
                           for d, scores in passages.items()}
            documents = self._evaluate(searcher, self._doc_compiler.compile(parsed).query, None)
            top = np.argsort(-documents.scores, kind="stable")[:limit * 5]
            whole = {searcher.stored_fields(int(documents.ids[i]))["doc_id"]: float(documents.scores[i]) for i in top}
            # a one-passage document has no document entry: its passage is its whole text
            ranked = sorted(((d, s + DOCUMENT_WEIGHT * whole.get(d, s)) for d, s in by_passages.items()),
                            key=lambda kv: (-kv[1], kv[0]))[:limit]
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


def _document_info(passages: list[dict]) -> DocumentInfo:
    """A document described from its passages' stored fields, in order."""
    first = passages[0]
    pages = [p["page"] for p in passages if p.get("page")]
    return DocumentInfo(first["doc_id"], first.get("title", ""), first.get("source", ""), first.get("url", ""),
                        len(passages), first.get("date", ""), max(pages) if pages else None,
                        first.get("first_indexed"), first.get("changed"), first.get("issuer", ""))


def _weighting() -> DocsanteBM25F:
    return DocsanteBM25F("doctext", ("kind", DOCUMENT))


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


def _first_passage(searcher, doc_id: str) -> dict | None:
    passages = [f for f in searcher.documents(doc_id=doc_id) if f["kind"] == PASSAGE]
    return min(passages, key=lambda f: f["position"], default=None)


def _labels(facet: str, stored: str) -> tuple[str, ...]:
    vocab = vocabulary()
    return tuple(vocab.label(facet, v) for v in stored.split(",") if v)


def _to_hit(stored: dict, score: float, snippet: str) -> Hit:
    return Hit(id=stored["id"], doc_id=stored["doc_id"], source=stored.get("source", ""),
               title=stored.get("title", ""), section=stored.get("section", ""), text=stored["text"],
               snippet=snippet, score=float(score), region=_labels("region", stored.get("region", "")),
               dispositifs=_labels("dispositif", stored.get("dispositif", "")),
               acteurs=_labels("acteur", stored.get("acteur", "")),
               themes=_labels("theme", stored.get("theme", "")), url=stored.get("url", ""),
               position=stored.get("position", 0), page=stored.get("page"), date=stored.get("date") or None,
               first_indexed=stored.get("first_indexed"), changed=stored.get("changed"), issuer=stored.get("issuer", ""))
