"""PDF text in reading order, from the words' positions and fonts (pdfplumber).

A printed report is rebuilt as a reader sees it:
- words are grouped into lines, and a line into segments where a wide gap
  separates them (a column gutter, a right-aligned page number);
- where a gutter runs down part of a page, the left column is read before the
  right one;
- ruled tables come out in place, a row as one line of cells ("a | b | c");
- running headers and footers (a line at the same place on most pages, digits
  aside) and page numbers ("Page 2 / 4", "2 / 4", "12") are dropped;
- lines in a larger font, or short (blocks.py's heading rule) and bold, are headings; the largest text of the first
  page is the title, and the rest of the title page stays as text;
- a page with no text but an image is reported as scanned, and read by OCR when Tesseract is installed (ocr.py).

bench/extraction.py compares this reader with pypdf, pdfminer.six, pdfplumber and
pypdfium2 on the fixture corpus (tests/fixtures/make_documents.py).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError
from .blocks import short_enough
from .dates import creation_date
from .document import HEADING, LINE, PARAGRAPH, WRAPPED, Block, Document
from .ocr import printed_key, read_pages, unread_reason

LINE_TOLERANCE = 3.0      # points: words whose tops differ by less are on one line
SEGMENT_GAP = 2.0         # a gap wider than this many times the font size starts a new segment
FURNITURE_BAND = 0.09     # top and bottom share of the page where headers and footers live
HEADING_RATIO = 1.15      # a line this much larger than the body text is a heading
HEADING_LINE_SPACING = 1.6  # font sizes between two lines of one heading
SMALL_RATIO = 0.9         # a short line this much smaller than the body text, near an edge, is a header or footer
FURNITURE_MAX_WORDS = 12
GUTTER_ZONE = (0.3, 0.7)   # where, across the page, a column gutter may run
COLUMN_MIN_SHARE = 0.25    # a column's lines are at least this share of the page wide (median)
TITLE_PAGE_WORDS = 80      # a first page with fewer words (and more pages after it) is a title page
SCANNED_IMAGE_SHARE = 0.25  # a page without text whose images cover this share of it is a scan
UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")  # a glyph the font does not map to text: bullets, dingbats
PAGE_NUMBER = re.compile(r"^(?:page|p\.)?\s*\d{1,4}(?:\s*(?:/|sur|of)\s*\d{1,4})?$|^-\s*\d{1,4}\s*-$", re.I)

logging.getLogger("pdfminer").setLevel(logging.ERROR)


@dataclass
class Segment:
    """Words on one line, with no wide gap between them."""
    text: str
    x0: float
    x1: float
    top: float
    size: float
    bold: bool
    page: int
    kind: str = LINE  # HEADING, WRAPPED (running text) or PARAGRAPH (a table row, title-page text)


def read_pdf(path: Path) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    with path.open("rb") as f:
        if f.read(5) != b"%PDF-":
            raise SourceError("ce n'est pas un PDF (en-tête absent)")
    try:
        with pdfplumber.open(str(path)) as pdf:
            meta_title = str((pdf.metadata or {}).get("Title") or "")
            meta_date = str((pdf.metadata or {}).get("CreationDate") or "")
            pages = []
            for number, page in enumerate(pdf.pages, 1):
                pages.append(_page_segments(page, number))
                page.close()  # frees the page's parsed objects: a long report stays small in memory
    except SourceError:
        raise
    except Exception as e:  # pdfminer raises many types on damaged files; pdfplumber wraps some of them
        cause = e.args[0] if isinstance(e, PdfminerException) and e.args and isinstance(e.args[0], Exception) else e
        if isinstance(cause, PDFPasswordIncorrect):
            raise SourceError("PDF protégé par un mot de passe : enregistrez-en une copie sans protection") from e
        raise SourceError(f"PDF illisible ou tronqué ({type(cause).__name__})") from e
    furniture = _running_furniture([p[0] for p in pages])
    size = _body_size([p[0] for p in pages])
    body = [[s for s in segments if not _is_furniture(s, height, furniture, size)] for segments, height, _ in pages]
    scanned = [n for n, (segments, (_, _, looks_scanned)) in enumerate(zip(body, pages), 1)
               if not segments and looks_scanned]
    recognised = read_pages(path, {n: {printed_key(s.text) for s in pages[n - 1][0]} for n in scanned})
    if not any(body) and not recognised:
        raise SourceError(unread_reason("PDF sans texte extractible, document scanné ?"))
    title = _mark_kinds(body, size)  # from the text layer only: a scanned title page gives no title
    for number, lines in recognised.items():  # running text, rejoined by the chunker like printed lines
        body[number - 1] = [Segment(line, 0.0, 0.0, float(i), 0.0, False, number, WRAPPED) for i, line in enumerate(lines)]
    blocks = [Block(s.text, s.kind, page=s.page) for segments in body for s in _merge_headings(segments)]
    created = creation_date(meta_date) or ""
    return Document(blocks=blocks, title=title, meta_title=meta_title, date=created,
                    date_source="métadonnées PDF" if created else "", unread_pages=[n for n in scanned if n not in recognised])


def _page_segments(page, number: int) -> tuple[list[Segment], float, bool]:
    """The page's segments in reading order, its height, and whether it looks scanned."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    words = [w for w in page.extract_words(extra_attrs=["size", "fontname"])
             if not any(_inside(w, box) for box in boxes)]
    segments = _reading_order(_segments(words, number), float(page.width))
    for table in tables:
        rows = [" | ".join(" ".join((cell or "").split()) for cell in row if cell and cell.strip())
                for row in table.extract()]
        top = table.bbox[1]
        at = next((i for i, s in enumerate(segments) if s.top > top), len(segments))
        segments[at:at] = [Segment(r, table.bbox[0], table.bbox[2], top, 0.0, False, number, PARAGRAPH)
                           for r in rows if r]
    image_area = sum(float(i.get("width", 0)) * float(i.get("height", 0)) for i in page.images)
    scanned = image_area >= SCANNED_IMAGE_SHARE * float(page.width) * float(page.height)
    return segments, float(page.height), scanned


