"""The bodies a line names, as a documentalist records an issuer: "Ville de Grenoble", "CPTS du Pays
de Morlaix", "CPAM de la Moselle", "ARS Grand Est".

A body is a head (a word that begins a body's name: data/bodies.json, or an acteur of the
vocabulary: ARS, IREPS, CPAM…) followed by the proper name that completes it: capitalised words,
joined by "de", "du", "des", "d'", "de la", "de l'" ("Communauté de communes du Pays de Lure").
A generic head needs that name ("Ville" alone names no body); "Département" and "Région" need it to
be a place, and a capital ("en région Paca" is a territory). An acteur with one body per region is
named by its label and its region: "Agence régionale de santé Grand Est" and "ARS Grand Est" are one
body; with no region to complete it, by its full name ("Instance régionale d'éducation et de promotion
de la santé"). A role names its body: "Le Maire de Metz" signs for the Ville de Metz.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from .mentions import text_mentions
from .vocabulary import fold

CAPITAL = "A-ZÀ-ÖØ-Þ"
NAME_WORD = rf"(?:[{CAPITAL}][\w'’]*(?:-[\w'’]+)*|\d{{2,3}}|2[AB])"  # "Pays", "Saint-Dié-des-Vosges", "13"
PARTICLE = r"(?i:de\s+la\s+|de\s+l['’]\s*|de\s+|du\s+|des\s+|d['’]\s*)"
NAME_WORDS = 8  # at most this many words complete a head
# capitalised words that begin a service of a body, not its name: "Ville de Metz Direction de la santé"
SERVICE = frozenset(fold(w) for w in ("Direction", "Service", "Pôle", "Délégation", "Mission", "Unité", "Bureau",
                                      "Cellule", "Secrétariat", "Tél", "Téléphone", "Adresse", "Siège"))
# words before a generic head written in small letters that make it a body's name: "la ville de Metz"
INTRODUCERS = frozenset({"la", "le", "les", "l", "de", "du", "des", "d", "par", "pour", "entre", "et", "a", "au",
                         "avec", "sa", "son", "notre", "votre", "une", "un"})
ARTICLES = frozenset({"la", "le", "les", "l", "un", "une", "des", "du", "de"})  # not the start of a name
# generic heads whose name must be a place, and that name an institution only capitalised ("Région
# Grand Est", not "en région Grand Est")
PLACE_NEEDED = frozenset({"departement", "region"})
WORD = re.compile(r"\w+")


class Body(NamedTuple):
    name: str   # as a documentalist records it: "Ville de Grenoble", "ARS Grand Est"
    kind: str   # "collectivite", "etat", "sante" or "acteur"
    start: int  # where it is named in the line
    end: int


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(resources.files("docsante").joinpath("data/bodies.json").read_text("utf-8"))


class Heads(NamedTuple):
    pattern: re.Pattern          # a head and the name that completes it
    suffixed: re.Pattern         # a name that ends with its head: "Metz Métropole"
    kinds: dict[str, tuple[str, str]]  # a head (folded): its kind and acteur id ("" for a generic head)
    written: dict[str, str]      # a head (folded) as the data writes it: "Conseil départemental"
    acronyms: frozenset[str]     # heads matched only as written: "CPTS", "ARS"
    first_words: frozenset[str] | None  # each head's first word, casefolded (None: a head starts otherwise)

    def named(self, line: str) -> Iterator[re.Match]:
        """`pattern`'s matches in a line, not looked for in a line that holds none of the heads' first words:
        its hundreds of heads are tried at every position (`bodies` took 12.6–13.6 µs a legal article's title
        without this look, 4.7–6.6 with it)."""
        if self.first_words is not None and self.first_words.isdisjoint(w.casefold() for w in WORD.findall(line)):
            return iter(())
        return self.pattern.finditer(line)


@lru_cache(maxsize=1)
def _heads() -> Heads:
    data, vocab = _data(), text_mentions().vocab
    kinds: dict[str, tuple[str, str]] = {}
    written: dict[str, str] = {}
    exact, folded_forms = set(), set()

    def add(form: str, kind: str, acteur: str = "", acronym: bool = False):
        kinds.setdefault(fold(form), (kind, acteur))
        if form[:1].isupper():
            written.setdefault(fold(form), form)
        (exact if acronym else folded_forms).add(form)

    for kind, words in data["kinds"].items():
        for w in words:
            add(w, kind, acronym=w.isupper())
    for role in data["roles"]:
        add(role, "role")
    for e in vocab.entries["acteur"].values():
        kind = "collectivite" if e.id in data["collectivite_acteurs"] else "acteur"
        for f in (*e.forms, *e.acronyms, *e.context_forms):
            add(f, kind, e.id, acronym=f in e.acronyms or not f.islower() and f == f.upper() or len(f) <= 4)
    alternatives = [re.escape(w).replace(r"\ ", r"\s+") for w in sorted(folded_forms, key=len, reverse=True)]
    acronyms = [re.escape(w) for w in sorted(exact, key=len, reverse=True)]
    head = rf"(?P<head>(?i:{'|'.join(alternatives)})|{'|'.join(acronyms)})"
    pattern = re.compile(rf"(?<![\w-]){head}(?![\w-])(?P<name>(?:\s+{PARTICLE}?{NAME_WORD}|\s*{PARTICLE}{NAME_WORD})*)")
    suffixes = "|".join(map(re.escape, data["suffixes"]))
    suffixed = re.compile(rf"(?<![\w-])(?:{NAME_WORD}[\s-]+){{1,4}}(?:{suffixes})(?![\w-])")
    firsts = {m[0].casefold() if (m := WORD.match(form)) else None for form in (*folded_forms, *exact)}
    return Heads(pattern, suffixed, kinds, written, frozenset(exact), None if None in firsts else frozenset(firsts))


def bodies(line: str, region: str | None = None) -> list[Body]:
    """The bodies a line names, in order; `region`: the document's one region, which completes an
    acteur with one body per region that the line names alone ("l'ARS" in an ARS Grand Est note).

    >>> [b.name for b in bodies("Le Maire de Metz et la CPTS du Pays de Morlaix, avec l'ARS Grand Est")]
    ['Ville de Metz', 'CPTS du Pays de Morlaix', 'ARS Grand Est']
    >>> [b.name for b in bodies("VILLE DE GRENOBLE – Direction de la santé publique")]
    ['Ville de Grenoble']
    >>> bodies("La ville a ouvert un centre de santé.")
    []
    """
    heads = _heads()
    mentions = text_mentions()
    vocab = mentions.vocab
    found = [Body(_as_written(m[0], ""), "collectivite", m.start(), m.end()) for m in heads.suffixed.finditer(line)
             if fold(m[0].split()[0]) not in ARTICLES]
    for m in heads.named(line):
        written = " ".join(m["head"].split())
        kind, acteur = heads.kinds.get(fold(written), ("", ""))
        if not kind:
            continue
        name_words, reach = _name(m["name"])
        name = " ".join(name_words)
        places = mentions.places(name) if name else []
        end = m.start("name") + reach
        if acteur:
            entry = vocab.entries["acteur"][acteur]
            if entry.regional:  # its region: named after it, or in the form itself ("IREPS Pays de la Loire")
                places = places if places and len(name_words) <= 4 else mentions.places(written)
                place = places[0].region if places else region
                name = f"{entry.label} {vocab.label('region', place)}" if place else entry.name  # "ARS Grand Est"
                found.append(Body(name, kind, m.start(), end))
                continue
            found.append(Body(_as_written(written, name), kind, m.start(), end))
        elif name_words and (fold(written) not in PLACE_NEEDED or places and written[0].isupper()) \
                and (written[0].isupper() or _introduced(line[:m.start()])):
            if kind == "role":  # "Le Maire de Metz": the Ville de Metz
                written = next(body for role, body in _data()["roles"].items() if fold(role) == fold(written))
                kind = next(k for k, words in _data()["kinds"].items() if written in words)
            found.append(Body(_as_written(written, name), kind, m.start(), end))
    kept: list[Body] = []
    for b in sorted(found, key=lambda b: (b.start, -b.end)):
        if not kept or b.start >= kept[-1].end:  # one body per stretch of the line: "Métropole de Lyon" once
            kept.append(b)
    return kept


def _introduced(before: str) -> bool:
    """Whether a generic head written in small letters is introduced as a body's name ("la ville de
    Metz", "par la communauté de communes…"), not part of another name ("atelier santé ville de…")."""
    words = re.findall(r"[\w'’]+", before[-30:])
    return not words or fold(words[-1]).rstrip("'") in INTRODUCERS


