"""Tag passages with regions, dispositifs, acteurs and themes found in their text.

Acteurs (institutions: ARS, IREPS, CPAM…) are named and matched as dispositifs are,
then kept in a facet of their own.

Matching works on tokens folded and stemmed like the analyzer does (so plurals
and accents do not matter), except for acronyms, which must appear in capitals.
Ambiguous forms never tag on their own:
- region short forms ("GE", "Centre", "Réunion") need "ARS", "région" or "ex-" before them;
- one-word department names (often rivers: "la Meuse") need "dans", "en",
  "département de" before them or "(55)" after; department numbers need "du"/"le"
  before them and no month after, or parentheses;
- ambiguous acronyms (CPS, ETP, ASV…) count only in a document that also names
  the dispositif in full;
- a theme needs two pieces of evidence (distinct triggers, a trigger of several words,
  said twice, or in the section heading counts twice; a dispositif whose name holds a
  trigger counts once, a related one once).
"""

from __future__ import annotations

import re
from collections import Counter
from enum import Enum
from typing import NamedTuple

from ..vocab.match import Matcher, Tok, tokens
from ..vocab.vocabulary import Vocabulary, fold, vocabulary
from .chunk import Passage

# "du 13 mars": a number followed by a month is a date, not a department
MONTHS = frozenset("janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre".split())
REGION_CONTEXT = frozenset({"ars", "region", "ex"})  # keys that make a short region form a place: "ARS Centre"
# words before a person's name: "Mme Paris", "Dr Vienne" are people (an initial, "A. Martin", also says so)
CIVILITIES = frozenset("m mme mmes mlle mlles mm dr docteur pr professeur me madame monsieur".split())
DEFINED = re.compile(r"\(\s*([A-Z][A-Za-z0-9-]{1,11})\s*\)")  # "… (CLS)": the document defines an acronym
DEFINITION_REACH = 150  # characters before "(CLS)" where the dispositif's full name must stand
TITLE_CASE_MIN = 5  # acronyms this long also match in title case: "Inpes", "Ireps"
THEME_MIN_EVIDENCE = 2  # points a theme needs (see Tagger.themes_of)
DATE_REACH = 3  # tokens after a number where a month makes it a date: "du 22 au 29 avril"
MAX_DOCUMENT_REGIONS = 2  # a document naming more regions than this, as often each, is about none of them
CONTEXT_WORDS = 3  # tokens looked at before a place name for its context ("dans la", "département de")
CODE_AFTER = 6  # characters looked at after a department name for its code: "Meuse (55)"


class PlaceKind(Enum):
    REGION = "region"                  # a region's name or alias: tags on its own
    REGION_IN_CONTEXT = "region?"      # a short form ("GE", "Centre"): only after REGION_CONTEXT
    DEPARTMENT = "dep"                 # a department's name: tags on its own
    DEPARTMENT_IN_CONTEXT = "dep?"     # a one-word name, often a river ("la Meuse"): only with context


class Place(NamedTuple):
    kind: PlaceKind
    region: str


class DispositifMention(NamedTuple):
    sure: bool            # False for an ambiguous acronym: it counts only where the document names the dispositif
    id: str
    acronym: str | None   # as written, or None for a full name


def _names_a_person(text: str, before: Tok) -> bool:
    """Whether the word before a capitalised name makes it a person's: a civility ("Mme",
    "M.", "Dr") or an initial ("A.")."""
    initial = len(before.text) == 1 and before.text.isupper() and text[before.end:before.end + 1] == "."
    return initial or fold(before.text) in CIVILITIES


def _acronym_forms(acronym: str) -> list[str]:
    """An acronym as written, and in title case when it is long enough not to be a word."""
    forms = [acronym]
    if len(acronym) >= TITLE_CASE_MIN and acronym.isalpha() and acronym.isupper():
        forms.append(acronym[0] + acronym[1:].lower())
    return forms


