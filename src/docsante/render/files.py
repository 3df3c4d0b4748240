"""Result exports: CSV for spreadsheets, RIS for reference managers (Zotero, EndNote),
XLSX workbooks, Atom for feed readers (a saved search followed without an e-mail server)."""

from __future__ import annotations

import csv
import io
import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from feedgen.feed import FeedGenerator
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..corpus.corrections import COLUMNS as TABLE_COLUMNS, FACET_COLUMNS
from ..corpus.document import file_of
from ..corpus.issuer import ISSUERS_JOIN
from ..facets import SUBJECTS
from ..search.results import DocumentInfo, Hit, Results
from .text import plain_snippet

def _labels(facet: str) -> Callable[[Hit], str]:
    return lambda hit: ", ".join(hit.tags.get(facet, ()))


# One row per passage, the same columns in the CSV and the workbook: (French header, value of a hit)
PASSAGE_COLUMNS: tuple[tuple[str, Callable[[Hit], str | int | None]], ...] = (
    ("titre du document", lambda h: h.title), ("section", lambda h: h.heading), ("passage", lambda h: h.text),
    ("date", lambda h: h.date), ("émetteur", lambda h: h.issuer), ("type", _labels("type")),
    ("région", _labels("region")), ("département", _labels("departement")), ("dispositifs", _labels("dispositif")),
    ("acteurs", _labels("acteur")), ("thèmes", _labels("theme")), ("page", lambda h: h.page), ("lien", lambda h: h.link),
    ("référence", lambda h: h.id))


def _rows(results: Results) -> list[list]:
    return [[value(hit) for _, value in PASSAGE_COLUMNS] for hit in results.hits]


def to_csv(value: Results | tuple[DocumentInfo, ...]) -> str:
    """Passages found, one row each (PASSAGE_COLUMNS); or documents (`docsante documents`) as a metadata
    table. Both as French Excel opens them: `;`-separated, with a BOM, CRLF line ends."""
    if not isinstance(value, Results):
        return metadata_table(value)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for header, _ in PASSAGE_COLUMNS])
    writer.writerows([_cell("" if v is None else v) for v in row] for row in _rows(value))
    return "\ufeff" + out.getvalue()


def to_xlsx(results: Results) -> bytes:
    """The passages found as an Excel workbook (openpyxl): the CSV's columns, headers in bold, frozen
    and filterable; full dates as dates; a text that starts like a formula stays text."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Passages"
    sheet.append([header for header, _ in PASSAGE_COLUMNS])
    for row in _rows(results):
        sheet.append([_day(v) if header == "date" else v for (header, _), v in zip(PASSAGE_COLUMNS, row)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # openpyxl reads a string starting with "=" as a formula: never here
                cell.data_type = "s"
            elif isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    for column, (header, _) in enumerate(PASSAGE_COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(column)].width = XLSX_WIDTHS.get(header, 18)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_WIDTHS = {"titre du document": 40, "section": 30, "passage": 80, "date": 12, "page": 6, "lien": 40}


def _day(value: str | None) -> date | str | None:
    """A document's full date ("2023-06-14") as a date cell; a year alone stays as written."""
    return date.fromisoformat(value) if value and len(value) == 10 else value


def metadata_table(docs: tuple[DocumentInfo, ...]) -> str:
    """Documents as the rows of a metadonnees.csv (corpus/corrections.py), as French Excel opens it:
    `;`-separated, with a BOM. A file is named from the folder all the files listed share, where the
    table, corrected, is saved back; a record by its id. Regions, départements and types by their names."""
    files = {d.doc_id: file_of(d.source) for d in docs if d.doc_id == d.source and os.path.isabs(d.source)}
    common = Path(os.path.commonpath([f.parent for f in files.values()])) if files else None
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(TABLE_COLUMNS)
    for d in docs:
        file = files.get(d.doc_id)
        name = file.relative_to(common).as_posix() if file and common else d.doc_id
        writer.writerow([_cell(v) for v in (name, d.title, d.date, d.issuer,
                                            *(", ".join(d.tags.get(f, ())) for f in FACET_COLUMNS), d.url)])
    return "\ufeff" + out.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str | int | float:
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a leading
    quote (OWASP's advice for CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_ris(value: Results | Hit) -> str:
    """One RIS record per passage found (or for one passage)."""
    records = [ris_record(hit) for hit in (value.hits if isinstance(value, Results) else (value,))]
    return "\r\n".join(records) + ("\r\n" if records else "")


def ris_record(hit: Hit) -> str:
    """A passage's RIS record: its heading as title, the document as secondary title, the
    issuing body as author (AU, one name without a comma: Zotero keeps it whole; a contract's
    signatories one AU each), the passage
    as abstract, year (PY), page (SP), URL or file URL (UR), the subject facets' values (KW:
    regions, dispositifs, themes), section (N1)."""
    fields = [("TY", "GEN"), ("TI", hit.section or hit.title), ("T2", hit.title)]
    fields += [("AU", body.replace(",", " ")) for body in hit.issuer.split(ISSUERS_JOIN) if body]
    fields += [("AB", hit.text), ("DB", "docsante"), ("AN", hit.id)]
    if hit.year:
        fields.append(("PY", str(hit.year)))
    if hit.date and len(hit.date) == 10:
        fields.append(("DA", hit.date.replace("-", "/")))
    if hit.page:
        fields.append(("SP", str(hit.page)))
    if hit.link:
        fields.append(("UR", hit.link))
    fields += [("KW", kw) for f in SUBJECTS for kw in hit.tags.get(f.name, ())]
    if hit.section:
        fields.append(("N1", hit.section))
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in fields] + ["ER  - "]
    return "\r\n".join(lines)


def _one_line(text: str) -> str:
    """A RIS value on one line: every kind of line break (\\n, \\r, U+2028…) becomes a space, so an
    indexed value can never start a tag line of its own."""
    return " ".join(text.split())


def to_atom(results: Results, *, feed_url: str, page_url: str, passage_url: Callable[[str], str], title: str) -> str:
    """An Atom 1.0 feed (RFC 4287) of the hits, in their order: one entry per passage, its
    permalink as id and link, published when its document was first indexed, updated when
    it last changed, the document's date and the snippet as summary."""
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.author({"name": "docsante"})
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.language("fr")
    feed.generator("docsante")
    stamps = []
    for hit in results.hits:
        published = _moment(hit.first_indexed or hit.changed)
        updated = _moment(hit.changed) or published
        entry = feed.add_entry(order="append")
        link = passage_url(hit.id)
        entry.id(link)
        entry.title(hit.section or hit.title or hit.doc_id)
        entry.link(href=link, rel="alternate", type="text/html")
        entry.updated(updated or datetime.now(timezone.utc))
        if published:
            entry.published(published)
        origin = hit.title + (f", p. {hit.page}" if hit.page else "") + (f" ({hit.date})" if hit.date else "")
        entry.summary(f"{origin} — {plain_snippet(hit.snippet, style=lambda s: s)}")
        for term in (kw for f in SUBJECTS for kw in hit.tags.get(f.name, ())):
            entry.category(term=term)
        stamps.append(updated)
    feed.updated(max((s for s in stamps if s), default=datetime.now(timezone.utc)))
    return feed.atom_str(pretty=True).decode("utf-8")


def _moment(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp) if stamp else None
