"""What a search gives back: hits, results, passage views and document descriptions.

They are frozen, with tuples and read-only mappings inside: the same objects are handed
out again from the results cache. A hit's facet values are its `tags`, one entry per
tagged facet of facets.py, also read as attributes by the facet's key (`hit.dispositifs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from types import MappingProxyType

from ..corpus.document import SECTION_SEPARATOR, heading_of
from ..facets import DOCUMENT_FACETS, FACETS, NAMES, TAGGED
from ..vocab.vocabulary import vocabulary
from .facets import FacetCount
from .parse import Clauses

TAG_KEYS = {f.key: f.name for f in TAGGED}  # "dispositifs" -> "dispositif"
DOCUMENT_KEYS = {f.key: f.name for f in DOCUMENT_FACETS}


@dataclass(frozen=True)
class Copy:
    """Another passage with the same text, or nearly (another region's name, a date, a word): where it is."""
    id: str
    doc_id: str
    title: str
    region: tuple[str, ...]
    url: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "doc_id": self.doc_id, "title": self.title, "region": list(self.region), "url": self.url}


def to_copy(stored: dict) -> Copy:
    vocab = vocabulary()
    return Copy(stored["id"], stored["doc_id"], stored.get("title", ""),
                tuple(vocab.label("region", v) for v in stored.get("region", "").split(",") if v), stored.get("url", ""))


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
    tags: Mapping[str, tuple[str, ...]]  # each tagged facet's labels, by facet name: {"region": ("Grand Est",)}
    url: str = ""
    position: int = 0
    page: int | None = None  # first page of the passage in a paged document (PDF)
    date: str | None = None  # its document's date: ISO "YYYY-MM-DD" or "YYYY"
    date_source: str = ""    # where that date was read, in French ("titre", "métadonnées PDF"…)
    first_indexed: str | None = None  # when its text was first indexed, and last indexed as changed (ISO, UTC)
    changed: str | None = None
    issuer: str = ""  # the body that issues its document, when the document names one ("ARS Grand Est")
    duplicates: tuple[Copy, ...] = ()  # the other passages with the same text, or nearly, wherever they are
    # (the first MAX_COPIES_LISTED of them, in index order)
    duplicate_count: int = 0      # how many there are
    duplicate_documents: int = 0  # in how many other documents
    withdrawn: str = ""  # its web page gone from its site: the day it was found gone (ISO); "" otherwise

    @property
    def heading(self) -> str:
        """The section as shown beside the document's title, which it does not repeat."""
        return heading_of(self.section, self.title)

    def __getattr__(self, name: str) -> tuple[str, ...]:
        """A facet's labels by the facet's key: hit.region, hit.dispositifs, hit.themes…"""
        facet = TAG_KEYS.get(name)
        if facet is None or name == "tags":
            raise AttributeError(name)
        return self.tags.get(facet, ())

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def to_dict(self) -> dict:
        return {"id": self.id, "doc_id": self.doc_id, "source": self.source, "title": self.title,
                "section": self.section, "text": self.text, "snippet": self.snippet, "score": round(self.score, 4),
                **{f.key: list(self.tags.get(f.name, ())) for f in TAGGED},
                "url": self.url, "position": self.position, "page": self.page, "date": self.date, "date_source": self.date_source, "year": self.year,
                "first_indexed": self.first_indexed, "changed": self.changed, "issuer": self.issuer,
                "duplicates": [c.to_dict() for c in self.duplicates], "duplicate_count": self.duplicate_count,
                "duplicate_documents": self.duplicate_documents, "withdrawn": self.withdrawn or None}

    @property
    def link(self) -> str:
        """Where its document is read: its web address, else its file's address (file:///…)."""
        return self.url or (PurePosixPath(self.source).as_uri() if self.source.startswith("/") else "")


MAX_COPIES_LISTED = 100  # copies listed under a hit (a site's legal notice may be on every one of its pages)


