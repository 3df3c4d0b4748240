"""A document's blocks made ready to read: boilerplate dropped, hard-wrapped lines rejoined,
words hyphenated at a line end mended, and headings decided by one rule.

The heading rule: a heading is short (at most HEADING_MAX_CHARS characters and
HEADING_MAX_WORDS words). Each format adds its own evidence: a style or a tag (Office,
HTML, Markdown), a larger or bold font (PDF), bold alone on its paragraph (Office without
heading styles), or, in plain text, a line's shape (capitalised, no final punctuation, not a
list item) when something follows it.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from ..vocab.vocabulary import fold, french_words, stopwords
from .document import HEADING, LINE, WRAPPED, Block
from .normalise import HEADING_NUMBER, drop_boilerplate

HEADING_MAX_CHARS = 110
HEADING_MAX_WORDS = 16
SENTENCE_END = re.compile(r"[.!?…:;»\"”)]$")
BULLET = re.compile(r"^\s*(?:[-–—•●▪◦*·]|\d{1,2}[.)]\s|[a-z][.)]\s)")
HYPHENATED_END = re.compile(r"(\w+)-$")
MAX_WORD = 100  # characters looked at before a line-end hyphen
WORD_START = re.compile(r"^(\w+)")
# first elements of compounds that keep their hyphen ("médico-psychologique", "socio-éducatif")
COMPOUND_FIRSTS = frozenset("medico socio bucco franco anglo greco judeo politico technico juridico "
                            "physico hospitalo".split())
OPENING_CHARS = 800  # what is read of a document's start for its issuer, type and date: about a passage
TITLE_MIN_WORDS = 4  # a shorter first heading is a menu label, not a title, when a longer one follows


def short_enough(text: str) -> bool:
    """The heading rule's bound, shared by every format: a heading is short."""
    return len(text) <= HEADING_MAX_CHARS and len(text.split()) <= HEADING_MAX_WORDS


def shaped_like_heading(text: str) -> bool:
    """A plain line that reads as a heading: short, capitalised, no final punctuation, not a list item."""
    return bool(text) and short_enough(text) and not (SENTENCE_END.search(text) or text.endswith(",")
                                                      or BULLET.match(text)) and (text[0].isupper() or text[0].isdigit())


def ready(blocks: list[Block]) -> list[Block]:
    """The blocks as the chunker reads them: boilerplate dropped, lines rejoined, and every
    heading marked HEADING (plain lines shaped like one that introduce something)."""
    blocks = _join_wrapped(drop_boilerplate(blocks))
    last = max((i for i, b in enumerate(blocks) if b.text), default=-1)
    for i, b in enumerate(blocks):
        if b.kind == LINE and i < last and shaped_like_heading(b.text):
            b.kind = HEADING
    return blocks


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
    known = french_words()
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


def first_title(blocks: list[Block]) -> str:
    """The first heading of TITLE_MIN_WORDS words or more (shorter ones are menu labels), else the first heading."""
    texts = [b.text for b in blocks if b.kind == HEADING and b.text]
    return next((h for h in texts if len(h.split()) >= TITLE_MIN_WORDS), texts[0] if texts else "")


def title_from_name(doc_id: str) -> str:
    """The file name as a title, its words as written ("CLS-Metz.pdf": "CLS Metz")."""
    name = " ".join(PurePosixPath(doc_id).stem.replace("-", " ").replace("_", " ").split())
    return name[:1].upper() + name[1:]


def opening(blocks: list[Block], chars: int = OPENING_CHARS) -> list[str]:
    """The texts of a document's first blocks, spaces folded, up to the one that reaches `chars`
    characters (its end: opening(blocks[::-1], n)[::-1])."""
    out, seen = [], 0
    for b in blocks:
        if seen > chars:
            break
        if text := " ".join(b.text.split()):
            out.append(text)
            seen += len(text)
    return out
