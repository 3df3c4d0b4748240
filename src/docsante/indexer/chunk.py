"""Split a document into passages of a few sentences that keep their section heading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath

from ..vocab.vocabulary import fold, stopwords
from ..corpus.document import HEADING, LINE, WRAPPED, Block, Document
from .normalise import HEADING_NUMBER, drop_boilerplate

MAX_CHARS = 800       # a passage is at most this long, unless one sentence is longer
HARD_MAX = 2000       # a "sentence" longer than this (no punctuation at all) is cut at a space
HEADING_MAX_CHARS = 110
HEADING_MAX_WORDS = 16

SENTENCE_END = re.compile(r"[.!?…:;»\"”)]$")
BULLET = re.compile(r"^\s*(?:[-–—•●▪◦*·]|\d{1,2}[.)]\s|[a-z][.)]\s)")
ABBREVIATIONS = ("M.", "Mme.", "Mlle.", "Dr.", "Pr.", "art.", "Art.", "cf.", "p.", "ex.", "n°.", "St.", "av.", "bd.", "etc.", "env.", "min.", "max.", "vol.", "éd.")
SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=[«\"“(]?\s*[A-ZÀ-ÖØ-Ý0-9])")
HYPHENATED_END = re.compile(r"(\w+)-$")
MAX_WORD = 100  # characters looked at before a line-end hyphen
WORD_START = re.compile(r"^(\w+)")
SECTION_SEPARATOR = " › "
# first elements of compounds that keep their hyphen ("médico-psychologique", "socio-éducatif")
COMPOUND_FIRSTS = frozenset("medico socio bucco franco anglo greco judeo politico technico juridico "
                            "physico hospitalo".split())


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
    """>>> split_sentences("Le CLS est signé. Il dure 5 ans. M. Dupont le pilote.")
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


