"""Split a finished document into passages of a few sentences that keep their section heading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..corpus.document import HEADING, SECTION_SEPARATOR, Block, Document

MAX_CHARS = 800       # a passage is at most this long, unless one sentence is longer
HARD_MAX = 2000       # a "sentence" longer than this (no punctuation at all) is cut at a space
ABBREVIATIONS = ("M.", "Mme.", "Mlle.", "Dr.", "Pr.", "art.", "Art.", "cf.", "p.", "ex.", "n°.", "St.", "av.", "bd.", "etc.", "env.", "min.", "max.", "vol.", "éd.")
SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=[«\"“(]?\s*[A-ZÀ-ÖØ-Ý0-9])")


@dataclass
class Passage:
    id: str
    doc_id: str
    position: int
    title: str
    section: str
    text: str
    page: int | None = None  # the page its first sentence is printed on (paged formats)
    tags: dict[str, list[str]] = field(default_factory=dict)  # values by tagged facet (facets.py), set by tag.py


def split_sentences(text: str) -> list[str]:
    """The sentences of a text, an abbreviation's point ending none.

    >>> split_sentences("Le CLS est signé. Il dure 5 ans. M. Dupont le pilote.")
    ['Le CLS est signé.', 'Il dure 5 ans.', 'M. Dupont le pilote.']
    """
    parts, current = [], ""
    for piece in SENTENCE_SPLIT.split(text):
        current = f"{current} {piece}" if current else piece
        if not current.endswith(ABBREVIATIONS):
            parts.append(current)
            current = ""
    if current:
        parts.append(current)
    return parts


def _units(blocks: list[Block]) -> list[tuple[str, str, int | None]]:
    """(section, unit, page) triples: a unit is a sentence, or a list item, never cut. The
    section is the heading path: a heading of level N replaces the headings of level N
    and below; a heading of unknown level (0) replaces the whole path."""
    path: list[tuple[int, str]] = []
    section, units = "", []
    for b in blocks:
        if not b.text:
            continue
        if b.kind == HEADING:
            path = [(level, text) for level, text in path if 0 < level < b.level] + [(b.level, b.text)]
            section = SECTION_SEPARATOR.join(text for _, text in path)
            continue
        for sentence in split_sentences(b.text):
            units += [(section, piece, b.page) for piece in _cut_long(sentence)]
    return units


def _cut_long(sentence: str) -> list[str]:
    """A "sentence" longer than HARD_MAX (no punctuation at all) in pieces of at most
    MAX_CHARS, cut at a space where there is one; walked by offsets, never copied whole."""
    if len(sentence) <= HARD_MAX:
        return [sentence]
    pieces, start = [], 0
    while len(sentence) - start > HARD_MAX:
        space = sentence.rfind(" ", start + MAX_CHARS // 2, start + MAX_CHARS)
        cut = space if space > start else start + MAX_CHARS
        pieces.append(sentence[start:cut].strip())
        start = cut
    return pieces + [sentence[start:].strip()]


def chunk(doc: Document) -> list[Passage]:
    """Passages of whole sentences, at most MAX_CHARS long, never across a heading, from a
    finished document (corpus/finish.py). A JSONL record whose text fits in a passage stays
    one passage."""
    whole = "\n".join(b.text for b in doc.blocks if b.text)
    groups: list[tuple[str, list[str], int | None]] = []
    if doc.is_record and len(whole) <= MAX_CHARS:
        groups.append((doc.section, [whole], None))
    else:
        for section, unit, page in _units(doc.blocks):
            section = section or doc.section
            if groups and groups[-1][0] == section and sum(len(u) + 1 for u in groups[-1][1]) + len(unit) <= MAX_CHARS:
                groups[-1][1].append(unit)
            else:
                groups.append((section, [unit], page))
    return [Passage(id=f"{doc.doc_id}#p{n}", doc_id=doc.doc_id, position=n, title=doc.title,
                    section=section, text="\n".join(units), page=page)
            for n, (section, units, page) in enumerate(g for g in groups if g[1])]
