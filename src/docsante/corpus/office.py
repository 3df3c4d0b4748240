"""Word (DOCX, python-docx), OpenDocument (ODT and ODP, their XML read with lxml) and PowerPoint
(PPTX, python-pptx) documents.

Word and ODT give blocks in document order: headings with their outline level (so the
chunker can keep the full heading path), paragraphs and list items, and each
table row in place as one line of cells ("a | b"). A document typed without
heading styles has its short bold paragraphs read as headings. A "Title"
paragraph is the document's title, not a heading. A slide deck gives each slide's
title as a heading and its blocks on the slide's number as their page.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import SourceError
from .blocks import short_enough
from .dates import creation_date
from .document import HEADING, PARAGRAPH, Block, Document

HEADING_STYLE = re.compile(r"^(?:heading|titre|überschrift|titolo)\s*(\d)$", re.I)
TITLE_STYLES = {"title", "titre", "titre principal"}
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024  # a DOCX or ODT is a zip: what it may hold once inflated
MAX_MEMBERS = 10_000


def _document(blocks: list[Block], title: str, meta_title: str, meta_date: str) -> Document:
    """An Office file's document: its Title paragraph (or first slide's title), its properties' title and date."""
    created = creation_date(meta_date) or ""
    return Document(blocks=blocks, title=title, meta_title=meta_title, date=created,
                    date_source="propriétés du document" if created else "")


def _row_line(cells: list[str]) -> str:
    return " | ".join(" ".join(c.split()) for c in cells if c and c.strip())


