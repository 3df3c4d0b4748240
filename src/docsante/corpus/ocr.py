"""Text of scanned PDF pages, read by Tesseract's French model (pytesseract) when it is installed.

A page counts as read when its text holds words; otherwise it stays a scanned page, named
as not indexed. Without Tesseract or its French model, nothing is read here. What Tesseract
reads is kept in a cache, by the file's content and the page, so that indexing a folder again
reads its scans once (`$DOCSANTE_CACHE`, else the user's cache directory).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import platformdirs

from .convert import program

LANGUAGE = "fra"
DPI = 300  # Tesseract's accuracy drops under 300 dots per inch
MAX_PIXELS = 40_000_000  # an A4 page at 300 dpi is 8.7 million; a poster-sized page is rendered coarser
WORD = re.compile(r"[^\W\d_]{2,}")  # a page's text must hold words, not specks read as "—" or "|"
MIN_WORDS = 3
CACHE_ENV_VAR = "DOCSANTE_CACHE"
NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
# Tesseract processes reading pages at once: each is a process of its own, and uses about
# 1.25 cores by itself (its OpenMP threads), so one per core keeps the cores busy
WORKERS = os.cpu_count() or 1


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether Tesseract and its French model are installed."""
    try:
        import pytesseract

        if command := program(("tesseract",), r"Tesseract-OCR\tesseract.exe"):
            pytesseract.pytesseract.tesseract_cmd = command
        return LANGUAGE in pytesseract.get_languages(config="")
    except (ImportError, OSError, RuntimeError):  # no pytesseract, no tesseract (OSError), or it failed
        return False


def read_pages(path: Path, pages: dict[int, set[str]]) -> dict[int, list[str]]:
    """The lines Tesseract reads on the given pages (1-based), for the pages where it reads words;
    each page's set holds the lines its text layer already prints (a running header, a page
    number: they are rendered with the scan and left out of what is read).

    Pages are rendered one after the other (PDFium is not thread-safe) and read by WORKERS
    Tesseract processes at a time; at most twice as many rendered pages wait for one."""
    if not pages or not available():
        return {}
    digest = _digest(path)
    texts, missing = {}, []
    for number in pages:
        try:
            texts[number] = _cache_file(digest, number).read_text("utf-8")
        except OSError:
            missing.append(number)
    texts.update(_recognise(path, digest, missing))
    out = {}
    for number, printed in pages.items():
        lines = [" ".join(line.split()) for line in texts.get(number, "").splitlines()
                 if line.strip() and printed_key(line) not in printed]
        if len(WORD.findall(" ".join(lines))) >= MIN_WORDS:
            out[number] = lines
    return out


def _recognise(path: Path, digest: str, numbers: list[int]) -> dict[int, str]:
    """What Tesseract reads on these pages, each kept in the cache; a page that cannot be
    rendered or read is left out (the others may not be)."""
    if not numbers:
        return {}
    import pypdfium2
    import pytesseract

    read, waiting = {}, deque()

    def collect(number: int, job) -> None:
        try:
            read[number] = job.result()
        except (RuntimeError, OSError):  # TesseractError is a RuntimeError
            return
        _remember(_cache_file(digest, number), read[number])

    with ThreadPoolExecutor(WORKERS) as pool:
        pdf = None
        try:
            for number in numbers:
                if len(waiting) >= 2 * WORKERS:
                    collect(*waiting.popleft())
                try:
                    pdf = pdf or pypdfium2.PdfDocument(str(path))
                    page = pdf[number - 1]
                    width, height = page.get_size()  # in points, 72 to the inch
                    scale = min(DPI / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
                    image = page.render(scale=scale).to_pil()
                except (RuntimeError, OSError):  # PdfiumError is a RuntimeError
                    continue
                waiting.append((number, pool.submit(pytesseract.image_to_string, image, lang=LANGUAGE)))
            while waiting:
                collect(*waiting.popleft())
        finally:
            if pdf is not None:
                pdf.close()
    return read


def cache_dir() -> Path:
    """Where read pages are kept: $DOCSANTE_CACHE when set and not empty, else the user's cache directory."""
    value = os.environ.get(CACHE_ENV_VAR, "").strip()
    return Path(value) if value else Path(platformdirs.user_cache_dir("docsante", appauthor=False)) / "ocr"


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _cache_file(digest: str, number: int) -> Path:
    return cache_dir() / f"{digest}-{number}-{DPI}.txt"


def _remember(cached: Path, text: str) -> None:
    """Keep a page's text, written whole or not at all; a cache that cannot be written is skipped."""
    written = None
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=cached.parent, suffix=".part", delete=False) as f:
            written = Path(f.name)
            f.write(text)
        os.replace(written, cached)
    except OSError:
        if written is not None:
            written.unlink(missing_ok=True)


def printed_key(text: str) -> str:
    """A line as read_pages compares it with the text layer: its letters and digits, lower case
    ("Page 5 / 5" printed, "Page 5/5" read)."""
    return NOT_ALPHANUMERIC.sub("", text).lower()


INSTALL_HINT = "reconnaissance de caractères : installez Tesseract et son modèle français, paquet tesseract-ocr-fra"


def unread_reason(what: str) -> str:
    """Why a scanned page (or document) is not indexed, in the user's words: `what` says what is."""
    return f"{what} : aucun texte reconnu" if available() else f"{what} ({INSTALL_HINT})"
