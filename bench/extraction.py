"""PDF text extraction: docsante's reader against the PDF libraries it could be built on.

    pip install ".[bench]" && python bench/extraction.py [--pages 80]

The fixture PDFs (tests/fixtures/make_documents.py: a regional strategy and an
activity report, printed as a word processor prints them) are read by pypdf,
pdfminer.six, pdfplumber and pypdfium2 as each extracts text by default, and by
docsante (pdfplumber's words laid out again, then chunked). Each output is scored
against the text the generator wrote (tests/fixtures/documents-truth/):

- word F1: words (hyphenated compounds as one word) as multisets;
- hyphenation: words split at a line end ("promo-" / "tion") found whole, and
  compounds broken after their hyphen ("bien-" / "être") found with it;
- table rows: rows whose cells come out in order on one line;
- columns: sentences of 10 words or more found with their words in order;
- short lines: lines of the truth under 10 words (headings, "label : value") found whole on one line;
- furniture: running headers, footers and "Page N / M" lines left in the text;
- speed: pages per second on a long report (--pages, generated in a temporary folder).

A second table measures the rule that rejoins words hyphenated at a line end on
a list of French line breaks written for it (syllable breaks and compounds).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

import make_documents as fixtures  # noqa: E402

from docsante.corpus.readers import read_sources  # noqa: E402
from docsante.corpus.blocks import joins_hyphenated  # noqa: E402
from docsante.indexer.chunk import chunk  # noqa: E402

DOCUMENTS = ROOT / "tests" / "fixtures" / "documents"
TRUTH = ROOT / "tests" / "fixtures" / "documents-truth"
WORD = re.compile(r"\w+(?:[-’']\w+)*")

# (left part, right part, is it a compound?) for words broken at a line end after a hyphen
LINE_BREAKS = [
    ("promo", "tion", False), ("pro", "fessionnels", False), ("sco", "laire", False),
    ("environne", "mentales", False), ("profession", "nelles", False), ("accompa", "gnement", False),
    ("terri", "toriales", False), ("préven", "tion", False), ("coordina", "tion", False),
    ("dépar", "tementale", False), ("parte", "nariat", False), ("vacci", "nation", False),
    ("addic", "tions", False), ("psycho", "sociales", False), ("pluri", "professionnelles", False),
    ("épidé", "miologique", False), ("popu", "lation", False), ("inéga", "lités", False),
    ("sensibi", "lisation", False), ("diagnos", "tic", False), ("alimen", "tation", False),
    ("handi", "cap", False), ("éduca", "tion", False), ("forma", "tions", False),
    ("bien", "être", True), ("médico", "social", True), ("médico", "sociaux", True),
    ("médico", "psychologique", True), ("après", "midi", True), ("porte", "parole", True),
    ("Hauts", "de", True), ("Île", "de", True), ("sous", "préfecture", True), ("demi", "journée", True),
    ("non", "recours", True), ("c'est", "à", True), ("peut", "être", True), ("rendez", "vous", True),
    ("mi", "temps", True), ("sages", "femmes", True), ("nouveau", "nés", True), ("chef", "lieu", True),
    ("socio", "éducatif", True), ("grand", "mère", True), ("Val", "de", True), ("ville", "hôpital", True),
]
LINE_BREAK_RULES = {
    "always rejoin": lambda left, right: True,
    "always keep the hyphen": lambda left, right: False,
    "docsante (word list, function words)": lambda left, right: joins_hyphenated(left, right, set()),
}


def pypdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def pdfminer_text(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(str(path))


def pdfplumber_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def pypdfium2_text(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def docsante_text(path: Path) -> str:
    lines: list[str] = []
    for doc in read_sources([path]):
        if hasattr(doc, "blocks"):
            passages = chunk(doc)
            lines.append(passages[0].title if passages else doc.title)
            for p in passages:
                lines += [part for part in p.section.split(" › ") if part not in lines] + p.text.split("\n")
    return "\n".join(lines)


EXTRACTORS = {"docsante": docsante_text, "pypdf": pypdf_text, "pdfminer.six": pdfminer_text,
              "pdfplumber": pdfplumber_text, "pypdfium2": pypdfium2_text}


def words(text: str) -> Counter:
    return Counter(w.lower() for w in WORD.findall(text.replace("’", "'")))


def f1(found: Counter, truth: Counter) -> float:
    common = sum((found & truth).values())
    if not common:
        return 0.0
    p, r = common / sum(found.values()), common / sum(truth.values())
    return 2 * p * r / (p + r)


def flat(text: str) -> str:
    return " ".join(WORD.findall(text.lower().replace("’", "'")))


def source_breaks() -> tuple[list[str], list[str]]:
    """Words the generator hyphenated at a line end: syllable breaks and compounds."""
    sources = " ".join(str(item) for pages in (fixtures.STRATEGY_PAGES, fixtures.ACTIVITY_PAGES)
                       for blocks in pages for block in blocks for item in block)
    split = [a + b for a, b in re.findall(r"(\w+)~\n(\w+)", sources)]
    compounds = [f"{a}-{b}" for a, b in re.findall(r"(\w+)-\^\n(\w+)", sources)]
    return split, compounds


def furniture_lines(text: str) -> int:
    patterns = [re.escape(fixtures.HEADER), re.escape(fixtures.FOOTER_LEFT), r"IREPS BFC – Rapport", r"Page \d+ / \d+"]
    return sum(1 for line in text.splitlines() if any(re.search(p, line) for p in patterns))


def score(name: str, extract, pdfs: list[Path]) -> dict:
    split, compounds = source_breaks()
    found_all, truth_all = Counter(), Counter()
    rows = rows_found = sentences = sentences_found = furniture = whole = kept = short = short_found = 0
    for pdf in pdfs:
        out = extract(pdf)
        truth = (TRUTH / f"{pdf.stem}.txt").read_text("utf-8")
        found_all += words(out)
        truth_all += words(truth)
        out_lines = [flat(line) for line in out.splitlines()]
        for line in truth.splitlines():
            if " | " in line:
                rows += 1
                cells = [flat(c) for c in line.split(" | ")]
                rows_found += any(re.search(r"\b" + r"\b.*\b".join(map(re.escape, cells)) + r"\b", o) for o in out_lines)
            elif len(line.split()) >= 10:
                sentences += 1
                sentences_found += flat(" ".join(line.split()[:10])) in flat(out)
            else:
                short += 1
                short_found += any(flat(line) in o for o in out_lines)
        furniture += furniture_lines(out)
        out_words = words(out)
        whole += sum(1 for w in split if out_words[w.lower()] and w.lower() in words(truth))
        kept += sum(1 for w in compounds if out_words[w.lower()] and w.lower() in words(truth))
    in_truth = lambda ws: sum(1 for pdf in pdfs for w in ws if w.lower() in words((TRUTH / f"{pdf.stem}.txt").read_text("utf-8")))
    return {"engine": name, "word F1": f"{f1(found_all, truth_all):.3f}",
            "words rejoined": f"{whole}/{in_truth(split)}", "compounds kept": f"{kept}/{in_truth(compounds)}",
            "table rows": f"{rows_found}/{rows}", "sentences in order": f"{sentences_found}/{sentences}",
            "short lines whole": f"{short_found}/{short}",
            "furniture lines left": str(furniture)}


def speed(extract, pdf: Path, pages: int) -> str:
    started = time.perf_counter()
    extract(pdf)
    return f"{pages / (time.perf_counter() - started):.1f}"


def table(rows: list[dict]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(r[h] for h in head) + " |" for r in rows])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=80, help="pages of the long report timed for speed")
    args = parser.parse_args()
    pdfs = sorted(DOCUMENTS.glob("*.pdf"))
    rows = [score(name, extract, pdfs) for name, extract in EXTRACTORS.items()]
    with tempfile.TemporaryDirectory() as tmp:
        long = Path(tmp) / "long-report.pdf"
        fixtures.make_long_pdf(long, args.pages)
        for row in rows:
            row["pages/s"] = speed(EXTRACTORS[row["engine"]], long, args.pages)
    print(f"### PDF extraction: {len(pdfs)} fixture PDFs; speed on a {args.pages}-page report\n")
    print(table(rows))
    print(f"\n### Words hyphenated at a line end: {len(LINE_BREAKS)} French line breaks "
          f"({sum(not c for *_, c in LINE_BREAKS)} syllable breaks, {sum(c for *_, c in LINE_BREAKS)} compounds)\n")
    results = []
    for name, rule in LINE_BREAK_RULES.items():
        right = sum(rule(left, r) != compound for left, r, compound in LINE_BREAKS)
        wrong = [f"{left}-{r}" for left, r, compound in LINE_BREAKS if rule(left, r) == compound]
        results.append({"rule": name, "right": f"{right}/{len(LINE_BREAKS)}",
                        "wrong": ", ".join(wrong[:6]) + (" …" if len(wrong) > 6 else "")})
    print(table(results))


if __name__ == "__main__":
    main()
