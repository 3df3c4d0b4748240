"""Text of scanned PDF pages, read by Tesseract's French model (pytesseract) when it is installed.

A page counts as read when its text holds words; otherwise it stays a scanned page, named
as not indexed. Without Tesseract or its French model, nothing is read here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

LANGUAGE = "fra"
DPI = 300  # Tesseract's accuracy drops under 300 dots per inch
MAX_PIXELS = 40_000_000  # an A4 page at 300 dpi is 8.7 million; a poster-sized page is rendered coarser
WORD = re.compile(r"[^\W\d_]{2,}")  # a page's text must hold words, not specks read as "—" or "|"
MIN_WORDS = 3
NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether Tesseract and its French model are installed."""
    try:
        import pytesseract

        return LANGUAGE in pytesseract.get_languages(config="")
    except (ImportError, OSError, RuntimeError):  # no pytesseract, no tesseract (OSError), or it failed
        return False


def read_pages(path: Path, pages: dict[int, set[str]]) -> dict[int, list[str]]:
    """The lines Tesseract reads on the given pages (1-based), for the pages where it reads words;
    each page's set holds the lines its text layer already prints (a running header, a page
    number: they are rendered with the scan and left out of what is read)."""
    if not pages or not available():
        return {}
    import pypdfium2
    import pytesseract

    out = {}
    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except (RuntimeError, OSError):  # pdfplumber read it, PDFium will not: its scanned pages stay unread
        return out
    try:
        for number, printed in pages.items():
            try:
                page = pdf[number - 1]
                width, height = page.get_size()  # in points, 72 to the inch
                scale = min(DPI / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
                image = page.render(scale=scale).to_pil()
                text = pytesseract.image_to_string(image, lang=LANGUAGE)
            except (RuntimeError, OSError):  # PdfiumError and TesseractError are RuntimeErrors
                continue  # this page stays unread; the others may not
            lines = [" ".join(line.split()) for line in text.splitlines()
                     if line.strip() and printed_key(line) not in printed]
            if len(WORD.findall(" ".join(lines))) >= MIN_WORDS:
                out[number] = lines
    finally:
        pdf.close()
    return out


def printed_key(text: str) -> str:
    """A line as read_pages compares it with the text layer: its letters and digits, lower case
    ("Page 5 / 5" printed, "Page 5/5" read)."""
    return NOT_ALPHANUMERIC.sub("", text).lower()


INSTALL_HINT = "reconnaissance de caractères : installez Tesseract et son modèle français, paquet tesseract-ocr-fra"


def unread_reason(what: str) -> str:
    """Why a scanned page (or document) is not indexed, in the user's words: `what` says what is."""
    return f"{what} : aucun texte reconnu" if available() else f"{what} ({INSTALL_HINT})"
