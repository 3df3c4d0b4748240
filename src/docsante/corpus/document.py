"""What a reader produces: a document made of blocks of text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

HEADING = "heading"
PARAGRAPH = "paragraph"
LINE = "line"        # plain-text line: whether it is a heading is decided later
WRAPPED = "wrapped"  # a printed line of running text (PDF): never a heading, may continue on the next line


@dataclass
class Block:
    text: str
    kind: str = LINE
    level: int = 0          # a heading's outline level (1 = top); 0: unknown, the heading replaces the whole path
    page: int | None = None  # the page it is printed on (paged formats)


@dataclass
class Document:
    doc_id: str
    source: str
    blocks: list[Block]
    title: str = ""
    url: str = ""
    date: str = ""
    regions: list[str] = field(default_factory=list)  # region names given by metadata
    section: str = ""  # heading given by metadata (JSONL `section` or `path`)
    is_record: bool = False  # a JSONL record: its metadata is authoritative (no title is guessed)
    group: str = ""  # the document this one is part of (JSONL `document`); itself when empty

    @property
    def parent(self) -> str:
        return self.group or self.doc_id

    @property
    def content_hash(self) -> str:
        h = hashlib.blake2b(digest_size=16)
        for part in (self.title, self.url, self.date, self.section, self.group, *self.regions):
            h.update(part.encode("utf-8", "surrogatepass") + b"\x00")
        for b in self.blocks:
            h.update(f"{b.kind}\x01{b.level}\x01{b.page}\x01".encode() + b.text.encode("utf-8", "surrogatepass") + b"\x00")
        return h.hexdigest()
