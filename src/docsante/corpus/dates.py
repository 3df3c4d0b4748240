"""A document's date, from the best evidence its file gives, never from the file system.

Dates are ISO: "YYYY-MM-DD", or "YYYY" when only the year is known.
"""

from __future__ import annotations

import re
from datetime import date
from email.utils import parsedate_to_datetime

from ..vocab.vocabulary import fold

ISO = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?!\d)")  # 2023-06-14, 2023/06/14
BASIC = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T|\s|$)")             # 20230614, ISO's basic format
FRENCH = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")     # 14/06/2023
MONTHS = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre",
          "decembre")
# "14 juin 2023", "1er mars 2024", "juin 2023" (accents folded)
FRENCH_WORDS = re.compile(rf"^\s*(?:(\d{{1,2}})(?:er)?\s+)?({'|'.join(MONTHS)})\s+(\d{{4}})\b")
PDF = re.compile(r"^\s*D:(\d{4})(\d{2})?(\d{2})?")                   # D:20230614…
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")                  # "Rapport d'activité 2022", "PRS 2018-2028"
PLAUSIBLE = range(1950, 2100)
# creation times that a generator writes by default, not an author: python-docx's template
# document (2013-12-23 23:15), python-pptx's (2013-01-27 09:14) and ReportLab's reproducible mode
# (2000-01-01 00:00)
GENERATOR_DEFAULTS = {"2013-12-23T23:15", "2013-01-27T09:14", "2000-01-01T00:00"}
PDF_MINUTE = re.compile(r"^\s*D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})")


def iso_date(value) -> str | None:
    """A text holding a date (ISO, French dd/mm/yyyy or "14 juin 2023", PDF
    "D:…", an RSS feed's or e-mail's "Wed, 14 Jun 2023 10:00:00 GMT"), as ISO; None when it holds
    no plausible date.

    >>> [iso_date(v) for v in ["2023-06-14T10:00:00Z", "14/06/2023", "D:20230614093000", "2023", "hier"]]
    ['2023-06-14', '2023-06-14', '2023-06-14', '2023', None]
    >>> [iso_date(v) for v in ["2023/06/14", "20230614", "Wed, 14 Jun 2023 10:00:00 GMT", "2023-2024"]]
    ['2023-06-14', '2023-06-14', '2023-06-14', '2023']
    >>> [iso_date(v) for v in ["14 juin 2023", "1er Décembre 2024", "juin 2023", "31 février 2023"]]
    ['2023-06-14', '2024-12-01', '2023', '2023']
    """
    text = str(value or "")
    if m := FRENCH.match(text):
        day, month, year = (int(g) for g in m.groups())
        return _checked(year, month, day)
    if m := FRENCH_WORDS.match(fold(text)):
        day, month, year = m.groups()
        return _checked(int(year), MONTHS.index(month) + 1, int(day) if day else None)
    if m := PDF.match(text) or BASIC.match(text) or ISO.match(text):
        year, month, day = (int(g) if g else None for g in m.groups())
        return _checked(year, month, day)
    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _checked(stamp.year, stamp.month, stamp.day)


def creation_date(value) -> str | None:
    """A file's creation date property, as written, as ISO, unless a generator wrote it."""
    if m := PDF_MINUTE.match(str(value or "")):
        minute = "{}-{}-{}T{}:{}".format(*m.groups())
    else:
        minute = str(value or "").strip()[:16]
    return None if minute in GENERATOR_DEFAULTS else iso_date(value)


def _checked(year: int, month: int | None, day: int | None) -> str | None:
    """A full date when it is one, else the year alone (a month without its day says too little)."""
    if year not in PLAUSIBLE:
        return None
    if month is None or day is None:
        return f"{year:04d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}"


def year_in(text: str) -> str | None:
    """The first plausible year written in a text ("PRS 2018-2028" gives 2018)."""
    for m in YEAR.finditer(text or ""):
        if int(m.group(1)) in PLAUSIBLE:
            return m.group(1)
    return None