def to_hit(stored: dict, score: float, snippet: str, duplicates: tuple[Copy, ...] = (), duplicate_count: int = 0,
           duplicate_documents: int = 0) -> Hit:
    """A hit from a passage's stored fields."""
    vocab = vocabulary()
    tags = {f.name: tuple(vocab.label(f.name, v) for v in stored.get(f.name, "").split(",") if v) for f in TAGGED}
    return Hit(id=stored["id"], doc_id=stored["doc_id"], source=stored.get("source", ""),
               title=stored.get("title", ""), section=stored.get("section", ""), text=stored["text"],
               snippet=snippet, score=float(score), tags=MappingProxyType(tags), url=stored.get("url", ""),
               position=stored.get("position", 0), page=stored.get("page"), date=stored.get("date") or None,
               date_source=stored.get("date_source") or "", first_indexed=stored.get("first_indexed"), changed=stored.get("changed"),
               issuer=stored.get("issuer", ""), duplicates=duplicates, duplicate_count=duplicate_count,
               duplicate_documents=duplicate_documents, withdrawn=stored.get("withdrawn") or "")


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    title: str
    source: str
    url: str
    passages: int
    date: str = ""
    pages: int | None = None           # the last page a passage starts on (paged documents)
    first_indexed: str | None = None   # ISO times (UTC): its first passage's first indexing, its latest change
    changed: str | None = None
    issuer: str = ""                   # the body that issues it, when it names one
    date_source: str = ""              # where its date was read, in French
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))  # its own values
    # of the DOCUMENT_FACETS, as labels: {"region": ("Grand Est",), "type": ("Contrat",)}
    withdrawn: str = ""                # a web page gone from its site: the day it was found gone (ISO)

    def __getattr__(self, name: str) -> tuple[str, ...]:
        """A document facet's labels by the facet's key: doc.region, doc.type."""
        facet = DOCUMENT_KEYS.get(name)
        if facet is None or name == "tags":
            raise AttributeError(name)
        return self.tags.get(facet, ())

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "title": self.title, "source": self.source, "url": self.url,
                "passages": self.passages, "date": self.date, "date_source": self.date_source, "pages": self.pages,
                "first_indexed": self.first_indexed, "changed": self.changed,
                "issuer": self.issuer, **{f.key: list(self.tags.get(f.name, ())) for f in DOCUMENT_FACETS},
                "withdrawn": self.withdrawn or None}


@dataclass(frozen=True)
class DocumentHits:
    """A document found (a search by document): its best passages, and how many of its passages match."""
    document: DocumentInfo
    score: float
    matching: int             # its passages matching the query and the filters
    hits: tuple[Hit, ...]     # its best passages, best first (MAX_DOCUMENT_HITS at most)

    def to_dict(self) -> dict:
        d = self.document
        return {"doc_id": d.doc_id, "title": d.title, "date": d.date, "type": list(d.type), "issuer": d.issuer,
                "region": list(d.region), "departement": list(d.departement), "url": d.url,
                "score": round(self.score, 4), "matching": self.matching, "passages": d.passages,
                "hits": [h.to_dict() for h in self.hits]}


def document_info(passages: list[dict]) -> DocumentInfo:
    """A document described from its passages' stored fields, in order."""
    first = passages[0]
    pages = [p["page"] for p in passages if p.get("page")]
    vocab, own = vocabulary(), first.get("doc_tags") or {}
    tags = {f.name: tuple(vocab.label(f.name, v) for v in own.get(f.name, ())) for f in DOCUMENT_FACETS}
    firsts = [p["first_indexed"] for p in passages if p.get("first_indexed")]
    changes = [p["changed"] for p in passages if p.get("changed")]
    return DocumentInfo(first["doc_id"], first.get("title", ""), first.get("source", ""), first.get("url", ""),
                        len(passages), first.get("date", ""), max(pages) if pages else None,
                        min(firsts, default=None), max(changes, default=None), first.get("issuer", ""),
                        first.get("date_source") or "", MappingProxyType(tags), first.get("withdrawn") or "")


