"""Field and facet names shared by the indexer and the search side."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, FieldType, Schema
from whoosh.formats import Frequency
from whoosh.system import pack_uint

from .analysis import french_analyzer

SCHEMA_VERSION = 6  # bump when the analyzer or the fields change: old indexes must be rebuilt
FACET_FIELDS = {"region": "region", "dispositif": "dispositif", "theme": "theme"}
TEXT_FIELDS = ("text", "section", "title")
DOCUMENT_FIELDS = ("doctext",)
PASSAGE, DOCUMENT, WORDS = "passage", "document", "words"  # values of `kind`
QUERY_FIELDS = {"titre": "title", "title": "title", "section": "section", "texte": "text", "text": "text"}


class WordCounts(FieldType):
    """Unstemmed words, each with the number of passages that hold it, for « Vouliez-vous
    dire ». The indexer adds one WORDS entry per batch, given a {word: passages} mapping:
    one posting per word and batch, where Whoosh's spelling fields post every word of
    every passage (half of all postings). Its import path is pickled into every index."""

    def __init__(self):
        self.format = Frequency()

    def index(self, value, **kwargs):
        return ((word.encode("utf-8"), n, float(n), pack_uint(n)) for word, n in value.items())


class Indexed(list):
    """A text field's postings, made by `field.index(text)` in an indexing worker process."""


class FrenchText(TEXT):
    """Whoosh's TEXT field; a value already `Indexed` by a worker passes through as it is.
    Its import path is pickled into every index."""

    def index(self, value, **kwargs):
        return value if isinstance(value, Indexed) else super().index(value, **kwargs)


def build_schema() -> Schema:
    analyzer = french_analyzer()
    facet = dict(stored=True, commas=True, scorable=False, lowercase=False)
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),  # PASSAGE; DOCUMENT: a multi-passage document's whole text; WORDS: a batch's words
        doc_id=ID(stored=True),
        group=ID(stored=True, sortable=True),  # the document a passage belongs to (for document context)
        position=STORED,
        page=STORED,  # the passage's first page in a paged document (added to version-6 indexes when written)
        doc_hash=STORED,
        source=STORED,
        url=STORED,
        date=STORED,
        title=FrenchText(analyzer=analyzer, stored=True),
        section=FrenchText(analyzer=analyzer, stored=True),
        text=FrenchText(analyzer=analyzer, stored=True),
        doctext=FrenchText(analyzer=analyzer),  # a document entry's title, headings and text; passages leave it empty
        words=WordCounts(),  # WORDS entries only
        region=KEYWORD(**facet),
        dispositif=KEYWORD(**facet),
        theme=KEYWORD(**facet),
    )