def _check_archive(path: Path, kind: str) -> None:
    """Refuse a zip that would inflate past MAX_UNZIPPED_BYTES (a zip bomb) before anything reads it.
    The sizes it declares bound what zipfile will inflate: more fails its check."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as e:
        raise SourceError(f"{kind} invalide ou endommagé (pas une archive zip)") from e
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise SourceError(f"{kind} trop volumineux une fois décompressé ({MAX_UNZIPPED_BYTES // 2**20} Mo au plus)")


def read_docx(path: Path) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from lxml import etree

    _check_archive(path, "DOCX")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise SourceError("DOCX invalide ou endommagé (pas un document Word)") from e
    except etree.XMLSyntaxError as e:  # entities are never expanded; nesting deeper than 256 is refused
        raise SourceError("DOCX endommagé (XML invalide, trop imbriqué ou à entités)") from e
    try:
        return _docx_text(document)
    except etree.XMLSyntaxError as e:  # a part read apart: its footnotes or endnotes
        raise SourceError("DOCX endommagé (XML invalide, trop imbriqué ou à entités)") from e
    except (AttributeError, TypeError, ValueError) as e:
        raise SourceError(f"DOCX invalide (structure inattendue : {type(e).__name__})") from e


def _docx_text(document) -> Document:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks, title, bold_only = [], "", []
    notes = _docx_notes(document)
    for element in _opened(document.element.body):
        if element.tag == f"{W}tbl":
            blocks += [Block(line, PARAGRAPH) for line in _docx_rows(Table(element, document._body))]
            blocks += [Block(text, PARAGRAPH) for text in _docx_notes_of(element, notes)]
            continue
        if element.tag != f"{W}p":
            continue  # the section's page settings
        item = Paragraph(element, document._body)
        style = ((item.style.name if item.style is not None else "") or "").strip()
        if TOC_STYLE.match(style):
            continue  # a table of contents typed without a content control: its lines repeat the headings
        text = _docx_paragraph_text(element)
        if style.lower() in TITLE_STYLES and not title:
            title = " ".join(text.split())
        elif m := HEADING_STYLE.match(style):
            blocks.append(Block(text, HEADING, level=int(m.group(1))))
        else:
            blocks.append(Block(text, PARAGRAPH))
            runs = [r for r in item.runs if r.text.strip()]
            if runs and all(r.bold for r in runs) and short_enough(text) \
                    and not text.rstrip().endswith((".", ";", ",")):
                bold_only.append(blocks[-1])
        blocks += [Block(line, PARAGRAPH) for line in _docx_text_boxes(element)]
        blocks += [Block(text, PARAGRAPH) for text in _docx_notes_of(element, notes)]
    if not any(b.kind == HEADING for b in blocks):
        for b in bold_only:
            b.kind = HEADING
    meta_title, meta_date = _core_properties(document.part.package)
    return _document(blocks, title, meta_title, meta_date)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"  # Word's second copy of a drawing
# what a paragraph's text leaves out: tracked deletions and text moved elsewhere (the accepted text),
# and text boxes, whose paragraphs are read as their own, and their fallback copy
NOT_PARAGRAPH_TEXT = {f"{W}del", f"{W}moveFrom", f"{W}txbxContent", MC_FALLBACK}
CHARACTERS = {f"{W}tab": "\t", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


def _docx_paragraph_text(paragraph) -> str:
    """A paragraph's text as the document reads with its tracked changes accepted: inserted text
    in (python-docx's `text` leaves out runs inside <w:ins>), deleted and moved-away text out."""
    parts, stack = [], list(reversed(paragraph))
    while stack:
        node = stack.pop()
        if node.tag in NOT_PARAGRAPH_TEXT:
            continue
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag in CHARACTERS:
            parts.append(CHARACTERS[node.tag])
        else:
            stack.extend(reversed(node))
    return "".join(parts)


TOC_STYLE = re.compile(r"^toc \d+$", re.I)  # Word's table of contents lines ("toc 1", "TOC 2")


def _opened(element):
    """An element's children, with the content of its content controls (<w:sdt>: a template's
    fields, a form's answers, a repeating section's rows) in their place; a table of contents'
    control is left out."""
    for child in element:
        if child.tag != f"{W}sdt":
            yield child
        elif (content := child.find(f"{W}sdtContent")) is not None and not _is_toc(child):
            yield from _opened(content)


def _is_toc(sdt) -> bool:
    gallery = sdt.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
    return gallery is not None and (gallery.get(f"{W}val") or "").startswith("Table of Contents")


NOTE_KINDS = ("footnote", "endnote")


def _docx_notes(document) -> dict[tuple[str, str], list[str]]:
    """The paragraphs of the document's footnotes and endnotes, by (kind, id)."""
    notes = {}
    for rel in document.part.rels.values():
        kind = rel.reltype.rpartition("/")[2][:-1]  # ".../footnotes" -> "footnote"
        if kind in NOTE_KINDS and not rel.is_external:
            for note in _xml(rel.target_part.blob).iterchildren(f"{W}{kind}"):
                notes[(kind, note.get(f"{W}id"))] = [text for p in note.iter(f"{W}p")
                                                     if (text := _docx_paragraph_text(p).strip())]
    return notes


def _docx_notes_of(element, notes: dict[tuple[str, str], list[str]]) -> list[str]:
    """The text of the notes an element (a paragraph, a table) calls, in their order: a note
    is read after the paragraph that calls it, under the same heading ("Source : Baromètre…")."""
    calls = element.iter(*(f"{W}{kind}Reference" for kind in NOTE_KINDS))
    return [text for ref in calls
            for text in notes.get((ref.tag[len(W):-len("Reference")], ref.get(f"{W}id")), ())]


def _docx_text_boxes(paragraph) -> list[str]:
    """The paragraphs of the text boxes anchored in a paragraph (a newsletter's inset, a flyer's
    key figures), once: Word also writes each box as a fallback drawing, which is left out."""
    return [text for box in paragraph.iter(f"{W}txbxContent") if not _in_fallback(box)
            for p in box.iterchildren(f"{W}p") if (text := _docx_paragraph_text(p)).strip()]


def _in_fallback(element) -> bool:
    return any(a.tag == MC_FALLBACK for a in element.iterancestors())


def _docx_rows(table) -> list[str]:
    """A table's rows as lines of cells, read from its XML cell by cell: the spans and merges
    it declares are never expanded into a grid (a span of two million columns is one cell)."""
    lines = []
    for tr in _opened(table._tbl):
        if tr.tag != f"{W}tr":
            continue
        cells = [" ".join(_docx_paragraph_text(p) for p in tc.iter(f"{W}p") if not _in_fallback(p))
                 for tc in _opened(tr) if tc.tag == f"{W}tc"]
        if line := _row_line(cells):
            lines.append(line)
    return lines


ODT_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
}


def read_pptx(path: Path) -> Document:
    """A slide deck: the first slide's title is the deck's; every other slide's title is a heading,
    and what the slide holds follows it (text frames and tables in reading order, grouped shapes
    too, then the speaker's notes), each block on the slide's number as its page."""
    import pptx
    from lxml import etree
    from pptx.exc import PackageNotFoundError

    _check_archive(path, "PPTX")
    try:
        deck = pptx.Presentation(str(path))
        title, blocks = _deck_blocks(_pptx_slides(deck))
        meta_title, meta_date = _core_properties(deck.part.package)
        return _document(blocks, title, meta_title, meta_date)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as e:
        raise SourceError("PPTX invalide ou endommagé (pas une présentation PowerPoint)") from e
    except etree.XMLSyntaxError as e:
        raise SourceError("PPTX endommagé (XML invalide, trop imbriqué ou à entités)") from e
    except (AttributeError, TypeError, ValueError) as e:
        raise SourceError(f"PPTX invalide (structure inattendue : {type(e).__name__})") from e


