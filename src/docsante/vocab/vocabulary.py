"""The vocabularies (regions, departments, dispositifs, themes) as package data,
and the resolution of any alias a user types to a canonical facet value."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from importlib import resources

from unidecode import unidecode

from ..errors import UnknownFacetValue
from ..facets import BY_NAME, TAGGED

YEAR = re.compile(r"\d{4}")  # a value of the year facet


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
    name: str = ""                        # the full name, shown beside an acronym label
    regional: bool = False                # an acteur with one body per region: "ARS" + the region names it

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
    cities: tuple[str, ...] = ()  # its préfecture and sous-préfectures (when no other place bears their name): name it alone


def small_letters(text: str) -> str:
    """A text in small letters, as long as it is, so that a match's offsets are the text's: İ, the one
    letter whose small letter is two characters, becomes i. A case-sensitive pattern over it finds what
    re.I would, where its first letters lead the search (re.I tries every position).

    >>> small_letters("FAIT À İSTANBUL")
    'fait à istanbul'
    """
    return text.replace("İ", "I").lower()


def fold(text: str) -> str:
    """Lowercase, ASCII-fold and normalise apostrophes, as the analyzer does (unidecode, whose
    transliteration of French letters and punctuation is read from a table first: a line of
    French text folds in half the time)."""
    if not text.isascii():
        text = text.translate(_fold_table())
        if not text.isascii():
            text = unidecode(text)
    return text.lower()


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """unidecode's transliteration of Latin-1, Latin Extended-A and B, and general punctuation
    (’ becomes ')."""
    return {c: unidecode(chr(c)) for c in (*range(0x80, 0x250), *range(0x2000, 0x2070))}


def data_text(filename: str) -> str:
    """A package data file's text (src/docsante/data/, see its SOURCES.md)."""
    return resources.files("docsante").joinpath(f"data/{filename}").read_text("utf-8")


def _load(name: str) -> dict:
    return json.loads(data_text(f"{name}.json"))


def data_lines(filename: str) -> list[str]:
    """The lines of a package data file, without blank lines and "#" comment lines."""
    return [line for line in data_text(filename).splitlines() if line.strip() and not line.lstrip().startswith("#")]


def word_list(filename: str) -> frozenset[str]:
    """The words of a package data file (several a line allowed); "#" lines are comments."""
    return frozenset(w for line in data_lines(filename) for w in line.split())


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return word_list("stopwords_fr.txt")


@lru_cache(maxsize=1)
def question_words() -> frozenset[str]:
    """Interrogative words ("comment", "quelles"…) that a question adds to what it asks."""
    return word_list("question_words_fr.txt")


@lru_cache(maxsize=1)
def boilerplate_patterns() -> list[str]:
    """Regular expressions of web interface labels (normalise.py)."""
    return data_lines("boilerplate_fr.txt")


class Acronym(NamedTuple):
    acronym: str
    expansion: str
    source: str  # where the pair comes from ("dispositifs": the dispositif vocabulary)


@lru_cache(maxsize=1)
def acronym_table() -> list[Acronym]:
    """The general acronym table (data/acronyms.tsv, header line first)."""
    return [Acronym(*line.split("\t")) for line in data_text("acronyms.tsv").splitlines()[1:] if line.strip()]


@lru_cache(maxsize=1)
def french_words():
    """pyspellchecker's French word list (140,000 forms with their frequencies, compounds with their hyphen)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="fr", distance=1).word_frequency


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """The words of place names (regions, départements, préfectures and sous-préfectures) that are
    no ordinary French word, folded: "martinique", "moselle", "bretagne" (data/place_words.txt). The
    stemmer leaves them whole ("Martinique" is not "martin" of Saint-Martin), and a query may name them
    in small letters."""
    return word_list("place_words.txt")


@lru_cache(maxsize=1)
def protected_words() -> frozenset[str]:
    """Words the stemmer leaves whole, folded: acronyms (dispositifs, regions written in
    capitals, the acronym table), "France" and the place words that are no ordinary word."""
    words = {"france", *place_words()}
    for d in _load("dispositifs")["dispositifs"]:
        words.update(a for a in d["acronyms"] if " " not in a)
    for r in _load("regions")["regions"]:
        words.update(a for a in r["aliases"] + r["context_aliases"] if " " not in a and a[1:].isupper())
    words.update(row.acronym for row in acronym_table())
    return frozenset(fold(w) for w in words if w)


@lru_cache(maxsize=1)
def vocabulary_words() -> frozenset[str]:
    """Every word of every name the vocabularies know (regions, departments, dispositifs,
    acteurs, themes, table acronyms), folded: names a user may type, never misspellings."""
    vocab = vocabulary()
    forms = [f for entries in vocab.entries.values() for e in entries.values()
             for f in (e.label, e.name, *e.forms, *e.context_forms)]
    forms += [f for d in vocab.departments for f in d.forms]
    forms += [row.acronym for row in acronym_table()]
    return frozenset(w for f in forms for w in alias_key(f).split())


@lru_cache(maxsize=1)
def vocabulary() -> "Vocabulary":
    return Vocabulary()


def alias_key(text: str) -> str:
    """How aliases are compared: folded, punctuation as spaces ("Provence-Alpes" ~ "provence alpes")."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


class Vocabulary:
    def __init__(self):
        self.entries: dict[str, dict[str, Entry]] = {f.name: {} for f in TAGGED}
        self.region_departements: dict[str, tuple[str, ...]] = {}  # a region's départements (not its collectivities)
        for r in _load("regions")["regions"]:
            self._add(Entry("region", r["id"], r["label"], tuple(r["aliases"]), tuple(r["context_aliases"])))
            self.region_departements[r["id"]] = tuple(r["departments"])
        self.departments = [Department(d["code"], d["label"], d["region"], tuple([d["label"], *d["aliases"]]),
                                       d["needs_context"], (*d["cities"], *d["sous_prefectures"]))
                            for d in _load("departments")["departments"]]
        self.region_of_departement = {d.code: d.region for d in self.departments}
        for d in self.departments:
            self._add(Entry("departement", d.code, d.label, (*d.forms, *d.cities)))
        self.document_types = _load("types")["types"]  # with what names each in a title or an opening (mentions.py)
        for k in self.document_types:  # each part of a label is a name: "Page web / actualité", "page web"
            self._add(Entry("type", k["id"], k["label"], (*k["title"], *k["label"].split(" / "))))
        for d in _load("dispositifs")["dispositifs"]:
            forms = tuple(d["names"]) + (() if d["ambiguous"] else tuple(d["acronyms"]))
            context = tuple(d["acronyms"]) if d["ambiguous"] else ()
            # institutions (ARS, IREPS, CPAM…) are acteurs, named and matched like dispositifs
            self._add(Entry(d.get("facet", "dispositif"), d["id"], d["label"], forms, context, tuple(d["themes"]),
                            tuple(d["acronyms"]), d["ambiguous"], d["name"], d.get("regional", False)))
        for t in _load("themes")["themes"]:
            self._add(Entry("theme", t["id"], t["label"], tuple(t["triggers"]), (), tuple(t["dispositifs"])))
        self._aliases = {f.name: self._alias_table(f.name) for f in TAGGED}

    def _add(self, entry: Entry):
        self.entries[entry.facet][entry.id] = entry

    def _alias_table(self, facet: str) -> dict[str, str]:
        table: dict[str, str] = {}
        for e in self.entries[facet].values():
            for form in (e.id, e.label, *e.forms, *e.context_forms):
                table.setdefault(alias_key(form), e.id)
        if facet == "region":
            for d in self.departments:
                for form in (d.code, *d.forms):
                    table.setdefault(alias_key(form), d.region)
            for prefix in ("region ", "ars ", "ex "):
                for k, v in list(table.items()):
                    table.setdefault(prefix + k, v)
        return table

    def label(self, facet: str, value: str) -> str:
        entry = self.entries.get(facet, {}).get(value)
        return entry.label if entry else value

    def full_name(self, facet: str, value: str) -> str:
        """What an acronym label stands for ("CLSM": "Conseil local de santé mentale"); else the label."""
        entry = self.entries.get(facet, {}).get(value)
        return entry.name or entry.label if entry else value

    def resolve(self, facet: str, name: str) -> str:
        """The canonical id of any alias: 'PACA', '13', 'Franche-Comté', 'contrat local de santé', 'sante mentale';
        a year is four digits.

        Raises UnknownFacetValue, listing the closest valid values."""
        if not BY_NAME[facet].tagged:  # the year
            if YEAR.fullmatch(name.strip()):
                return name.strip()
            raise UnknownFacetValue(f"{BY_NAME[facet].unknown} : « {name} » (attendu : quatre chiffres, ex. 2022).")
        key = alias_key(name)
        table = self._aliases[facet]
        if key in table:
            return table[key]
        close = difflib.get_close_matches(key, list(table), n=5, cutoff=0.6)
        labels = list(dict.fromkeys(self.label(facet, table[c]) for c in close))
        hint = f" Valeurs proches : {', '.join(labels)}." if labels else f" Voir : docsante facets --facet {facet}."
        raise UnknownFacetValue(f"{BY_NAME[facet].unknown} : « {name} ».{hint}")

    def try_resolve(self, facet: str, name: str) -> str | None:
        if not BY_NAME[facet].tagged:
            return name.strip() if YEAR.fullmatch(name.strip()) else None
        return self._aliases[facet].get(alias_key(name))