@dataclass(frozen=True)
class PassageView:
    """A passage (`docsante show`, /api/passage/…), its neighbours and its document."""
    passage: Hit
    before: tuple[Hit, ...]
    after: tuple[Hit, ...]
    document: DocumentInfo
    highlighted: str = ""  # the passage's whole text, escaped, with the words of the query asked for marked

    def to_dict(self) -> dict:
        return {"passage": self.passage.to_dict(), "before": [h.to_dict() for h in self.before],
                "after": [h.to_dict() for h in self.after], "document": self.document.to_dict(),
                "highlighted": self.highlighted}


@dataclass(frozen=True)
class Heading:
    """A heading of a document's outline: its passages (ids) and the headings under it."""
    heading: str
    passages: tuple[str, ...]
    children: tuple["Heading", ...]

    def to_dict(self) -> dict:
        return {"heading": self.heading, "passages": list(self.passages), "children": [c.to_dict() for c in self.children]}


def outline(passages: tuple[Hit, ...]) -> tuple[Heading, ...]:
    """The heading tree of a document from its passages' section paths (the title left out); the
    passages under no heading but the title are in none."""
    root: dict[str, tuple[list[str], dict]] = {}
    for hit in passages:
        ids, below = None, root
        for part in hit.heading.split(SECTION_SEPARATOR) if hit.heading else ():
            ids, below = below.setdefault(part, ([], {}))
        if ids is not None:
            ids.append(hit.id)

    def frozen(level: dict) -> tuple[Heading, ...]:
        return tuple(Heading(name, tuple(ids), frozen(below)) for name, (ids, below) in level.items())
    return frozen(root)


@dataclass(frozen=True)
class DocumentView:
    """A whole document (`docsante show --document`, /document/…): what it is, its outline, its passages."""
    document: DocumentInfo
    outline: tuple[Heading, ...]
    passages: tuple[Hit, ...]

    def to_dict(self) -> dict:
        return {"document": self.document.to_dict(), "outline": [h.to_dict() for h in self.outline],
                "passages": [p.to_dict() for p in self.passages]}


def frozen_facets(facets: dict) -> Mapping[str, tuple[FacetCount, ...]]:
    return MappingProxyType({f: tuple(facets.get(f, ())) for f in NAMES})


@dataclass(frozen=True)
class Results:
    query: str
    parsed: Clauses
    total: int
    offset: int
    limit: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetCount, ...]] = field(default_factory=lambda: frozen_facets({}))
    facets_truncated: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType(dict.fromkeys(NAMES, False)))
    did_you_mean: str | None = None
    expansions: tuple[str, ...] = ()  # how the query was widened, in French
    total_all_words: int = 0  # of the `total` passages, those holding every word typed (an acronym or its full name)
    filtered_by: tuple[str, ...] = ()  # the search's filters (facets, dates) as a reader names them, in French
    unfiltered_total: int | None = None  # when filters leave nothing: the passages matching without them
    total_documents: int = 0  # the documents the `total` passages belong to
    documents: tuple[DocumentHits, ...] | None = None  # a search by document: the documents, best first (`hits`
    # then holds their passages, in that order)

    @property
    def query_without_filters(self) -> str:
        """The query without the facet clauses typed in it ("region:PACA"): what searches without the filters."""
        return str(replace(self.parsed, filters=())) if self.parsed.filters else self.query

    def to_dict(self) -> dict:
        """The one JSON shape used by the CLI, the API and the HTTP server."""
        return {
            "query": self.query,
            "interpreted": str(self.parsed),
            "expansions": list(self.expansions),
            "total": self.total,
            "total_all_words": self.total_all_words,
            "filtered_by": list(self.filtered_by),
            "unfiltered_total": self.unfiltered_total,
            "total_documents": self.total_documents,
            "documents": None if self.documents is None else [d.to_dict() for d in self.documents],
            "offset": self.offset,
            "limit": self.limit,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {f.name: [b.to_dict() for b in self.facets.get(f.name, [])] for f in FACETS},
            "facets_truncated": {f.name: self.facets_truncated.get(f.name, False) for f in FACETS},
            "did_you_mean": self.did_you_mean,
        }
