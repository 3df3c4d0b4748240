"""A document finished: what a documentalist would record of it, decided once, by one rule
per question, before it is chunked and tagged.

- Blocks: ready to chunk (blocks.py: boilerplate out, lines rejoined, headings marked).
- Title: a record's is its metadata's; a file's is the title it shows, else its title
  property unless a printer or a template wrote it, else its first heading of four words
  or more, else its file name as written.
- Date: its author's metadata, else a date it states at its start, else a year in its title, else
  its file's creation date, else a year on its first page (see _date).
- Territory (its tags' regions and départements): its metadata's, else the places its title
  names, else those it names most (at most two of each, else none: a national review names
  many as often each); an ARS site's page is its region's.
- Type: see vocab/mentions.py's document_type.
- Corrections: a row of its folder's metadonnees.csv overrides all of the above (corrections.py).
- Issuer: see issuer.py.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from ..vocab.match import REMEMBERED_CHARS, tokens
from ..vocab.mentions import Place, document_type, text_mentions
from ..vocab.vocabulary import small_letters, vocabulary
from .blocks import OPENING_CHARS, first_title, opening, ready, title_from_name
from .dates import iso_date, year_in
from .document import HEADING, Block, Document
from .corrections import FACET_COLUMNS, TABLE_NAME
from .issuer import ars_site_region, issuer

MAX_DOCUMENT_REGIONS = 2  # a document naming more regions than this, as often each, is about none of them
# dates an author gives as metadata (the readers' date_source); a file's creation date is not one of them
AUTHORED_DATES = frozenset({"JSONL", "en-tête Markdown", "métadonnées HTML"})
# words after which a document states its date ("Publié le", "Version du", "Réunion du", "Fait à Metz, le"), read
# in small letters (twice as quick as with re.I)
DATE_CUE = re.compile(r"(?<!\w)(?:(?:publi[ée]e?s?|mis[e]? à jour|actualis[ée]e?|version|date(?: de publication)?"
                      r"|r[ée]union|s[ée]ance|comit[ée]|copil)\s*(?:le|du|:|en date du)?|fait à [^,\n\d]{1,40}?,?\s*le)\s*")
DATE_LINE_MAX_CHARS = 30  # a line this long at most may be a date and nothing else
DATE_ALONE = re.compile(rf"(?:le\s+)?[\w\s/.-]{{6,{DATE_LINE_MAX_CHARS}}}", re.I)
DATE_AFTER_CUE_CHARS = 64  # read after a cue for its date: the longest ("Wed, 14 Jun 2023 10:00:00 GMT") and more
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
    first = first_title(blocks)
    title = doc.title if doc.is_record else (doc.title or usable_title(doc.meta_title) or first
                                             or title_from_name(doc.doc_id))
    date, date_source = _date(doc, title if title in (doc.title, first) else "", blocks)  # a title it shows
    read = _Read(doc.section, title, blocks)
    regions, departements = _territory(doc, read)
    kind = document_type(title, read.opening, doc.format, read.opening_toks)
    finished = replace(doc, blocks=blocks, title=title, date=date, date_source=date_source,
                       issuer=issuer(doc, blocks, title, kind, regions),
                       tags={"region": regions, "departement": departements, "type": [kind] if kind else []})
    return _corrected(finished) if doc.corrections else finished


def _corrected(doc: Document) -> Document:
    """A document with its metadata table's row applied: each cell given overrides what was read; a
    row naming départements and no region gives their regions."""
    row, tags = doc.corrections, dict(doc.tags)
    for facet in FACET_COLUMNS:
        if facet in row:
            tags[facet] = list(row[facet])
    if "departement" in row and "region" not in row:
        tags["region"] = sorted({vocabulary().region_of_departement[code] for code in row["departement"]})
    return replace(doc, title=row.get("titre", doc.title), url=row.get("url", doc.url),
                   issuer=row.get("emetteur", doc.issuer), tags=tags,
                   **({"date": row["date"], "date_source": TABLE_NAME} if "date" in row else {}))


class _Read:
    """A document's title and text as finishing reads them. A short document's text is tokenized
    once, as the tagger reads a record's one passage (its section, then its text), so that the tagger
    finds its tokens remembered; a long one's is read block by block (a block's places are
    remembered: a running header is read once), its opening apart."""

    def __init__(self, section: str, title: str, blocks: list[Block]):
        self.title = title
        self.section, self.texts = section, [b.text for b in blocks if b.text]
        self.whole = f"{section}\n" + "\n".join(self.texts)
        start = len(section) + 1
        self.opening = self.whole[start:start + OPENING_CHARS]
        self.short = len(self.whole) <= REMEMBERED_CHARS
        if self.short:
            self.opening_toks = [t for t in tokens(self.whole) if start <= t.start and t.end <= start + OPENING_CHARS]
        else:
            self.opening_toks = tokens(self.opening)

    def places(self) -> list[Place]:
        """Every place the text names, one per mention."""
        mentions = text_mentions()
        if self.short:
            return list(mentions.places(self.whole))
        return [p for text in (self.section, *self.texts) for p in mentions.places(text)]


def _date(doc: Document, title: str, blocks: list[Block]) -> tuple[str, str]:
    """The date a documentalist records: one its author gave as metadata (a record's, a Markdown
    header's, a page's <meta>), else one the document states at its start ("Publié le 5 octobre
    2023", "Réunion du 4 mars 2024", a date alone on a line; read before boilerplate is dropped,
    since a page's « Publié le » line is), else a year in the title it shows, else its file's
    creation date, else a year on its first page ("PRS 2018-2028": 2018)."""
    if doc.date and doc.date_source in AUTHORED_DATES:
        return doc.date, doc.date_source
    if stated := stated_date(doc.blocks):
        return stated, "date écrite dans le document"
    if year := year_in(title):
        return year, "titre"
    if doc.date:
        return doc.date, doc.date_source
    first_page = " ".join(b.text for b in blocks if b.page == 1 and b.kind != HEADING)[:OPENING_CHARS]
    if year := year_in(first_page):
        return year, "page de titre"
    return "", ""


def stated_date(blocks: list[Block]) -> str | None:
    """A full date the document states among its first OPENING_CHARS characters: after words that
    introduce one ("publié le", "mis à jour le", "version du", "réunion du", "fait à Metz, le"), or
    alone on a line.

    >>> stated_date([Block("Publié le 5 octobre 2023"), Block("Les 13 maisons de santé.")])
    '2023-10-05'
    >>> [stated_date([Block(t)]) for t in ["12/03/2024", "Juin 2023", "Le CLS signé en 2019."]]
    ['2024-03-12', None, None]
    """
    texts = opening(blocks)
    for line in texts:
        if len(line) <= DATE_LINE_MAX_CHARS and DATE_ALONE.fullmatch(line):
            whole = iso_date(line)
            if whole and len(whole) == 10:
                return whole
    text = "\n".join(texts)
    for m in DATE_CUE.finditer(small_letters(text)):
        found = iso_date(text[m.end():m.end() + DATE_AFTER_CUE_CHARS])
        if found and len(found) == 10:
            return found
    return None


def _territory(doc: Document, read: _Read) -> tuple[list[str], list[str]]:
    """The regions and the départements the document is about (ids, INSEE codes)."""
    mentions = text_mentions()
    if doc.regions:
        vocab = vocabulary()
        return sorted({r for r in (vocab.try_resolve("region", m) for m in doc.regions) if r}), []
    if named := mentions.places(read.title):
        regions, departements = _most_named(named)
    else:
        regions, departements = _most_named(read.places(), passing=True)
    if site := ars_site_region(doc.url):  # an ARS site's page is its region's, whatever else it names
        return [site], [d for d in departements if vocabulary().region_of_departement[d] == site]
    return regions, departements



def _most_named(places: list[Place], passing: bool = False) -> tuple[list[str], list[str]]:
    """The regions and départements named most often (at most MAX_DOCUMENT_REGIONS of each). With
    `passing`, départements named once each are passing mentions ("à Nantes et à Angers" in a
    regional page), unless one alone is named."""
    out = []
    for values in ([p.region for p in places], [p.departement for p in places if p.departement]):
        counts = Counter(values)
        top = max(counts.values(), default=0)
        most = sorted(v for v, n in counts.items() if n == top)
        out.append(most if len(most) <= MAX_DOCUMENT_REGIONS else [])
    if passing and len(out[1]) > 1 and max(Counter(p.departement for p in places).values()) == 1:
        out[1] = []
    return out[0], out[1]
