"""Saved searches (veille, the library portals' « bannettes »): a query and its filters kept
under a name beside the index, run again to see only the passages of documents added or
changed since the last run.

The file is `<index>.veille.json`, next to the index folder (a rebuild replaces the folder,
not its neighbours), rewritten whole and atomically under a lock (filelock's, beside it)."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from filelock import FileLock

from ..errors import DocsanteError, WatchNotFound
from ..facets import BY_NAME
from .dates import after
from .results import Results

MAX_NAME = 100
RUN_LIMIT = 100  # passages shown per saved search and run


@dataclass(frozen=True)
class Watch:
    name: str
    query: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    created: str = ""
    last_run: str | None = None  # when it last ran (UTC)
    seen: str | None = None      # the newest change stamp in the index at that run

    def describe(self) -> str:
        parts = [f"« {self.query} »" if self.query else "tous les passages"]
        parts += [f"{BY_NAME[name].one} : {', '.join(values)}" for name, values in self.filters.items() if values]
        return " ; ".join(parts)


@dataclass(frozen=True)
class WatchRun:
    watch: Watch        # as it was before this run
    first: bool         # a first run shows every matching passage
    results: Results    # newest documents first

    def to_dict(self) -> dict:
        return {"name": self.watch.name, "query": self.watch.query, "filters": self.watch.filters,
                "first_run": self.first, "since": self.watch.last_run, "total": self.results.total,
                "hits": [h.to_dict() for h in self.results.hits]}


class Searchable(Protocol):
    """What saved searches need of an index (search/engine.py's Index)."""
    path: Path

    def search(self, query: str, **options) -> Results: ...

    def last_change(self) -> str | None: ...


def watches_path(index_dir: Path) -> Path:
    return index_dir.with_name(index_dir.name + ".veille.json")


class Watches:
    """The saved searches of one index (`Index.watches()`); the CLI's `veille` only calls this."""

    def __init__(self, index: Searchable):
        self.index = index
        self.path = watches_path(index.path)

    def list(self) -> tuple[Watch, ...]:
        return tuple(self._read().values())

    def add(self, name: str, query: str, **filters) -> Watch:
        """Save a search with its facet filters (Index.search's keywords of the same names). The
        query and filters are checked by running it once (QueryError, UnknownFacetValue, TypeError);
        a name already taken is refused."""
        name = " ".join(str(name).split())
        if not name or len(name) > MAX_NAME:
            raise DocsanteError(f"Nom de veille vide ou trop long ({MAX_NAME} caractères au plus).")
        self.index.search(query, **filters, limit=0)
        filters = {k: [str(v)] if isinstance(v, (str, int)) else [str(x) for x in v] for k, v in filters.items() if v}
        watch = Watch(name, query, filters, created=_now())
        with self._editing() as watches:
            if name in watches:
                raise DocsanteError(f"Une veille s'appelle déjà « {name} » ; retirez-la d'abord "
                                    f"(docsante veille remove « {name} »).")
            watches[name] = watch
        return watch

    def remove(self, name: str) -> None:
        with self._editing() as watches:
            if name not in watches:
                raise WatchNotFound(_unknown(name, watches))
            del watches[name]

    def run(self, names=None, *, limit: int = RUN_LIMIT) -> list[WatchRun]:
        """Run saved searches (all, or those named): each gives the passages of documents added
        or changed since its last run, newest documents first, and the run is recorded."""
        with self._editing() as watches:
            chosen = list(watches) if not names else list(dict.fromkeys(names))
            unknown = [n for n in chosen if n not in watches]
            if unknown:
                raise WatchNotFound(_unknown(unknown[0], watches))
            runs = []
            for name in chosen:
                watch = watches[name]
                seen = self.index.last_change()  # read before searching: a commit in between is shown twice, never missed
                results = self.index.search(watch.query, **watch.filters, sort="date", limit=limit,
                                            new_since=after(watch.seen) if watch.seen else None)
                runs.append(WatchRun(watch, watch.seen is None, results))
                watches[name] = Watch(watch.name, watch.query, watch.filters, watch.created, _now(), seen or watch.seen)
        return runs

    def _read(self) -> dict[str, Watch]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return {w["name"]: Watch(**w) for w in data["watches"]}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise DocsanteError(f"Le fichier de veille {self.path} est illisible ({type(e).__name__}) ; "
                                f"corrigez-le ou supprimez-le.") from e

    @contextmanager
    def _editing(self):
        """The saved searches, to change in place: written back atomically when the block
        ends without error, one writer at a time."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # the lock is a file of its own: the saved searches' file itself is replaced
        with FileLock(self.path.parent / f".{self.path.name}.lock"):
            watches = self._read()
            yield watches
            data = {"version": 1, "watches": [asdict(w) for w in watches.values()]}
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(data, f, ensure_ascii=False, indent=2)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _unknown(name: str, watches: dict) -> str:
    known = ", ".join(f"« {n} »" for n in watches) or "aucune"
    return f"Aucune veille « {name} » (veilles enregistrées : {known})."
