"""The index's fields, shared by the indexer and the search side; one keyword field per facet (facets.py)."""

from __future__ import annotations

from whoosh.columns import FixedBytesColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, Schema

from ..facets import FACETS
from ..vocab.analysis import french_analyzer
from .whoosh_adapter import FrenchText, WordCounts

DIGEST_BYTES = 16  # of a document's content hash, in the `doc_hash` column
FINGERPRINT_BYTES = 64  # of a passage's fingerprint (index/fingerprint.py), in the `fingerprint` column
FOCUSED_REGIONS = 2  # a passage tagged with more regions than this is about none of them (the `places` field)


def place_term(facet: str, value: str) -> str:
    """A value of the `places` field: "region:bretagne", "departement:29"."""
    return f"{facet}:{value}"
DATE_FIELDS = ("date", "first_indexed", "changed")  # ISO strings, indexed so that they filter and sort
TEXT_FIELDS = ("text", "section", "title")
DOCUMENT_FIELDS = ("doctext",)
PASSAGE, DOCUMENT, WORDS = "passage", "document", "words"  # values of `kind`
QUERY_FIELDS = {"titre": "title", "title": "title", "section": "section", "texte": "text", "text": "text"}


def build_schema() -> Schema:
    analyzer = french_analyzer()
    facet = dict(stored=True, commas=True, scorable=False, lowercase=False)
    return Schema(
        id=STORED,  # found among its document's entries (search/engine.py's _by_id): no term per passage
        kind=ID(stored=True),  # PASSAGE; DOCUMENT: a multi-passage document's whole text; WORDS: a batch's words
        doc_id=ID(stored=True, sortable=True),  # sortable: a column, read to group passages by document
        # the JSONL `document` a record belongs to (its context), UTF-8, when it has one (else its doc_id's)
        group=COLUMN(VarBytesColumn()),
        position=STORED,
        page=STORED,  # the passage's first page in a paged document
        first_indexed=ID(stored=True),  # when its document was first indexed (ISO, UTC, microseconds)
        changed=ID(stored=True),  # when its document's content was last indexed as changed (same)
        # the document's content hash (Document.content_hash, its 16 bytes): a column, read at once for every
        # document when an indexing run starts (indexer/write.py's KnownDocuments)
        doc_hash=COLUMN(FixedBytesColumn(DIGEST_BYTES)),
        source=STORED,
        origin=STORED,  # the file the document was read from (a JSONL record's file, whatever its `source`)
        url=STORED,
        date=ID(stored=True),  # the document's own date: "YYYY-MM-DD" or "YYYY"
        date_source=STORED,
        issuer=STORED,  # the body that issues the document, when it names one ("ARS Grand Est")
        withdrawn=STORED,  # a web page gone from its site: the day it was found gone (ISO)
        doc_tags=STORED,  # on a document's first passage: its own values of the DOCUMENT_FACETS ({"type": ["contrat"]})
        title=FrenchText(analyzer=analyzer, stored=True),
        section=FrenchText(analyzer=analyzer, stored=True),
        text=FrenchText(analyzer=analyzer, stored=True),
        doctext=FrenchText(analyzer=analyzer),  # a document entry's title, headings and text; passages leave it empty
        words=WordCounts(),  # WORDS entries only
        fingerprint=COLUMN(FixedBytesColumn(FINGERPRINT_BYTES)),  # a passage's, to find its copies (zero: none)
        **{f.name: KEYWORD(**facet) for f in FACETS},  # the year's is the year of `date`
        # a passage's regions and départements ("region:bretagne", "departement:29") when it is about few:
        # what a place named in a query lifts (a page that names five regions is about none of them)
        places=KEYWORD(commas=True, scorable=False, lowercase=False),
    )
