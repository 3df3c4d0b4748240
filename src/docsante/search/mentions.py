"""What a query names: dispositifs and acteurs (by acronym or full name) and places.

Typed words are matched with the same token trie as the tagger, but acronyms
are case-insensitive here ("cls" is CLS) and place names need no context
("la Meuse", "13" and "PACA" are places when a user types them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..vocab.match import Matcher, tokens
from ..vocab.vocabulary import Vocabulary, acronym_table, vocabulary

ACRONYM, NAME = "acronym", "name"
TABLE = "acronyms"  # facet of mentions from the general acronym table (data/acronyms.tsv)


@dataclass(frozen=True)
class Mention:
    facet: str          # "dispositif", "acteur", "region", "departement" or TABLE
    value: str          # canonical id
    start: int          # token span in the analysed query words
    end: int
    via: str = NAME     # for dispositifs and table acronyms: typed as an acronym or as a name


class QueryVocabulary:
    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.dispositifs = Matcher(exact_acronyms=False)
        for e in (*vocab.entries["dispositif"].values(), *vocab.entries["acteur"].values()):
            for a in (*e.acronyms, *e.context_forms):
                self.dispositifs.add(a, (e.facet, e.id, ACRONYM))
            for n in e.names:
                self.dispositifs.add(n, (e.facet, e.id, NAME))
        self.table = Matcher()  # table acronyms must be typed in capitals: many are also words
        self.expansions: dict[str, str] = {}
        for acronym, expansion, source in acronym_table():
            if source != "dispositifs":
                self.expansions[acronym] = expansion
                self.table.add(acronym, (acronym, ACRONYM))
                self.table.add(expansion, (acronym, NAME))
        self.places = Matcher(exact_acronyms=False)  # values: (region, département code or "")
        self.cities = Matcher(proper=True)  # préfectures, capitalised: "Metz", never "tulle" the fabric
        for e in vocab.entries["region"].values():
            for f in (*e.forms, *e.context_forms):
                if len(f) > 2 or f.isupper():
                    self.places.add(f, (e.id, ""))
        for d in vocab.departments:
            for f in (*d.forms, d.code):
                self.places.add(f, (d.region, d.code))
            for city in d.cities:
                self.cities.add(city, (d.region, d.code))

    def mentions(self, text: str) -> list[Mention]:
        toks = tokens(text)
        found = [Mention(facet, d, i, j, via) for i, j, (facet, d, via) in self.dispositifs.find(toks)]
        for i, j, (region, code) in [*self.places.find(toks), *self.cities.find(toks)]:
            found.append(Mention("region", region, i, j))
            if code:  # a département: its passages first, then its region's
                found.append(Mention("departement", code, i, j))
        found += [Mention(TABLE, a, i, j, via) for i, j, (a, via) in self.table.find(toks)]
        return found


@lru_cache(maxsize=1)
def query_vocabulary() -> QueryVocabulary:
    return QueryVocabulary(vocabulary())