@lru_cache(maxsize=1)
def _french_words():
    """pyspellchecker's French word list (140,000 forms, compounds with their hyphen)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="fr", distance=1).word_frequency


def joins_hyphenated(left: str, right: str, document_words: set[str]) -> bool:
    """Whether a word hyphenated at a line end ("promo-" + "tion") is one word without its
    hyphen, rather than a compound ("bien-" + "être", "Hauts-" + "de-France"). The
    document's own words decide first, then the French word list; a function word
    after the hyphen, a compound's first element ("médico") or two known words
    make a compound; else the break is a syllable's. bench/extraction.py measures
    this rule.

    >>> [joins_hyphenated(l, r, set()) for l, r in [("promo", "tion"), ("bien", "être"), ("Hauts", "de")]]
    [True, False, False]
    """
    lower_left, lower_right = left.lower(), right.lower()
    compound, joined = f"{lower_left}-{lower_right}", lower_left + lower_right
    known = _french_words()
    if compound in document_words:
        return False
    if joined in document_words:
        return True
    if compound in known:
        return False
    if joined in known:
        return True
    if fold(lower_right) in stopwords() or fold(lower_left) in COMPOUND_FIRSTS:
        return False
    return not (lower_left in known and lower_right in known)


def _document_words(blocks: list[Block]) -> set[str]:
    return {w.lower() for b in blocks for w in re.findall(r"\w+(?:-\w+)*", b.text)}


def _join_wrapped(blocks: list[Block]) -> list[Block]:
    """Re-join hard-wrapped lines (plain text, PDF): a line that does not end a sentence
    continues on the next line when that one starts in lowercase; a word hyphenated at
    the line end loses its hyphen unless it is a compound. A heading's number on a line
    of its own joins the heading that follows. Linear: a joined block keeps its lines
    as pieces, and only its last line is looked at."""
    out: list[tuple[Block, list[str]]] = []
    words: set[str] | None = None
    for b in blocks:
        prev, pieces = out[-1] if out else (None, [])
        last = pieces[-1] if pieces else ""
        joinable = b.kind in (LINE, WRAPPED) and prev is not None and prev.kind in (LINE, WRAPPED)
        if (joinable and last and b.text and not SENTENCE_END.search(last) and b.text[0].islower()
                and not BULLET.match(b.text)):
            hyphen, start = HYPHENATED_END.search(last[-MAX_WORD:]), WORD_START.match(b.text)
            if hyphen and start and not last.endswith(" -"):
                words = _document_words(blocks) if words is None else words
                glue = "" if joins_hyphenated(hyphen.group(1), start.group(1), words) else "-"
                pieces[-1] = last[:-1]
                pieces.append(glue + b.text)
            else:
                pieces.append(" " + b.text)
        elif prev is not None and len(pieces) == 1 and prev.kind in (LINE, HEADING) and HEADING_NUMBER.match(last) \
                and b.text and b.kind in (LINE, HEADING):
            shaped = b.kind == HEADING or (len(b.text) <= HEADING_MAX_CHARS and not SENTENCE_END.search(b.text))
            prev.kind, prev.level = HEADING if shaped else LINE, b.level
            pieces.append(" " + b.text)
        else:
            out.append((Block(b.text, b.kind, b.level, b.page), [b.text]))
    for block, pieces in out:
        if len(pieces) > 1:
            block.text = "".join(pieces)
    return [block for block, _ in out]


def _heading_flags(blocks: list[Block]) -> list[bool]:
    """Which blocks are headings: marked so by their reader, or plain lines shaped like one
    (short, capitalised, no final punctuation, not a list item) that introduce something."""
    last = max((i for i, b in enumerate(blocks) if b.text), default=-1)
    return [_is_heading(b) and (b.kind == HEADING or i < last) for i, b in enumerate(blocks)]


def _is_heading(b: Block) -> bool:
    if b.kind == HEADING:
        return True
    if b.kind != LINE or not b.text:  # paragraphs, and printed lines that the reader knows are running text
        return False
    text = b.text
    return not (len(text) > HEADING_MAX_CHARS or len(text.split()) > HEADING_MAX_WORDS or SENTENCE_END.search(text)
                or text.endswith(",") or BULLET.match(text) or not (text[0].isupper() or text[0].isdigit()))


def _units(blocks: list[Block], headings: list[bool]) -> list[tuple[str, str, int | None]]:
    """(section, unit, page) triples: a unit is a sentence, or a list item, never cut. The
    section is the heading path: a heading of level N replaces the headings of level N
    and below; a heading of unknown level (0) replaces the whole path."""
    path: list[tuple[int, str]] = []
    section, units = "", []
    for i, b in enumerate(blocks):
        if not b.text:
            continue
        if headings[i]:
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
    """Passages of whole sentences, at most MAX_CHARS long, never across a heading.
    A JSONL record whose text fits in a passage stays one passage; a record's title
    is its metadata only, a file's is guessed from its headings or its name."""
    blocks = _join_wrapped(drop_boilerplate(doc.blocks))
    headings = _heading_flags(blocks)
    title = doc.title if doc.is_record else doc.title or _first_title(blocks, headings) or _title_from_id(doc.doc_id)
    whole = "\n".join(b.text for b in blocks if b.text)
    groups: list[tuple[str, list[str], int | None]] = []
    if doc.is_record and len(whole) <= MAX_CHARS:
        groups.append((doc.section, [whole], None))
    else:
        for section, unit, page in _units(blocks, headings):
            section = section or doc.section
            if groups and groups[-1][0] == section and sum(len(u) + 1 for u in groups[-1][1]) + len(unit) <= MAX_CHARS:
                groups[-1][1].append(unit)
            else:
                groups.append((section, [unit], page))
    return [Passage(id=f"{doc.doc_id}#p{n}", doc_id=doc.doc_id, position=n, title=title,
                    section=section, text="\n".join(units), page=page)
            for n, (section, units, page) in enumerate(g for g in groups if g[1])]


def _first_title(blocks: list[Block], headings: list[bool]) -> str:
    """The first heading of four words or more (shorter ones are menu labels), else the first heading."""
    texts = [b.text for b, heading in zip(blocks, headings) if heading and b.text]
    return next((h for h in texts if len(h.split()) >= 4), texts[0] if texts else "")


def _title_from_id(doc_id: str) -> str:
    """The file name as a title, its words as written ("CLS-Metz.pdf": "CLS Metz")."""
    name = " ".join(PurePosixPath(doc_id).stem.replace("-", " ").replace("_", " ").split())
    return name[:1].upper() + name[1:]