# a package's relationship to its core properties: the standard type, and the one LibreOffice writes
CORE_PROPERTIES = ("http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                   "http://schemas.openxmlformats.org/officedocument/2006/relationships/metadata/core-properties")
DC, DCTERMS = "{http://purl.org/dc/elements/1.1/}", "{http://purl.org/dc/terms/}"


def _core_properties(package) -> tuple[str, str]:
    """A Word or PowerPoint file's title and creation date properties (the date as written).
    python-docx and python-pptx look for them under the standard relationship type only, and
    give their own defaults ("Word Document", no date) for a file saved by LibreOffice."""
    for reltype in CORE_PROPERTIES:
        try:
            core = _xml(package.part_related_by(reltype).blob)
        except KeyError:
            continue
        return _text_of(core.find(f"{DC}title")), _text_of(core.find(f"{DCTERMS}created"))
    return "", ""


def _text_of(element) -> str:
    """An XML element's text ("" for no element or no text)."""
    return (element.text or "") if element is not None else ""


def _deck_blocks(slides) -> tuple[str, list[Block]]:
    """A deck's title and blocks from its slides' (title, lines), in order: the first slide's title
    is the deck's, every other one a heading over its lines; each block on its slide's number as its page."""
    title, blocks = "", []
    for number, (heading, lines) in enumerate(slides, 1):
        if number == 1:
            title = heading
        elif heading:
            blocks.append(Block(heading, HEADING, level=1, page=number))
        blocks += [Block(line.strip(), PARAGRAPH, page=number) for line in lines if line.strip()]
    return title, blocks


def _pptx_slides(deck):
    """Each slide's title, and its lines: its shapes', then its speaker's notes."""
    for slide in deck.slides:
        heading = slide.shapes.title
        heading_text = _pptx_text(heading.text_frame.text) if heading is not None and heading.has_text_frame else ""
        heading_id = heading.shape_id if heading is not None else None
        lines = [line for shape in _pptx_shapes(slide.shapes) if shape.shape_id != heading_id
                 for line in _pptx_lines(shape)]
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            lines += [_pptx_text(p.text) for p in slide.notes_slide.notes_text_frame.paragraphs]
        yield heading_text, lines


def _pptx_shapes(shapes):
    """A slide's shapes in reading order (top to bottom, then left to right), groups opened."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    out = []
    for shape in sorted(shapes, key=lambda s: (s.top or 0, s.left or 0)):
        out += _pptx_shapes(shape.shapes) if shape.shape_type == MSO_SHAPE_TYPE.GROUP else [shape]
    return out


def _pptx_lines(shape) -> list[str]:
    """A shape's paragraphs, or a table's rows as lines of cells."""
    if shape.has_text_frame:
        return [_pptx_text(p.text) for p in shape.text_frame.paragraphs]
    if getattr(shape, "has_table", False):
        return [_row_line([_pptx_text(cell.text) for cell in row.cells]) for row in shape.table.rows]
    return []


def _pptx_text(text: str) -> str:
    return text.replace("\v", "\n").strip()  # python-pptx gives a line break as a vertical tab


def _q(prefix: str, name: str) -> str:
    return f"{{{ODT_NS[prefix]}}}{name}"


def _xml(data: bytes):
    """Parse XML with entity expansion and network access off."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    return etree.fromstring(data, parser)


ODT_GENERATED_INDEXES = {_q("text", name) for name in ("table-of-content", "illustration-index", "table-index",
                                                        "alphabetical-index", "object-index", "user-index")}


def _odf_parts(path: Path, kind: str, body_name: str, what: str, no_body: str):
    """An OpenDocument file's body (<office:text>, <office:presentation>) and meta.xml (or None)."""
    from lxml import etree

    _check_archive(path, kind)
    try:
        with zipfile.ZipFile(path) as z:
            content = _xml(z.read("content.xml"))
            meta = _xml(z.read("meta.xml")) if "meta.xml" in z.namelist() else None
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as e:
        raise SourceError(f"{kind} invalide ou endommagé (pas {what})") from e
    body = content.find(f"{_q('office', 'body')}/{_q('office', body_name)}")
    if body is None:
        raise SourceError(no_body)
    return body, meta


def _odf_meta(meta) -> tuple[str, str]:
    """The title and creation date properties of an OpenDocument meta.xml."""
    if meta is None:
        return "", ""
    found = meta.find(f".//{_q('dc', 'title')}")
    created = meta.find(f".//{_q('meta', 'creation-date')}")
    if created is None:
        created = meta.find(f".//{_q('dc', 'date')}")
    return _text_of(found), _text_of(created)


def read_odp(path: Path) -> Document:
    """An Impress slide deck, read as a PowerPoint one (read_pptx): the first slide's title is the
    deck's, every other slide's title a heading, then its text and table rows in document order,
    then its notes, each block on the slide's number as its page."""
    body, meta = _odf_parts(path, "ODP", "presentation", "une présentation OpenDocument",
                            "ODP sans diapositives (texte ou tableur ?)")
    title, blocks = _deck_blocks(_odp_slides(body))
    meta_title, meta_date = _odf_meta(meta)
    return _document(blocks, title, meta_title, meta_date)


def _odp_slides(body):
    """Each slide's title (its title frame's text), and its lines: text and table rows in document
    order, then its notes."""
    role, notes = _q("presentation", "class"), _q("presentation", "notes")
    for slide in body.iter(_q("draw", "page")):
        heading, text, speaker = "", [], []
        for element in slide.iter(_q("text", "p"), _q("table", "table-row")):
            ancestors = list(element.iterancestors())
            if element.tag == _q("text", "p") and any(a.tag == _q("table", "table-row") for a in ancestors):
                continue  # read with its row
            line = _odt_row_line(element) if element.tag == _q("table", "table-row") else _odt_text(element)
            frame = next((a for a in ancestors if a.tag == _q("draw", "frame")), None)
            if frame is not None and frame.get(role) == "title" and not heading:
                heading = line.strip()
            elif any(a.tag == notes for a in ancestors):
                speaker.append(line)
            else:
                text.append(line)
        yield heading, text + speaker


def read_odt(path: Path) -> Document:
    body, meta = _odf_parts(path, "ODT", "text", "un document OpenDocument texte",
                            "ODT sans corps de texte (tableur ou présentation ?)")
    blocks: list[Block] = []
    title = ""
    stack = list(reversed(body))
    while stack:  # document order, without recursion
        node = stack.pop()
        tag = node.tag
        if tag == _q("text", "h"):
            level = node.get(_q("text", "outline-level"))
            blocks.append(Block(_odt_text(node), HEADING, level=int(level) if level and level.isdigit() else 0))
            blocks += _odt_notes(node)
        elif tag == _q("text", "p"):
            if node.get(_q("text", "style-name"), "").lower() == "title" and not title:
                title = _odt_text(node)
            else:
                blocks.append(Block(_odt_text(node), PARAGRAPH))
                blocks += _odt_notes(node)
        elif tag == _q("text", "tracked-changes"):
            continue  # the record of tracked changes: the text they deleted is not the document's
        elif tag in ODT_GENERATED_INDEXES:
            continue  # a table of contents or an index: lines that repeat headings and page numbers
        elif tag == _q("table", "table-row"):
            if line := _odt_row_line(node):
                blocks.append(Block(line, PARAGRAPH))
            blocks += _odt_notes(node)
        else:  # lists, list items, sections, tables and their row groups: read what they hold
            stack.extend(reversed(node))
    meta_title, meta_date = _odf_meta(meta)
    return _document(blocks, title, meta_title, meta_date)


def _odt_row_line(row) -> str:
    """A table row as one line of cells; a cell's notes are left out (read after the row)."""
    return _row_line([" ".join(_odt_text(p) for p in cell.iter(_q("text", "p")) if not _in_note(p))
                      for cell in row if cell.tag == _q("table", "table-cell")])


def _odt_notes(node) -> list[Block]:
    """The footnotes and endnotes a paragraph, heading or table row calls, read after it (under
    the same heading)."""
    return [Block(text, PARAGRAPH) for body in node.iter(_q("text", "note-body"))
            for p in body.iter(_q("text", "p")) if (text := _odt_text(p).strip())]


def _in_note(element) -> bool:
    return any(a.tag == _q("text", "note-body") for a in element.iterancestors())


def _odt_text(node) -> str:
    """A paragraph's text: <text:s/> is spaces, <text:tab/> a tab, <text:line-break/> a new line;
    its notes are left out (read after it: _odt_notes)."""
    from lxml import etree

    parts, in_note = [], 0
    for event, element in etree.iterwalk(node, events=("start", "end")):
        name = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        if event == "start":
            in_note += name == "note"
            if in_note:
                continue
            if name == "s":
                count = element.get(_q("text", "c"), "1")
                parts.append(" " * min(int(count) if count.isdigit() else 1, 100))
            elif name == "tab":
                parts.append("\t")
            elif name == "line-break":
                parts.append("\n")
            elif element.text:
                parts.append(element.text)
        else:
            in_note -= name == "note"
            if element is not node and element.tail and not in_note:
                parts.append(element.tail)
    return "".join(parts)
