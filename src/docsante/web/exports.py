"""Result exports: CSV for spreadsheets, RIS for reference managers (Zotero, EndNote)."""

from __future__ import annotations

import csv
import io

from ..search.engine import Results

CSV_COLUMNS = ["id", "doc_id", "title", "section", "page", "source", "url", "score", "region", "dispositifs", "themes", "text"]


def to_csv(results: Results) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for hit in results.hits:
        d = hit.to_dict()
        writer.writerow([" ; ".join(d[c]) if isinstance(d[c], list) else "" if d[c] is None else d[c] for c in CSV_COLUMNS])
    return out.getvalue()


def to_ris(results: Results) -> str:
    """One RIS record per passage: title, section, source, URL, the passage as abstract."""
    records = []
    for hit in results.hits:
        lines = ["TY  - GEN", f"TI  - {_one_line(hit.section or hit.title)}", f"T2  - {_one_line(hit.title)}",
                 f"AB  - {_one_line(hit.text)}", "DB  - docsante", f"AN  - {hit.id}", f"N1  - Source : {hit.source}"]
        if hit.page:
            lines.append(f"SP  - {hit.page}")
        if hit.url:
            lines.append(f"UR  - {hit.url}")
        lines += [f"KW  - {kw}" for kw in (*hit.region, *hit.dispositifs, *hit.themes)]
        lines.append("ER  - ")
        records.append("\r\n".join(lines))
    return "\r\n".join(records) + ("\r\n" if records else "")


def _one_line(text: str) -> str:
    return " ".join(text.split())
