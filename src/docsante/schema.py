"""Field and facet names shared by the indexer and the search side."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from .analysis import french_analyzer

SCHEMA_VERSION = 5  # bump when the analyzer or the fields change: old indexes must be rebuilt
FACET_FIELDS = {"region": "region", "dispositif": "dispositif", "theme": "theme"}
TEXT_FIELDS = ("text", "section", "title")
DOCUMENT_FIELDS = ("doctext",)
PASSAGE, DOCUMENT = "passage", "document"  # values of `kind`
QUERY_FIELDS = {"titre": "title", "title": "title", "section": "section", "texte": "text", "text": "text"}


def build_schema() -> Schema:
    analyzer = french_analyzer()
    facet = dict(stored=True, commas=True, scorable=False, lowercase=False)
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),  # PASSAGE, or DOCUMENT: one entry per multi-passage document, for its whole text
        doc_id=ID(stored=True),
        group=ID(stored=True, sortable=True),  # the document a passage belongs to (for document context)
        position=STORED,
        doc_hash=STORED,
        source=STORED,
        url=STORED,
        date=STORED,
        title=TEXT(analyzer=analyzer, stored=True, spelling=True),
        section=TEXT(analyzer=analyzer, stored=True, spelling=True),
        text=TEXT(analyzer=analyzer, stored=True, spelling=True),  # + unstemmed words, for suggestions
        doctext=TEXT(analyzer=analyzer),  # a document entry's title, headings and text; passages leave it empty
        region=KEYWORD(**facet),
        dispositif=KEYWORD(**facet),
        theme=KEYWORD(**facet),
    )