def _inside(word: dict, box) -> bool:
    x0, top, x1, bottom = box
    return word["x0"] >= x0 - 1 and word["x1"] <= x1 + 1 and word["top"] >= top - 1 and word["bottom"] <= bottom + 1


def _segments(words: list[dict], page: int) -> list[Segment]:
    """Words grouped into lines (by their top), each line cut where a gap is wide."""
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= LINE_TOLERANCE:
            lines[-1].append(w)
        else:
            lines.append([w])
    segments = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        current = [line[0]]
        for w in line[1:]:
            if w["x0"] - current[-1]["x1"] > SEGMENT_GAP * max(w["size"], 1.0):
                segments.append(_segment(current, page))
                current = []
            current.append(w)
        segments.append(_segment(current, page))
    return segments


def _segment(words: list[dict], page: int) -> Segment:
    text = " ".join(w["text"] for w in words)
    if UNMAPPED_GLYPH.search(text):
        text = " ".join(UNMAPPED_GLYPH.sub("", text).split())
        if UNMAPPED_GLYPH.fullmatch(words[0]["text"]):
            text = f"• {text}"  # an unmapped glyph alone before a line is its bullet
    sizes = Counter()
    for w in words:
        sizes[round(w["size"], 1)] += len(w["text"])
    bold = all(re.search(r"bold|black|heavy|semibold", w["fontname"], re.I) for w in words)
    return Segment(text, words[0]["x0"], words[-1]["x1"],
                   min(w["top"] for w in words), sizes.most_common(1)[0][0], bold, page)


def _reading_order(segments: list[Segment], width: float) -> list[Segment]:
    """Top to bottom; where a gutter splits lines into two columns, the left column first.
    Without one, the pieces of a line are one line again ("Pilote :      IREPS")."""
    gutter = _gutter(segments, width)
    if gutter is None:
        return _whole_lines(segments)
    left_end, right_start = gutter
    out: list[Segment] = []
    left: list[Segment] = []
    right: list[Segment] = []
    for s in segments:
        if s.x1 <= left_end + 1:
            left.append(s)
        elif s.x0 >= right_start - 1:
            right.append(s)
        else:  # spans the gutter: the columns above it end here
            out += left + right + [s]
            left, right = [], []
    return out + left + right


