"""Split a document into passages of a few sentences that keep their section heading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import PurePosixPath

from ..analysis import fold, stopwords
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
    regions: list[str] = field(default_factory=list)
    dispositifs: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)


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
    of its own joins the heading that follows."""
    out: list[Block] = []
    words: set[str] | None = None
    for b in blocks:
        prev = out[-1] if out else None
        joinable = b.kind in (LINE, WRAPPED) and prev is not None and prev.kind in (LINE, WRAPPED)
        if (joinable and prev.text and b.text and not SENTENCE_END.search(prev.text) and b.text[0].islower()
                and not BULLET.match(b.text)):
            hyphen, start = HYPHENATED_END.search(prev.text), WORD_START.match(b.text)
            if hyphen and start and not prev.text.endswith(" -"):
                words = _document_words(blocks) if words is None else words
                glue = "" if joins_hyphenated(hyphen.group(1), start.group(1), words) else "-"
                prev.text = prev.text[:-1] + glue + b.text
            else:
                prev.text = f"{prev.text} {b.text}"
        elif prev is not None and prev.kind in (LINE, HEADING) and HEADING_NUMBER.match(prev.text) and b.text \
                and b.kind in (LINE, HEADING):
            shaped = b.kind == HEADING or (len(b.text) <= HEADING_MAX_CHARS and not SENTENCE_END.search(b.text))
            prev.text, prev.kind, prev.level = f"{prev.text} {b.text}", HEADING if shaped else LINE, b.level
        else:
            out.append(Block(b.text, b.kind, b.level, b.page))
    return out


def _is_heading(blocks: list[Block], i: int) -> bool:
    b = blocks[i]
    if b.kind == HEADING:
        return True
    if b.kind != LINE:  # paragraphs, and printed lines that the reader knows are running text
        return False
    text = b.text
    if (len(text) > HEADING_MAX_CHARS or len(text.split()) > HEADING_MAX_WORDS or SENTENCE_END.search(text)
            or text.endswith(",") or BULLET.match(text) or not (text[0].isupper() or text[0].isdigit())):
        return False
    following = next((x for x in islice(blocks, i + 1, None) if x.text), None)
    return following is not None  # a heading introduces something


def _units(blocks: list[Block]) -> list[tuple[str, str, int | None]]:
    """(section, unit, page) triples: a unit is a sentence, or a list item, never cut. The
    section is the heading path: a heading of level N replaces the headings of level N
    and below; a heading of unknown level (0) replaces the whole path."""
    path: list[tuple[int, str]] = []
    units = []
    for i, b in enumerate(blocks):
        if not b.text:
            continue
        if _is_heading(blocks, i):
            path = [(level, text) for level, text in path if 0 < level < b.level] + [(b.level, b.text)]
            continue
        section = SECTION_SEPARATOR.join(text for _, text in path)
        for sentence in split_sentences(b.text):
            while len(sentence) > HARD_MAX:
                cut = sentence.rfind(" ", MAX_CHARS // 2, MAX_CHARS) if " " in sentence[MAX_CHARS // 2:MAX_CHARS] else MAX_CHARS
                units.append((section, sentence[:cut].strip(), b.page))
                sentence = sentence[cut:].strip()
            units.append((section, sentence, b.page))
    return units


def chunk(doc: Document) -> list[Passage]:
    """Passages of whole sentences, at most MAX_CHARS long, never across a heading.
    A JSONL record whose text fits in a passage stays one passage; a record's title
    is its metadata only, a file's is guessed from its headings or its name."""
    blocks = _join_wrapped(drop_boilerplate(doc.blocks))
    title = doc.title if doc.is_record else doc.title or _first_title(blocks) or _title_from_id(doc.doc_id)
    whole = "\n".join(b.text for b in blocks if b.text)
    groups: list[tuple[str, list[str], int | None]] = []
    if doc.is_record and len(whole) <= MAX_CHARS:
        groups.append((doc.section, [whole], None))
    else:
        for section, unit, page in _units(blocks):
            section = section or doc.section
            if groups and groups[-1][0] == section and sum(len(u) + 1 for u in groups[-1][1]) + len(unit) <= MAX_CHARS:
                groups[-1][1].append(unit)
            else:
                groups.append((section, [unit], page))
    return [Passage(id=f"{doc.doc_id}#p{n}", doc_id=doc.doc_id, position=n, title=title,
                    section=section, text="\n".join(units), page=page)
            for n, (section, units, page) in enumerate(g for g in groups if g[1])]


def _first_title(blocks: list[Block]) -> str:
    """The first heading of four words or more (shorter ones are menu labels), else the first heading."""
    headings = [b.text for i, b in enumerate(blocks) if b.text and _is_heading(blocks, i)]
    return next((h for h in headings if len(h.split()) >= 4), headings[0] if headings else "")


def _title_from_id(doc_id: str) -> str:
    return PurePosixPath(doc_id).stem.replace("-", " ").replace("_", " ").strip().capitalize()