def _name(text: str) -> tuple[list[str], int]:
    """The words of a head's name, each with its particle ("du Pays", "de Morlaix"), up to a
    service's word or NAME_WORDS words, and where the last of them ends in `text`."""
    out, end = [], 0
    for m in re.finditer(rf"\s*({PARTICLE}?)({NAME_WORD})", text):
        if fold(m[2]) in SERVICE or len(out) == NAME_WORDS:
            break
        particle = " ".join(m[1].split()).replace("’", "'")
        out.append(f"{particle}{'' if particle.endswith(chr(39)) else ' ' if particle else ''}{m[2]}")
        end = m.end()
    return out, end


PARTICLES = frozenset({"de", "du", "des", "la", "le", "les", "et"})


def _as_written(head: str, name: str) -> str:
    """A body's name as written, its first letter in capitals; a head written all in capitals
    ("CONSEIL DÉPARTEMENTAL") as the data writes it, a name ("DU GERS") in title case, its
    particles in small letters; an acronym kept."""
    heads = _heads()
    if head.isupper() and head not in heads.acronyms:
        head = heads.written.get(fold(head), head)
    words = []
    for w in f"{head} {name}".split():
        if w.upper() != w or w in heads.acronyms or not any(c.isalpha() for c in w):
            words.append(w)
            continue
        low = w.lower()
        elided = low[:2] if low[:2] in ("d'", "l'") else ""
        words.append(low if low in PARTICLES or low == elided else elided + low[len(elided):].capitalize())
    name = " ".join(words)
    return name[:1].upper() + name[1:]
