"""A document finished: what a documentalist would record of it, decided once, by one rule
per question, before it is chunked and tagged.

- Blocks: ready to chunk (blocks.py: boilerplate out, lines rejoined, headings marked).
- Title: a record's is its metadata's; a file's is the title it shows, else its title
  property unless a printer or a template wrote it, else its first heading of four words
  or more, else its file name as written.
- Date: the reader's (metadata), else a year in the title, else a year on the first page.
- Territory (its tags' regions and départements): its metadata's, else the places its title
  names, else those it names most (at most two of each, else none: a national review names
  many as often each).
- Type: see vocab/mentions.py's document_type.
- Issuer: the first acteur surely named in its title, then in its opening lines, with the
  region when that acteur has one body per region and the document one region.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from ..vocab.match import tokens
from ..vocab.mentions import DispositifMention, Place, document_type, text_mentions
from ..vocab.vocabulary import vocabulary
from .blocks import first_title, ready, title_from_name
from .dates import year_in
from .document import HEADING, Block, Document

MAX_DOCUMENT_REGIONS = 2  # a document naming more regions than this, as often each, is about none of them
OPENING_CHARS = 800  # what is read of a document's start for its issuer: about a passage
# titles that metadata gets from printers and templates, not from authors
JUNK_TITLE = re.compile(r"^(?:microsoft\s+(?:word|powerpoint|excel)\b|untitled\b|sans titre\b|document\s*\d*$"
                        r"|word document$|diapositive\s*\d*$|pr[ée]sentation\s*\d*$)"
                        r"|\.(?:docx?|odt|pdf|rtf|pptx?|xlsx?|txt)$|^[^\s]*_[^\s]*$", re.I)


def usable_title(title: str) -> str:
    """A metadata title, or "" when it is a file name or a printer's artefact.

    >>> [usable_title(t) for t in ["Microsoft Word - SRS_v12.docx", "untitled", "CLS_fiches_v3", "Rapport 2022"]]
    ['', '', '', 'Rapport 2022']
    """
    title = " ".join(title.split())
    return "" if not title or JUNK_TITLE.search(title) else title


def finish(doc: Document) -> Document:
    blocks = ready(doc.blocks)
    title = doc.title if doc.is_record else (doc.title or usable_title(doc.meta_title) or first_title(blocks)
                                             or title_from_name(doc.doc_id))
    date, date_source = _date(doc, title, blocks)
    regions, departements = _territory(doc, title, blocks)
    opening = "\n".join(b.text for b in blocks if b.text)[:OPENING_CHARS]
    kind = document_type(title, opening, doc.format)
    return replace(doc, blocks=blocks, title=title, date=date, date_source=date_source,
                   issuer=_issuer(title, blocks, regions),
                   tags={"region": regions, "departement": departements, "type": [kind] if kind else []})


def _date(doc: Document, title: str, blocks: list[Block]) -> tuple[str, str]:
    """The reader's date, else a year in the title, else on the first page ("PRS 2018-2028": 2018)."""
    if doc.date:
        return doc.date, doc.date_source
    if year := year_in(title):
        return year, "titre"
    first_page = " ".join(b.text for b in blocks if b.page == 1 and b.kind != HEADING)[:OPENING_CHARS]
    if year := year_in(first_page):
        return year, "page de titre"
    return "", ""


def _territory(doc: Document, title: str, blocks: list[Block]) -> tuple[list[str], list[str]]:
    """The regions and the départements the document is about (ids, INSEE codes)."""
    mentions = text_mentions()
    if doc.regions:
        vocab = vocabulary()
        return sorted({r for r in (vocab.try_resolve("region", m) for m in doc.regions) if r}), []
    if named := mentions.places(title):
        return _most_named(named)
    return _most_named([p for text in (doc.section, *(b.text for b in blocks)) for p in mentions.places(text)])


def _most_named(places: list[Place]) -> tuple[list[str], list[str]]:
    """The regions and départements named most often (at most MAX_DOCUMENT_REGIONS of each)."""
    out = []
    for values in ([p.region for p in places], [p.departement for p in places if p.departement]):
        counts = Counter(values)
        top = max(counts.values(), default=0)
        most = sorted(v for v, n in counts.items() if n == top)
        out.append(most if len(most) <= MAX_DOCUMENT_REGIONS else [])
    return out[0], out[1]


def _issuer(title: str, blocks: list[Block], regions: list[str]) -> str:
    mentions = text_mentions()
    opening = "\n".join(b.text for b in blocks if b.text)[:OPENING_CHARS]
    redefined = mentions.redefined([title, *(b.text for b in blocks)])
    named: list[DispositifMention] = [m for text in (title, opening) for m in mentions.dispositif_matches(tokens(text))
                                      if m.acronym not in redefined]
    acteur = next((m.id for m in named if m.sure and mentions.facet_of[m.id] == "acteur"), None)
    if acteur is None:
        return ""
    entry = mentions.vocab.entries["acteur"][acteur]
    around = set(regions) | set(mentions.region_mentions(opening))
    if entry.regional and len(around) == 1:
        return f"{entry.label} {mentions.vocab.label('region', next(iter(around)))}"
    return entry.name or entry.label