def _whole_lines(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for s in segments:
        prev = out[-1] if out else None
        if prev is not None and prev.top == s.top:
            size = prev.size if len(prev.text) >= len(s.text) else s.size
            out[-1] = Segment(f"{prev.text} {s.text}", prev.x0, s.x1, s.top, size, prev.bold and s.bold, s.page)
        else:
            out.append(s)
    return out


def _gutter(segments: list[Segment], width: float) -> tuple[float, float] | None:
    """The gap shared by at least three lines cut in two, if it runs near the middle of the
    page between two columns of text (not a short label before its value)."""
    by_line: dict[float, list[Segment]] = {}
    for s in segments:
        by_line.setdefault(s.top, []).append(s)
    pairs = [pair for pair in by_line.values() if len(pair) == 2]
    if len(pairs) < 3:
        return None
    left_end, right_start = max(p[0].x1 for p in pairs), min(p[1].x0 for p in pairs)
    middle = (left_end + right_start) / 2
    columns = [sorted(p[i].x1 - p[i].x0 for p in pairs)[len(pairs) // 2] for i in (0, 1)]  # median widths
    if (right_start - left_end <= 5 or not GUTTER_ZONE[0] * width <= middle <= GUTTER_ZONE[1] * width
            or min(columns) < COLUMN_MIN_SHARE * width):
        return None
    return left_end, right_start


def _furniture_key(text: str) -> str:
    """A line as headers and footers repeat it: lowercase, digits as "#" ("Page 2 / 4" ~ "Page 3 / 4")."""
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _in_band(s: Segment, height: float) -> bool:
    return s.top < FURNITURE_BAND * height or s.top > (1 - FURNITURE_BAND) * height


def _running_furniture(pages: list[list[Segment]]) -> set[str]:
    """Lines found on at least two pages and half the pages after the first (a title page
    seldom carries the running header)."""
    counts: Counter[str] = Counter()
    for segments in pages:
        counts.update({_furniture_key(s.text) for s in segments})
    return {k for k, n in counts.items() if n >= 2 and n >= (len(pages) - 1) / 2}


def _is_furniture(s: Segment, height: float, furniture: set[str], body_size: float) -> bool:
    """A line near the top or bottom of the page that recurs, numbers the page, or is a short
    line in a smaller font than the text (a running header of a document too short to recur)."""
    if not _in_band(s, height):
        return False
    return (_furniture_key(s.text) in furniture or bool(PAGE_NUMBER.match(s.text.strip()))
            or (s.size < body_size * SMALL_RATIO and len(s.text.split()) <= FURNITURE_MAX_WORDS))


def _body_size(pages: list[list[Segment]]) -> float:
    """The font size of most of the text."""
    sizes: Counter[float] = Counter()
    for segments in pages:
        for s in segments:
            if s.kind == LINE:
                sizes[s.size] += len(s.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _merge_headings(segments: list[Segment]) -> list[Segment]:
    """A heading printed on two lines (same font, next line) is one heading."""
    out: list[Segment] = []
    for s in segments:
        prev = out[-1] if out else None
        if (prev is not None and s.kind == prev.kind == HEADING and s.size == prev.size
                and 0 < s.top - prev.top <= HEADING_LINE_SPACING * s.size):
            prev.text, prev.top = f"{prev.text} {s.text}", s.top
        else:
            out.append(s)
    return out


def _mark_kinds(pages: list[list[Segment]], body: float) -> str:
    """Set each segment's kind; return the title (the largest text of the first page).

    Headings are larger than the body text, or bold on a line of their own. When the
    document has no such lines, its lines stay plain LINE blocks and the chunker
    decides by their shape."""
    lines = [s for segments in pages for s in segments if s.kind == LINE]
    headings = {id(s) for s in lines
                if s.size >= body * HEADING_RATIO or (s.bold and short_enough(s.text))}
    if headings:
        for s in lines:
            s.kind = HEADING if id(s) in headings else WRAPPED
    first = [s for s in pages[0] if s.kind != PARAGRAPH] if pages else []
    if not first:
        return ""
    largest = max(s.size for s in first)
    if largest < body * HEADING_RATIO:
        return ""
    title_lines = [s for s in first if s.size == largest]
    if len(pages) > 1 and sum(len(s.text.split()) for s in first) <= TITLE_PAGE_WORDS:
        for s in first:  # the rest of a title page is text to find, not a heading over nothing
            s.kind = HEADING if s in title_lines else PARAGRAPH
    return " ".join(s.text for s in title_lines)
