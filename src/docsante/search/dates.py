"""Dates in a search: `since`/`until` on the documents' own dates, `new_since` on when they
were indexed as new or changed, and the newest-first orders, read from the indexed date
fields (ISO strings, which sort as they read)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import numpy as np

from ..errors import QueryError
from ..index.schema import DATE_FIELDS

# --sort: what comes first (None: the best score)
SORTS = {"pertinence": None, "date": "date", "ajout": "first_indexed"}
DAY = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Period:
    """Bounds as stored strings compare: `since` and `until` are days, `new_since` a UTC time."""
    since: str | None = None
    until: str | None = None
    new_since: str | None = None

    def __bool__(self):
        return any((self.since, self.until, self.new_since))


def period(since: str | None = None, until: str | None = None, new_since: str | None = None) -> Period:
    """Users' bounds checked and made comparable. Raises QueryError (in French)."""
    return Period(_day(since, "since", end=False), _day(until, "until", end=True), _moment(new_since))


def check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise QueryError(f"Tri inconnu : « {sort} » ({', '.join(SORTS)}).")
    return sort


def after(stamp: str) -> str:
    """The `new_since` bound that keeps only what was indexed strictly after `stamp`
    (stamps are written to the microsecond)."""
    return (datetime.fromisoformat(stamp) + timedelta(microseconds=1)).isoformat(timespec="microseconds")


def _day(text: str | None, name: str, end: bool) -> str | None:
    """"2022" -> 2022-01-01 (or 2022-12-31 as an end), "2022-03" -> 2022-03-01 (2022-03-31)."""
    if text is None or not str(text).strip():
        return None
    m = DAY.fullmatch(str(text).strip())
    try:
        if not m:
            raise ValueError
        year, month, day = m.group(1), m.group(2), m.group(3)
        date(int(year), int(month or 1), int(day or 1))  # a real day
    except ValueError:
        raise QueryError(f"Date invalide pour « {name} » : « {text} » (attendu AAAA, AAAA-MM ou AAAA-MM-JJ).") from None
    return f"{year}-{month or ('12' if end else '01')}-{day or ('31' if end else '01')}"


def _moment(text: str | None) -> str | None:
    """A day (that day's start) or an ISO time (local time unless it says its zone), in UTC."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    try:
        if DAY.fullmatch(text) and len(text) == 10:
            return _day(text, "new_since", end=False)
        moment = datetime.fromisoformat(text)
    except (ValueError, QueryError):
        raise QueryError(f"Date invalide pour « new_since » : « {text} » (attendu AAAA-MM-JJ ou "
                         f"AAAA-MM-JJTHH:MM).") from None
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _start(value: str) -> str:
    return value if len(value) > 4 else value + "-01-01"


def _end(value: str) -> str:
    return value if len(value) > 4 else value + "-12-31"


class DateColumns:
    """For one index generation, each date field as a rank per document number: 0 for none,
    else 1 + the value's place among the field's sorted values."""

    def __init__(self, evaluator):
        self.values: dict[str, list[str]] = {}
        self.ranks: dict[str, np.ndarray] = {}
        for field in DATE_FIELDS:
            documents = evaluator.values(field)
            values = sorted(documents)
            rank = np.zeros(evaluator.doc_count, dtype=np.int32)
            for i, value in enumerate(values, 1):
                rank[documents[value]] = i
            self.values[field], self.ranks[field] = values, rank

    def within(self, ids: np.ndarray, bounds: Period) -> np.ndarray:
        """Which of `ids` are in the period (documents without a date are in no period)."""
        keep = np.ones(len(ids), dtype=bool)
        for field, test in (("date", bounds.since and (lambda v: _end(v) >= bounds.since)),
                            ("date", bounds.until and (lambda v: _start(v) <= bounds.until)),
                            ("changed", bounds.new_since and (lambda v: v >= bounds.new_since))):
            if test:
                allowed = np.array([False] + [test(v) for v in self.values[field]])
                keep &= allowed[self.ranks[field][ids]]
        return keep

    def newest_first(self, ids: np.ndarray, scores: np.ndarray, sort: str) -> np.ndarray:
        """The order of `ids` by the sort's field, newest first (undated last), then by score."""
        rank = self.ranks[SORTS[sort]][ids]
        return np.lexsort((ids, -scores, -rank))
