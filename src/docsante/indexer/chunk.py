"""Split a document into passages of a few sentences that keep their section heading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..corpus.document import HEADING, LINE, Block, Document
from .normalise import drop_boilerplate

MAX_CHARS = 800       # a passage is at most this long, unless one sentence is longer
HARD_MAX = 2000       # a "sentence" longer than this (no punctuation at all) is cut at a space
HEADING_MAX_CHARS = 110
HEADING_MAX_WORDS = 16

SENTENCE_END = re.compile(r"[.!?…:;»\"”)]$")
BULLET = re.compile(r"^\s*(?:[-–—•●▪◦*·]|\d{1,2}[.)]\s|[a-z][.)]\s)")
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


def _join_wrapped(blocks: list[Block]) -> list[Block]:
    """Re-join hard-wrapped lines (plain text, PDF): a line that does not end a
    sentence continues on the next line when that one starts in lowercase."""
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (prev is not None and b.kind == LINE and prev.kind == LINE and prev.text and b.text
                and not SENTENCE_END.search(prev.text) and b.text[0].islower() and not BULLET.match(b.text)):
            sep = "" if prev.text.endswith("-") and not prev.text.endswith(" -") else " "
            prev.text = prev.text + sep + b.text
        else:
            out.append(Block(b.text, b.kind))
    return out


def _is_heading(blocks: list[Block], i: int) -> bool:
    b = blocks[i]
    if b.kind == HEADING:
        return True
    if b.kind != LINE:
        return False
    text = b.text
    if (len(text) > HEADING_MAX_CHARS or len(text.split()) > HEADING_MAX_WORDS or SENTENCE_END.search(text)
            or text.endswith(",") or BULLET.match(text) or not (text[0].isupper() or text[0].isdigit())):
        return False
    following = next((x for x in blocks[i + 1:] if x.text), None)
    return following is not None  # a heading introduces something


def _units(blocks: list[Block]) -> list[tuple[str, str]]:
    """(section, unit) pairs: a unit is a sentence, or a list item, never cut."""
    section, units = "", []
    for i, b in enumerate(blocks):
        if not b.text:
            continue
        if _is_heading(blocks, i):
            section = b.text
            continue
        for sentence in split_sentences(b.text):
            while len(sentence) > HARD_MAX:
                cut = sentence.rfind(" ", MAX_CHARS // 2, MAX_CHARS) if " " in sentence[MAX_CHARS // 2:MAX_CHARS] else MAX_CHARS
                units.append((section, sentence[:cut].strip()))
                sentence = sentence[cut:].strip()
            units.append((section, sentence))
    return units


def chunk(doc: Document) -> list[Passage]:
    """Passages of whole sentences, at most MAX_CHARS long, never across a heading.
    A JSONL record whose text fits in a passage stays one passage; a record's title
    is its metadata only, a file's is guessed from its headings or its name."""
    blocks = _join_wrapped(drop_boilerplate(doc.blocks))
    title = doc.title if doc.is_record else doc.title or _first_title(blocks) or _title_from_id(doc.doc_id)
    whole = "\n".join(b.text for b in blocks if b.text)
    groups: list[tuple[str, list[str]]] = []
    if doc.is_record and len(whole) <= MAX_CHARS:
        groups.append((doc.section, [whole]))
    else:
        for section, unit in _units(blocks):
            section = section or doc.section
            if groups and groups[-1][0] == section and sum(len(u) + 1 for u in groups[-1][1]) + len(unit) <= MAX_CHARS:
                groups[-1][1].append(unit)
            else:
                groups.append((section, [unit]))
    return [Passage(id=f"{doc.doc_id}#p{n}", doc_id=doc.doc_id, position=n, title=title,
                    section=section, text="\n".join(units))
            for n, (section, units) in enumerate(g for g in groups if g[1])]


def _first_title(blocks: list[Block]) -> str:
    """The first heading of four words or more (shorter ones are menu labels), else the first heading."""
    headings = [b.text for i, b in enumerate(blocks) if b.text and _is_heading(blocks, i)]
    return next((h for h in headings if len(h.split()) >= 4), headings[0] if headings else "")


def _title_from_id(doc_id: str) -> str:
    return PurePosixPath(doc_id).stem.replace("-", " ").replace("_", " ").strip().capitalize()
