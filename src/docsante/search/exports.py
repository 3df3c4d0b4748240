"""Result exports: CSV for spreadsheets, RIS for reference managers (Zotero, EndNote)."""

from __future__ import annotations

import csv
import io

from pathlib import PurePosixPath

from .engine import Results

CSV_COLUMNS = ["id", "doc_id", "title", "section", "page", "date", "source", "url", "score", "region", "dispositifs", "themes", "text"]


def to_csv(results: Results) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for hit in results.hits:
        d = hit.to_dict()
        writer.writerow([_cell(" ; ".join(d[c]) if isinstance(d[c], list) else "" if d[c] is None else d[c])
                         for c in CSV_COLUMNS])
    return out.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str | int | float:
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a leading
    quote (OWASP's advice for CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_ris(results: Results) -> str:
    """One RIS record per passage: its heading as title, the document as secondary title, the
    passage as abstract, year (PY), page (SP), URL or file URL (UR), dispositifs and themes (KW),
    section (N1)."""
    records = []
    for hit in results.hits:
        fields = [("TY", "GEN"), ("TI", hit.section or hit.title), ("T2", hit.title), ("AB", hit.text),
                  ("DB", "docsante"), ("AN", hit.id)]
        if hit.year:
            fields.append(("PY", str(hit.year)))
        if hit.page:
            fields.append(("SP", str(hit.page)))
        url = hit.url or (PurePosixPath(hit.source).as_uri() if hit.source.startswith("/") else "")
        if url:
            fields.append(("UR", url))
        fields += [("KW", kw) for kw in (*hit.dispositifs, *hit.themes)]
        if hit.section:
            fields.append(("N1", hit.section))
        lines = [f"{tag}  - {_one_line(value)}" for tag, value in fields] + ["ER  - "]
        records.append("\r\n".join(lines))
    return "\r\n".join(records) + ("\r\n" if records else "")


def _one_line(text: str) -> str:
    """A RIS value on one line: every kind of line break (\\n, \\r, U+2028…) becomes a space, so an
    indexed value can never start a tag line of its own."""
    return " ".join(text.split())
