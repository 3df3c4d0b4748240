"""The vocabularies (regions, departments, dispositifs, themes) as package data,
and the resolution of any alias a user types to a canonical facet value."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..analysis import fold
from ..errors import UnknownFacetValue

FACETS = ("region", "dispositif", "theme")
FACET_LABELS_FR = {"region": "Régions", "dispositif": "Dispositifs", "theme": "Thèmes"}
UNKNOWN_FR = {"region": "Région inconnue", "dispositif": "Dispositif inconnu", "theme": "Thème inconnu"}


@dataclass(frozen=True)
class Entry:
    facet: str
    id: str
    label: str
    forms: tuple[str, ...]                # surface forms that tag on their own
    context_forms: tuple[str, ...] = ()   # ambiguous forms: only with supporting context
    themes: tuple[str, ...] = ()          # dispositif -> related themes; theme -> related dispositifs
    acronyms: tuple[str, ...] = ()        # dispositif acronyms (the other forms are names)
    ambiguous: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f for f in self.forms if f not in self.acronyms)


@dataclass(frozen=True)
class Department:
    code: str
    label: str
    region: str
    forms: tuple[str, ...]
    needs_context: bool


def _load(name: str) -> dict:
    return json.loads(resources.files("docsante").joinpath(f"data/{name}.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def vocabulary() -> "Vocabulary":
    return Vocabulary()


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


class Vocabulary:
    def __init__(self):
        self.entries: dict[str, dict[str, Entry]] = {f: {} for f in FACETS}
        for r in _load("regions")["regions"]:
            self._add(Entry("region", r["id"], r["label"], tuple(r["aliases"]), tuple(r["context_aliases"])))
        self.departments = [Department(d["code"], d["label"], d["region"], tuple([d["label"], *d["aliases"]]), d["needs_context"])
                            for d in _load("departments")["departments"]]
        for d in _load("dispositifs")["dispositifs"]:
            forms = tuple(d["names"]) + (() if d["ambiguous"] else tuple(d["acronyms"]))
            context = tuple(d["acronyms"]) if d["ambiguous"] else ()
            self._add(Entry("dispositif", d["id"], d["label"], forms, context, tuple(d["themes"]),
                            tuple(d["acronyms"]), d["ambiguous"]))
        for t in _load("themes")["themes"]:
            self._add(Entry("theme", t["id"], t["label"], tuple(t["triggers"]), (), tuple(t["dispositifs"])))
        self._aliases = {f: self._alias_table(f) for f in FACETS}

    def _add(self, entry: Entry):
        self.entries[entry.facet][entry.id] = entry

    def _alias_table(self, facet: str) -> dict[str, str]:
        table: dict[str, str] = {}
        for e in self.entries[facet].values():
            for form in (e.id, e.label, *e.forms, *e.context_forms):
                table.setdefault(_key(form), e.id)
        if facet == "region":
            for d in self.departments:
                for form in (d.code, *d.forms):
                    table.setdefault(_key(form), d.region)
            for prefix in ("region ", "ars ", "ex "):
                for k, v in list(table.items()):
                    table.setdefault(prefix + k, v)
        return table

    def label(self, facet: str, value: str) -> str:
        entry = self.entries[facet].get(value)
        return entry.label if entry else value

    def resolve(self, facet: str, name: str) -> str:
        """The canonical id of any alias: 'PACA', '13', 'Franche-Comté', 'contrat local de santé', 'sante mentale'.

        Raises UnknownFacetValue, listing the closest valid values."""
        key = _key(name)
        table = self._aliases[facet]
        if key in table:
            return table[key]
        close = difflib.get_close_matches(key, list(table), n=5, cutoff=0.6)
        labels = list(dict.fromkeys(self.label(facet, table[c]) for c in close))
        hint = f" Valeurs proches : {', '.join(labels)}." if labels else f" Voir : docsante facets --facet {facet}."
        raise UnknownFacetValue(f"{UNKNOWN_FR[facet]} : « {name} ».{hint}")

    def try_resolve(self, facet: str, name: str) -> str | None:
        return self._aliases[facet].get(_key(name))
