"""A folder's metadata table: `metadonnees.csv`, kept by the documentalist, corrects what was read
of its files, one row per file.

- Columns `fichier;titre;date;emetteur;region;departement;type;url`, any subset (`fichier` needed),
  in any order, headers with or without accents and capitals.
- `;` or `,` as separator, UTF-8 (with or without BOM) or Windows-1252: what Excel saves in France.
- `fichier` is the file's path from the table's folder ("cls/metz.pdf", "cls\\metz.pdf") or its
  absolute path; regions, départements and types are names, codes or labels, several separated
  by "," or "|".
- A non-empty cell overrides what was read (corpus/finish.py applies it last); a row's cells are
  part of the document as read, so a changed row re-indexes its file at the next run.
- A bad row or cell (unknown file, unreadable date, unknown region) is a Failure named with the
  table's line number; the rest of the table is applied.

`docsante documents --format csv` writes the same columns (render/files.py).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path, PureWindowsPath

from ..errors import UnknownFacetValue
from ..vocab.vocabulary import alias_key, vocabulary
from .dates import iso_date
from .document import path_text

TABLE_NAME = "metadonnees.csv"
COLUMNS = ("fichier", "titre", "date", "emetteur", "region", "departement", "type", "url")
FACET_COLUMNS = ("region", "departement", "type")  # the document facets a row sets (facets.py)
SEVERAL = re.compile(r"\s*[,|]\s*")  # between the values of one cell: "Grand Est, Bretagne"

Corrections = dict[str, object]  # one row's cells: {"titre": str, "date": iso str, "region": [ids]…}


def is_table(path: Path) -> bool:
    return alias_key(path.name) == alias_key(TABLE_NAME)


def tables_beside(file: Path) -> list[Path]:
    """The metadata table of a file's folder, for a file indexed on its own (a folder's tables are
    met as its files are walked)."""
    return [p for p in file.parent.glob("*.[cC][sS][vV]") if is_table(p)]


def read_table(table: Path, decode) -> tuple[dict[Path, Corrections], list[tuple[str, str]]]:
    """The corrections of a table, by resolved file path, and its errors as (where, reason).
    `decode`: bytes to text, as the readers decode text files (UTF-8, else Windows-1252)."""
    where = path_text(table)
    try:
        text = decode(table.read_bytes())
    except OSError as e:
        return {}, [(where, f"table illisible ({e.strerror or e})")]
    lines = text.splitlines()
    if not lines:
        return {}, []
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    rows = csv.reader(lines, delimiter=delimiter)
    header = [alias_key(h) for h in next(rows)]
    errors = [(f"{where}:1", f"colonne inconnue « {h} », ignorée (colonnes : {';'.join(COLUMNS)})")
              for h in header if h and h not in COLUMNS]
    if "fichier" not in header:
        return {}, errors + [(f"{where}:1", "colonne « fichier » absente : table ignorée")]
    out: dict[Path, Corrections] = {}
    for number, row in enumerate(rows, 2):
        cells = {h: v.strip() for h, v in zip(header, row) if h in COLUMNS and v.strip()}
        if not cells:
            continue
        name = cells.pop("fichier", "")
        path = _file(table.parent, name) if name else None
        if path is None:
            errors.append((f"{where}:{number}", f"fichier inconnu « {name} »" if name else "colonne « fichier » vide"))
            continue
        corrections, bad = _corrections(cells)
        errors += [(f"{where}:{number}", reason) for reason in bad]
        if corrections:
            out[path] = corrections
    return out, errors


def _file(folder: Path, name: str) -> Path | None:
    """The file a row names, from the table's folder or absolutely; None when there is none."""
    parts = PureWindowsPath(name).parts if "\\" in name else Path(name).parts
    path = Path(*parts) if Path(name).is_absolute() else folder.joinpath(*parts)
    try:
        return path.resolve() if path.is_file() else None
    except OSError:
        return None


def _corrections(cells: dict[str, str]) -> tuple[Corrections, list[str]]:
    """A row's cells, checked: dates read, facet values resolved to ids; and what was wrong."""
    vocab, out, bad = vocabulary(), {}, []
    for column, value in cells.items():
        if column == "date":
            date = iso_date(value)
            if date and (len(date) > 4 or value.strip() == date):  # "31/02/2020" is not the year 2020
                out["date"] = date
            else:
                bad.append(f"date illisible « {value[:40]} » (attendu : AAAA, AAAA-MM-JJ ou JJ/MM/AAAA) ; "
                           "cellule ignorée")
        elif column in FACET_COLUMNS:
            ids = []
            for name in SEVERAL.split(value):
                try:
                    ids.append(vocab.resolve(column, name))
                except UnknownFacetValue as e:
                    bad.append(f"{e} Cellule ignorée.")
            if ids:
                out[column] = sorted(set(ids))
        else:
            out[column] = " ".join(value.split())
    return out, bad

