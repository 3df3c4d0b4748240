"""What a text names: places (regions, and départements giving their region) and the
dispositifs and acteurs of the vocabulary, by acronym or full name; shared by the tagger
(indexer/tag.py) and the reading of a whole document (corpus/finish.py).

Matching works on tokens folded and stemmed as the analyzer does (so plurals and accents
do not matter), except for acronyms, which must appear in capitals. Ambiguous forms never
name a place on their own:
- region short forms ("GE", "Centre", "Réunion") need "ARS", "région" or "ex-" before them;
- one-word department names (often rivers: "la Meuse") need "dans", "en",
  "département de" before them or "(55)" after, or "de", "du", "des", "de la" ("CPAM de la
  Moselle", "du Morbihan") where no word of a river or a massif comes first ("la vallée de la
  Meuse", "le massif des Vosges"); a department's number counts only in a
  place's frame ("(57)", "département 57", "dép. 88") or as a postal code before its city
  ("57000 Metz"), never alone ("les 13 maisons", "du 10 au 12");
- a capitalised name after a civility or an initial is a person's ("Mme Paris").
Ambiguous acronyms (CPS, ETP, ASV…) are mentions that are not sure: they count only in a
document that also names the dispositif in full.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from enum import Enum
from functools import lru_cache
from typing import NamedTuple

from .match import REMEMBERED_CHARS, Matcher, Tok, tokens
from .vocabulary import Vocabulary, fold, place_words, vocabulary

REGION_CONTEXT = frozenset({"ars", "region", "ex"})  # keys that make a short region form a place: "ARS Centre"
# words before a person's name: "Mme Paris", "Dr Vienne" are people (an initial, "A. Martin", also says so)
CIVILITIES = frozenset("m mme mmes mlle mlles mm dr docteur pr professeur me madame monsieur".split())
DEFINED = re.compile(r"\(\s*([A-Z][A-Za-z0-9-]{1,11})\s*\)")  # "… (CLS)": the document defines an acronym
DEFINITION_REACH = 150  # characters before "(CLS)" where the dispositif's full name must stand
TITLE_CASE_MIN = 5  # acronyms this long also match in title case: "Inpes", "Ireps"
DEPARTMENT_WORDS = frozenset({"departement", "departemental", "dep"})  # before a code: "département 57", "dép. 88"
CONTEXT_WORDS = 3  # tokens looked at before a place name for its context ("dans la", "département de")
CODE_AFTER = 6  # characters looked at after a department name for its code: "Meuse (55)"


DE_WORDS = frozenset({"de", "du", "des"})  # keys before a one-word name: "CPAM de la Moselle", "du Morbihan"
# regional bodies named after the city they sit in: "l'académie de Nantes" serves the whole region
SEATS = frozenset({"academie", "rectorat", "universite", "diocese"})
DIRECTIONS = frozenset({"nord"})  # "les îles du Nord", "la mer du Nord": a direction, not the département
# words of rivers, massifs and landscapes before "de la Meuse", "des Vosges": the river, not the département
GEOGRAPHY = frozenset(fold(w) for w in (
    "vallée", "vallées", "rive", "rives", "berge", "berges", "bord", "bords", "fleuve", "rivière", "cours", "crue",
    "crues", "eau", "source", "sources", "embouchure", "estuaire", "bassin", "affluent", "confluence", "gorges", "golfe",
    "massif", "montagne", "montagnes", "mont", "monts", "plateau", "forêt", "canal", "eaux", "lit", "delta"))


class PlaceKind(Enum):
    REGION = "region"                  # a region's name or alias: tags on its own
    REGION_IN_CONTEXT = "region?"      # a short form ("GE", "Centre"): only after REGION_CONTEXT
    DEPARTMENT = "dep"                 # a department's name: tags on its own
    DEPARTMENT_IN_CONTEXT = "dep?"     # a one-word name, often a river ("la Meuse"): only with context
    CITY = "city"                      # a préfecture or sous-préfecture: tags its département, unless it is
    # the seat a regional body is named after ("l'académie de Nantes": its region only)


class Place(NamedTuple):
    kind: PlaceKind
    region: str
    departement: str = ""  # the INSEE code of the département named, when one is


class DispositifMention(NamedTuple):
    sure: bool            # False for an ambiguous acronym: it counts only where the document names the dispositif
    id: str
    acronym: str | None   # as written, or None for a full name


def _names_a_person(text: str, before: Tok) -> bool:
    """Whether the word before a capitalised name makes it a person's: a civility ("Mme",
    "M.", "Dr") or an initial ("A.")."""
    initial = len(before.text) == 1 and before.text.isupper() and text[before.end:before.end + 1] == "."
    return initial or fold(before.text) in CIVILITIES


ARTICLES = frozenset({"le", "la", "les", "l"})  # folded, before a place's name: "La Réunion"
DATELINE = re.compile(r"\s*\([A-Z][A-Za-z]{1,11}\)\s*[-–—]")  # "Paris (AFP) – ": where a wire was filed


def _not_a_place_here(text: str, first: Tok, last: Tok) -> bool:
    """Whether a place's name, found from `first` to `last`, is a press agency's dateline ("Paris (AFP)
    – …": not what the text is about) or part of a longer hyphenated name ("Saint-Martin" in
    "Saint-Martin-d'Hères")."""
    return bool(DATELINE.match(text, last.end)) or text[last.end:last.end + 1] == "-" \
        or text[max(0, first.start - 1):first.start] == "-"


def _names_in_small_letters(form: str) -> bool:
    """Whether a place's name still names it typed in small letters: a name of several words that
    does not start with an article ("grand est", "pays de la loire"; not "la réunion"), or a word that
    is no ordinary French word ("martinique", "metz"; not "nord", "vienne", "centre")."""
    toks = tokens(form)
    if len(toks) > 1 and toks[0].whole not in ARTICLES:
        return True
    return all(t.whole in place_words() or t.whole in ARTICLES for t in toks) and any(
        t.whole in place_words() for t in toks)


def _acronym_forms(acronym: str) -> list[str]:
    """An acronym as written, and in title case when it is long enough not to be a word."""
    forms = [acronym]
    if len(acronym) >= TITLE_CASE_MIN and acronym.isalpha() and acronym.isupper():
        forms.append(acronym[0] + acronym[1:].lower())
    return forms


def _postal_department(code: str) -> str:
    """The département of a postal code: its first two digits, three overseas, 2A or 2B in Corsica."""
    if code.startswith("97"):
        return code[:3]
    if code.startswith("20"):
        return "2A" if int(code) < 20200 else "2B"
    return code[:2]


class TextMentions:
    """The vocabulary's places, dispositifs and acteurs, ready to be found in texts."""

    def __init__(self, vocab: Vocabulary | None = None):
        self.vocab = vocab or vocabulary()
        self.regions, self.named = Matcher(proper=True), Matcher()
        # a region of one département (Guadeloupe, La Réunion…) names it too
        only = {r: codes[0] for r, codes in self.vocab.region_departements.items() if len(codes) == 1}
        for e in self.vocab.entries["region"].values():
            for f in e.forms:
                self.regions.add(f, Place(PlaceKind.REGION, e.id, only.get(e.id, "")))
            for f in e.context_forms:
                self.regions.add(f, Place(PlaceKind.REGION_IN_CONTEXT, e.id, only.get(e.id, "")))
        for d in self.vocab.departments:
            for f in d.forms:
                kind = PlaceKind.DEPARTMENT_IN_CONTEXT if d.needs_context else PlaceKind.DEPARTMENT
                self.regions.add(f, Place(kind, d.region, d.code))
            for city in d.cities:  # capitalised, as proper names match
                self.regions.add(city, Place(PlaceKind.CITY, d.region, d.code))
        self.names = Matcher()  # full names only: to check a document's own "name (ACRONYM)"
        self.acronym_ids: dict[str, set[str]] = {}
        self.entries = [*self.vocab.entries["dispositif"].values(), *self.vocab.entries["acteur"].values()]
        self.facet_of = {e.id: e.facet for e in self.entries}
        for e in self.entries:
            for name in e.names:
                self.named.add(name, DispositifMention(True, e.id, None))
                self.names.add(name, e.id)
            for acronym in (*e.acronyms, *e.context_forms):
                sure = acronym not in e.context_forms
                for form in _acronym_forms(acronym):
                    self.named.add(form, DispositifMention(sure, e.id, acronym))
                self.acronym_ids.setdefault(acronym, set()).add(e.id)
        self.dep_codes = {d.code: Place(PlaceKind.DEPARTMENT, d.region, d.code) for d in self.vocab.departments}
        # names a query may type in small letters (query_places)
        self.lowercase_places = Matcher()
        for e in self.vocab.entries["region"].values():
            for f in e.forms:
                if _names_in_small_letters(f):
                    self.lowercase_places.add(f, Place(PlaceKind.REGION, e.id, only.get(e.id, "")))
        for d in self.vocab.departments:
            for f in (*d.forms, *d.cities):
                if _names_in_small_letters(f):
                    self.lowercase_places.add(f, Place(PlaceKind.DEPARTMENT, d.region, d.code))
        self._places_in = lru_cache(maxsize=64)(lambda text: tuple(self._places(text, tokens(text))))
        # a document's type: words of its title (a kind of document first, then a dispositif that is one),
        # cues of its opening (two distinct ones are needed), the format it was read as
        self.type_words, self.type_cues = Matcher(), Matcher()
        for k in self.vocab.document_types:
            for tier, forms in enumerate((k["title"], k["implied"])):
                for f in forms:
                    self.type_words.add(f, (tier, k["id"]))
            for f in k["opening"]:
                self.type_cues.add(f, k["id"])
        self.type_of_format = {f: k["id"] for k in self.vocab.document_types for f in k["formats"]}

    # -- document types
    def title_kinds(self, title: str) -> list[tuple[int, int, str]]:
        """The kinds of document a title names, as (tier, position, type), first first: a kind of
        document (tier 0) before a dispositif that is one (tier 1). A kind named as a topic, after
        "les" or "des" ("Les contrats locaux de santé en Bretagne"), is not the title's."""
        toks = tokens(title)
        return sorted((tier, i, kind) for i, _, (tier, kind) in self.type_words.find(toks)
                      if not (i and toks[i - 1].whole in TOPIC_ARTICLES))

    # -- places
    def places(self, text: str, toks: Sequence[Tok] | None = None) -> list[Place]:
        """The places named in `text`, one per mention; `toks`: the part of tokens(text) to look at,
        when not all of them. The last texts' places are remembered: a document's finishing and its
        tagging read a one-passage record's text alike."""
        if toks is None:
            return self._places_in(text) if len(text) <= REMEMBERED_CHARS else self._places(text, tokens(text))
        return self._places(text, toks)

    def _places(self, text: str, toks: Sequence[Tok]) -> list[Place]:
        return [place for _, _, place in self.place_spans(text, toks)]

    def query_places(self, text: str) -> list[tuple[int, int, Place]]:
        """The places a query names, as (first token, end token, place) over tokens(text): as in a
        text, and also a capitalised one-word département name alone ("ASV Gard": a query gives
        no context), and a name in small letters when none of its words is an ordinary word
        ("cls martinique", "pays de la loire"; never "quartiers nord", "centre de santé")."""
        toks = tokens(text)
        spans = [*self.place_spans(text, toks, query=True),
                 *((i, j, p) for i, j, p in self.lowercase_places.find(toks)
                   if not _not_a_place_here(text, toks[i], toks[j - 1]))]
        once = {(i, j, p.region, p.departement): (i, j, p) for i, j, p in spans}
        return [once[k] for k in sorted(once)]

    def place_spans(self, text: str, toks: Sequence[Tok], query: bool = False) -> list[tuple[int, int, Place]]:
        """The places named in `text`, with their token spans; `query`: read as a query (see query_places)."""
        found = []
        for i, j, place in self.regions.find(toks):
            kind = place.kind
            if i and _names_a_person(text, toks[i - 1]) or _not_a_place_here(text, toks[i], toks[j - 1]):
                continue
            prev = [t.key for t in toks[max(0, i - CONTEXT_WORDS):i]]
            if kind is PlaceKind.REGION_IN_CONTEXT and not (prev and prev[-1] in REGION_CONTEXT):
                continue
            if kind is PlaceKind.CITY and i >= 2 and prev[-1] in DE_WORDS and toks[i - 2].whole in SEATS:
                place = Place(PlaceKind.REGION, place.region)  # its region, not its département
            if kind is PlaceKind.DEPARTMENT_IN_CONTEXT:
                written = toks[i].text
                after = text[toks[j - 1].end:toks[j - 1].end + CODE_AFTER]
                de = 0 if toks[i].whole in DIRECTIONS else 1 if prev and prev[-1] in DE_WORDS \
                    else 2 if prev[-2:] == ["de", "la"] else 0
                after_de = de and fold(toks[i - de - 1].text) not in GEOGRAPHY if i > de else bool(de)
                if not written[:1].isupper() or not (
                        query or (prev and prev[-1] in ("en", "dan")) or (len(prev) >= 2 and prev[-2] == "dan")
                        or after_de or any(p.startswith("departement") for p in prev) or re.match(r"\s*\(\d", after)):
                    continue
            found.append((i, j, place))
        for i, t in enumerate(toks):  # a number is a département only in a place's frame, never alone
            if not t.text[0].isdigit():
                continue
            if len(t.text) == 5 and t.text.isdigit():  # a postal code before its city: "57000 Metz"
                if i + 1 < len(toks) and toks[i + 1].text[:1].isupper():
                    place = self.dep_codes.get(_postal_department(t.text))
                    found += [(i, i + 1, place)] if place else []
                continue
            place = self.dep_codes.get(t.text)
            before, after = text[max(0, t.start - 1):t.start], text[t.end:t.end + 1]
            if place and ((before == "(" and after == ")") or (i and toks[i - 1].whole in DEPARTMENT_WORDS)):
                found.append((i, i + 1, place))
        return found

    # -- dispositifs
    def dispositif_matches(self, toks: Sequence[Tok]) -> list[DispositifMention]:
        """The dispositifs named in the tokens, one per mention."""
        return [value for _, _, value in self.named.find(toks)]

    def redefined(self, texts: list[str]) -> set[str]:
        """Acronyms the document defines as something else: "allocation de rentrée scolaire (ARS)"."""
        out = set()
        for text in texts:
            for m in DEFINED.finditer(text):
                acronym = m.group(1)
                ids = self.acronym_ids.get(acronym)
                if not ids:
                    continue
                before = tokens(text[max(0, m.start() - DEFINITION_REACH):m.start()])
                if not ids & {d for _, _, d in self.names.find(before)}:
                    out.add(acronym)
        return out


