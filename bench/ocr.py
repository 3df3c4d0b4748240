"""Scanned PDFs read by OCR: time per page and words read, one Tesseract at a time against several.

    pip install ".[bench]" && python bench/ocr.py [--pages 8]

A scanned report is generated: --pages A4 pages at 200 dpi, each an image of about 300 words
of the bundled sample corpus (real French text, accents and all) in Bitstream Vera (reportlab's
copy) at about 11.5 points, with no text layer. docsante reads it as `docsante index` would (its PDF reader, OCR on the pages
with no text), with an empty cache, first with one Tesseract process at a time, then with
`ocr.WORKERS` (one per core). Scores: seconds per page and the share of the page's words read
(as multisets, case and punctuation aside). Needs Tesseract and its French model
(`apt install tesseract-ocr-fra`).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path

import reportlab
from PIL import Image, ImageDraw, ImageFont

from docsante.corpus import ocr
from docsante.corpus.readers import read_sources
from docsante.location import sample_corpus

WIDTH, HEIGHT, DPI = 1654, 2339, 200  # A4 at 200 dpi
MARGIN, LINE_HEIGHT, FONT_SIZE, CHARS_PER_LINE = 120, 52, 32, 76
WORDS = re.compile(r"[^\W_]+")


def sample_words() -> list[str]:
    text = " ".join(p.read_text("utf-8") for p in sorted(sample_corpus().glob("*.txt")))
    return text.split()


def scanned_report(path: Path, pages: int) -> list[str]:
    """Write a PDF of page images; return each page's text as drawn."""
    words = sample_words()
    font = ImageFont.truetype(str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"), FONT_SIZE)
    lines_per_page = (HEIGHT - 2 * MARGIN) // LINE_HEIGHT
    images, truth, start = [], [], 0
    for _ in range(pages):
        lines = textwrap.wrap(" ".join(words[start:start + 400]), CHARS_PER_LINE)[:lines_per_page]
        start += sum(len(line.split()) for line in lines)
        image = Image.new("L", (WIDTH, HEIGHT), 250)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((MARGIN, MARGIN + LINE_HEIGHT * i), line, fill=20, font=font)
        images.append(image)
        truth.append("\n".join(lines))
    images[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return truth


def words(text: str) -> Counter:
    return Counter(w.lower() for w in WORDS.findall(text))


def read(path: Path, workers: int, cache: Path) -> tuple[float, str]:
    """Seconds to read the PDF with `workers` Tesseract processes and an empty cache, and its text."""
    ocr.WORKERS = workers
    os.environ[ocr.CACHE_ENV_VAR] = str(cache)
    started = time.perf_counter()
    (doc,) = list(read_sources([path]))
    return time.perf_counter() - started, "\n".join(b.text for b in doc.blocks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    args = parser.parse_args()
    if not ocr.available():
        raise SystemExit("Tesseract et son modèle français sont requis : apt install tesseract-ocr-fra")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "rapport-scanne.pdf"
        truth = words("\n".join(scanned_report(pdf, args.pages)))
        print(f"{args.pages} scanned pages, {sum(truth.values())} words, {os.cpu_count()} cores\n")
        print("| Tesseract processes at a time | s/page | words read | speed-up |\n|---|---|---|---|")
        serial = None
        for workers in sorted({1, ocr.WORKERS}):
            seconds, text = read(pdf, workers, Path(tmp) / f"cache-{workers}")
            found = words(text)
            recall = sum((found & truth).values()) / sum(truth.values())
            serial = serial or seconds
            print(f"| {workers} | {seconds / args.pages:.2f} | {recall:.3f} | {serial / seconds:.2f}× |")


if __name__ == "__main__":
    main()