class Tagger:
    def __init__(self, vocab: Vocabulary | None = None):
        self.vocab = vocab or vocabulary()
        self.regions, self.disp, self.themes = Matcher(proper=True), Matcher(), Matcher()
        for e in self.vocab.entries["region"].values():
            for f in e.forms:
                self.regions.add(f, Place(PlaceKind.REGION, e.id))
            for f in e.context_forms:
                self.regions.add(f, Place(PlaceKind.REGION_IN_CONTEXT, e.id))
        for d in self.vocab.departments:
            for f in d.forms:
                kind = PlaceKind.DEPARTMENT_IN_CONTEXT if d.needs_context else PlaceKind.DEPARTMENT
                self.regions.add(f, Place(kind, d.region))
        self.disp_names = Matcher()  # names only: to check a document's own "name (ACRONYM)"
        self.acronym_ids: dict[str, set[str]] = {}
        named_entries = [*self.vocab.entries["dispositif"].values(), *self.vocab.entries["acteur"].values()]
        self.facet_of = {e.id: e.facet for e in named_entries}
        for e in named_entries:
            for name in e.names:
                self.disp.add(name, DispositifMention(True, e.id, None))
                self.disp_names.add(name, e.id)
            for acronym in (*e.acronyms, *e.context_forms):
                sure = acronym not in e.context_forms
                for form in _acronym_forms(acronym):
                    self.disp.add(form, DispositifMention(sure, e.id, acronym))
                self.acronym_ids.setdefault(acronym, set()).add(e.id)
        for e in self.vocab.entries["theme"].values():
            for f in e.forms:
                self.themes.add(f, e.id)
        self.dep_codes = {d.code: d.region for d in self.vocab.departments}
        self.theme_of_disp: dict[str, set[str]] = {}
        for e in named_entries:
            for t in e.themes:
                self.theme_of_disp.setdefault(e.id, set()).add(t)
        for e in self.vocab.entries["theme"].values():
            for d in e.themes:
                self.theme_of_disp.setdefault(d, set()).add(e.id)
        # a dispositif whose very name holds a theme's trigger (CLSM: "santé mentale") is about that theme
        self.intrinsic = {e.id: {(t, form) for n in e.names for t, form in self._trigger_forms(tokens(n))}
                          for e in named_entries}

    # -- regions
    def region_mentions(self, text: str, toks: list[Tok] | None = None) -> list[str]:
        """Regions named in `text` (one item per mention); `toks` = tokens(text) if already computed."""
        toks = tokens(text) if toks is None else toks
        found = []
        for i, j, (kind, region) in self.regions.find(toks):
            if i and _names_a_person(text, toks[i - 1]):
                continue
            prev = [t.key for t in toks[max(0, i - CONTEXT_WORDS):i]]
            if kind is PlaceKind.REGION_IN_CONTEXT and not (prev and prev[-1] in REGION_CONTEXT):
                continue
            if kind is PlaceKind.DEPARTMENT_IN_CONTEXT:
                written = toks[i].text
                after = text[toks[j - 1].end:toks[j - 1].end + CODE_AFTER]
                if not written[:1].isupper() or not (
                        (prev and prev[-1] in ("en", "dan")) or (len(prev) >= 2 and prev[-2] == "dan")
                        or any(p.startswith("departement") for p in prev) or re.match(r"\s*\(\d", after)):
                    continue
            found.append(region)
        for i, t in enumerate(toks):
            region = self.dep_codes.get(t.text)
            if region is None or not t.text[0].isdigit():
                continue
            before, after = text[max(0, t.start - 1):t.start], text[t.end:t.end + 1]
            prev = toks[i - 1].key if i else ""
            following = [fold(x.text) for x in toks[i + 1:i + 1 + DATE_REACH]]  # "du 22 au 29 avril" is a date
            if (before == "(" and after == ")") or (
                    prev in ("du", "le", "departement", "departemental") and not MONTHS.intersection(following)
                    and not (following and following[0].isdigit())):
                found.append(region)
        return found

    # -- dispositifs
    def dispositif_matches(self, toks: list[Tok]) -> list[DispositifMention]:
        """The dispositifs named in the tokens, one per mention."""
        return [value for _, _, value in self.disp.find(toks)]

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
                if not ids & {d for _, _, d in self.disp_names.find(before)}:
                    out.add(acronym)
        return out

    def tag(self, passages: list[Passage], title: str = "", meta_regions: list[str] = ()) -> str:
        """Set regions, dispositifs, acteurs and themes on the passages of one document, in place;
        return the body that issues it, when it names one ("" otherwise)."""
        if not passages:
            return ""
        texts = [f"{p.section}\n{p.text}" for p in passages]
        toks = [tokens(t) for t in texts]
        title_toks = tokens(title)
        mentions = [self.region_mentions(t, tk) for t, tk in zip(texts, toks)]
        if meta_regions:
            dominant = [r for r in (self.vocab.try_resolve("region", m) for m in meta_regions) if r]
        else:
            dominant = sorted(set(self.region_mentions(title, title_toks)))
            if not dominant:  # else the most named region(s), unless the document names many as often (a national review)
                counts = Counter(r for m in mentions for r in m)
                top = max(counts.values(), default=0)
                dominant = sorted(r for r, n in counts.items() if n == top)
                if len(dominant) > MAX_DOCUMENT_REGIONS:
                    dominant = []
        redefined = self.redefined([title, *texts])
        disp_hits = [[h for h in self.dispositif_matches(tk) if h[2] not in redefined] for tk in toks]
        named = {d for hits in disp_hits for sure, d, _ in hits if sure}
        title_hits = self.dispositif_matches(title_toks)
        named |= {d for sure, d, _ in title_hits if sure}
        # what the whole document is about: the dispositifs its title names pass to all its passages
        # (its headings pass theirs down through each passage's heading path, read with its text)
        inherited = {d for _, d, a in title_hits if a not in redefined and d in named and self.facet_of[d] == "dispositif"}
        # a title naming one theme heads every passage; one naming several ("Vaccination et arboviroses")
        # heads each section of one of them
        title_heading = title_toks if len({t for t, _ in self._trigger_forms(title_toks)}) <= 1 else []
        for p, regions, hits, tk in zip(passages, mentions, disp_hits, toks):
            here = {d for sure, d, _ in hits if sure or d in named}
            heading_end = len(p.section)
            p.tags = {"region": sorted(set(dominant) | set(regions)),
                      "dispositif": sorted(d for d in here | inherited if self.facet_of[d] == "dispositif"),
                      "acteur": sorted(d for d in here if self.facet_of[d] == "acteur"),
                      # the title heads every passage: its theme triggers count as a heading's; related
                      # themes come only from what the passage itself names
                      "theme": self.themes_of(p, [t for t in tk if t.start > heading_end],
                                              title_heading + [t for t in tk if t.start < heading_end],
                                              named=sorted(here))}
        return self._issuer([h for h in title_hits if h[2] not in redefined] + disp_hits[0], passages[0].tags["region"])

    def _issuer(self, mentions: list[DispositifMention], regions: list[str]) -> str:
        """The body that issues the document: the first acteur surely named (in its title, then
        its first passage), with the region when the acteur has one body per region and the
        document one region ("ARS Grand Est"), else its full name ("Santé publique France")."""
        acteur = next((d for sure, d, _ in mentions if sure and self.facet_of[d] == "acteur"), None)
        if acteur is None:
            return ""
        entry = self.vocab.entries["acteur"][acteur]
        if entry.regional and len(regions) == 1:
            return f"{entry.label} {self.vocab.label('region', regions[0])}"
        return entry.name or entry.label

    def _trigger_forms(self, toks: list[Tok]) -> set[tuple[str, tuple[str, ...]]]:
        """(theme, trigger form) for each distinct trigger found."""
        return {(theme, tuple(t.key for t in toks[i:j])) for i, j, theme in self.themes.find(toks)}

    def themes_of(self, p: Passage, text_toks: list[Tok] | None = None, heading_toks: list[Tok] | None = None,
                  named: list[str] | None = None) -> list[str]:
        """Themes with enough evidence: distinct triggers in the text (1 each, 2 for a trigger
        of several words, specific enough on its own: "prévention du suicide", or said twice: the
        passage comes back to it), in the heading
        (2 each), a dispositif or acteur the passage names whose name holds a trigger (1: CLSM
        in a list of partners is not a passage about mental health), other related ones (1 in all)."""
        text_toks = tokens(p.text) if text_toks is None else text_toks
        heading_toks = tokens(p.section) if heading_toks is None else heading_toks
        evidence: Counter[str] = Counter()
        found = [(theme, tuple(t.key for t in text_toks[i:j])) for i, j, theme in self.themes.find(text_toks)]
        in_text, repeated = set(found), Counter(form for _, form in found)
        for theme, form in in_text:
            evidence[theme] += 2 if len(form) > 1 or repeated[form] > 1 else 1
        for theme in {t for t, _ in self._trigger_forms(heading_toks)}:
            evidence[theme] += 2
        named = (*p.tags.get("dispositif", ()), *p.tags.get("acteur", ())) if named is None else named
        intrinsic = {tf for d in named for tf in self.intrinsic.get(d, ())}
        for theme, _ in intrinsic - in_text:  # a trigger form counts once, named or implied
            evidence[theme] += 1
        intrinsic_themes = {t for t, _ in intrinsic}
        for theme in {t for d in named for t in self.theme_of_disp.get(d, ())} - intrinsic_themes:
            evidence[theme] += 1
        return sorted(t for t, n in evidence.items() if n >= THEME_MIN_EVIDENCE)