@lru_cache(maxsize=1)
def text_mentions() -> TextMentions:
    return TextMentions()


TOPIC_ARTICLES = frozenset({"les", "des"})  # before a kind of document: a topic, not the title's kind
TYPE_CUES_NEEDED = 2  # distinct cues of one type in a document's opening ("Présents", "Ordre du jour")


def document_type(title: str, opening: str, format: str, opening_toks: Sequence[Tok] | None = None) -> str:
    """A document's type (data/types.json), or "" when nothing makes it clear: the kind of document
    its title names first ("Compte rendu du COPIL du CLS": a compte rendu), else the type of a
    dispositif its title names ("CLS de Metz": a contrat), else TYPE_CUES_NEEDED distinct cues
    of one type in its opening (an agenda and attendees, articles and signatories, a deadline),
    else its format's (a slide deck, a web page). `opening_toks`: tokens(opening), if already read."""
    mentions = text_mentions()
    words = mentions.title_kinds(title)
    if words:
        return words[0][2]
    toks = tokens(opening) if opening_toks is None else opening_toks
    cues = {(kind, tuple(t.key for t in toks[i:j])) for i, j, kind in mentions.type_cues.find(toks)}
    clear = [kind for kind, n in Counter(kind for kind, _ in cues).most_common() if n >= TYPE_CUES_NEEDED]
    return clear[0] if clear else mentions.type_of_format.get(format, "")
