"""What a reader produces: a document made of blocks of text."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

HEADING = "heading"
PARAGRAPH = "paragraph"
LINE = "line"        # plain-text line: whether it is a heading is decided later
WRAPPED = "wrapped"  # a printed line of running text (PDF): never a heading, may continue on the next line
SECTION_SEPARATOR = " › "  # between the headings of a passage's section path


def heading_of(section: str, title: str) -> str:
    """A passage's section path as shown beside its document's title: without the title where the
    path repeats it ("CLS de Metz › Article 1" under "CLS de Metz": "Article 1"; "" when it is all),
    a web page's title being its heading followed by its site's name ("CLS de Metz | Ville de Metz").

    >>> heading_of("CLS de Metz › Article 1", "CLS de Metz"), heading_of("CLS de Metz", "CLS de Metz")
    ('Article 1', '')
    >>> heading_of("CLS de Metz › Article 1", "CLS de Metz | Ville de Metz")
    'Article 1'
    """
    title = " ".join(title.split())
    return SECTION_SEPARATOR.join(p for p in section.split(SECTION_SEPARATOR) if not _is_title(" ".join(p.split()), title))


SITE_SEPARATORS = ("|", "-", "–", "—", "·", "::")  # between a web page's heading and its site's name in its <title>


def _is_title(heading: str, title: str) -> bool:
    return heading == title or (bool(heading) and title.startswith(heading + " ")
                                and title[len(heading):].split()[0] in SITE_SEPARATORS)


# lone surrogates (undecodable file names, "\ud800" in JSON, broken PDF font maps) and Unicode non-characters
NOT_TEXT = re.compile("[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                      + "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000))
                      + "]")
# what NOT_TEXT's characters leave in UTF-8, a lone surrogate aside (it cannot be encoded): U+FDD0–U+FDEF begin
# with EF B7, U+FFFE, U+FFFF and every plane's last two end with BF BE or BF BF (a few other characters too)
NOT_TEXT_UTF8 = (b"\xef\xb7", b"\xbf\xbe", b"\xbf\xbf")


def _may_hold_not_text(text: str) -> bool:
    r"""Whether NOT_TEXT may find something in `text`: a quick look at its UTF-8 (2 µs for a legal article of
    300 characters; NOT_TEXT's search takes 11, and max() over its characters 8).

    >>> [_may_hold_not_text(t) for t in ["Santé publique", "sant\udce9", "\ufdd0", "\U0010ffff"]]
    [False, True, True, True]
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return any(part in data for part in NOT_TEXT_UTF8)


def valid_text(text: str) -> str:
    r"""Text that can always be encoded: what cannot be is replaced by U+FFFD.

    >>> valid_text("sant\udce9 \ufffe")
    'sant\ufffd \ufffd'
    """
    return NOT_TEXT.sub("\ufffd", text)


def path_text(path: os.PathLike | str) -> str:
    """A path as text, with the bytes of a name that is not UTF-8 written as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def file_of(source: str) -> Path:
    """The file that `path_text` wrote as `source`: its \\xNN read back as the bytes they stand
    for, unless a file has the name as written."""
    if os.path.exists(source):
        return Path(source)
    return Path(os.fsdecode(re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m[1], 16)]), source.encode("utf-8"))))


@dataclass
class Block:
    text: str
    kind: str = LINE
    level: int = 0          # a heading's outline level (1 = top); 0: unknown, the heading replaces the whole path
    page: int | None = None  # the page it is printed on (paged formats)


@dataclass
class Document:
    """A document as a reader reads it, then as corpus/finish.py finishes it: its blocks ready
    to chunk, every heading marked, and its title, date, issuer and territory decided."""
    doc_id: str = ""
    source: str = ""
    blocks: list[Block] = field(default_factory=list)
    title: str = ""         # as the document shows it (Title paragraph, largest text of the first page, <title>)
    url: str = ""
    date: str = ""          # ISO "YYYY-MM-DD" or "YYYY" (corpus/dates.py), "" when unknown
    date_source: str = ""   # where the date was read, in French ("métadonnées HTML", "titre"…)
    regions: list[str] = field(default_factory=list)  # region names given by metadata
    section: str = ""  # heading given by metadata (JSONL `section` or `path`)
    is_record: bool = False  # a JSONL record: its metadata is authoritative (no title is guessed)
    group: str = ""  # the document this one is part of (JSONL `document`); itself when empty
    origin: str = ""  # the file it was read from (path_text), a JSONL record's file too, whatever its `source` says
    meta_title: str = ""  # the file's title property, which printers and templates often fill instead of authors
    issuer: str = ""  # the body that issues it ("ARS Grand Est"): its metadata's, else decided when finished
    site: str = ""  # the name of the web site a page was published on (its og:site_name)
    corrections: dict = field(default_factory=dict)  # its row of a metadonnees.csv, checked (corrections.py)
    unread_pages: list[int] = field(default_factory=list)  # scanned pages no text was read from
    format: str = ""  # what it was read as: its file's suffix ("pdf", "docx", "html"…), "jsonl" for a record
    withdrawn: str = ""  # a web page gone from its site (404, 410): the day it was found gone (ISO); read from its archive
    tags: dict[str, list[str]] = field(default_factory=dict)  # facet values of the whole document (its territory…),
    # decided when finished: every passage carries them (indexer/tag.py)

    def valid(self) -> "Document":
        """This document with every text field made encodable (see valid_text); itself when
        nothing needs it, which is almost always."""
        texts = (self.doc_id, self.source, self.title, self.url, self.date, self.date_source, self.section,
                 self.group, self.origin, self.meta_title, self.issuer, self.site, *self.regions, *(b.text for b in self.blocks))
        joined = "\n".join(texts)
        if not _may_hold_not_text(joined) or not NOT_TEXT.search(joined):
            return self
        return replace(self, doc_id=valid_text(self.doc_id), source=valid_text(self.source),
                       blocks=[replace(b, text=valid_text(b.text)) for b in self.blocks],
                       title=valid_text(self.title), url=valid_text(self.url), date=valid_text(self.date),
                       date_source=valid_text(self.date_source),
                       regions=[valid_text(r) for r in self.regions], section=valid_text(self.section),
                       group=valid_text(self.group), origin=valid_text(self.origin),
                       meta_title=valid_text(self.meta_title), issuer=valid_text(self.issuer),
                       site=valid_text(self.site))

    @property
    def parent(self) -> str:
        return self.group or self.doc_id

    @property
    def content_hash(self) -> str:
        # what is stored beside the text counts too: a record moved to another file, or given
        # another source, is written again; hashed as one text (the same bytes as a part at a time)
        parts = [*(f"{part}\x00" for part in (self.title, self.url, self.date, self.date_source, self.section,
                                                self.group, self.source, self.origin, self.issuer, self.site,
                                                self.format, self.withdrawn, *self.regions)),
                 json.dumps(self.corrections, sort_keys=True, ensure_ascii=False) if self.corrections else "{}",
                 *(f"{b.kind}\x01{b.level}\x01{b.page}\x01{b.text}\x00" for b in self.blocks)]
        return hashlib.blake2b("".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
