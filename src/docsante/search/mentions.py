"""What a query names: dispositifs and acteurs (by acronym or full name) and places.

Typed words are matched with the same token trie as the tagger, but acronyms are
case-insensitive here ("cls" is CLS). Places are read by the tagger's own rules
(vocab/mentions.py, query_places): never an ordinary word in small letters
("quartiers nord", "centre de santé"), never a bare number ("CLS 13").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..vocab.match import Matcher, tokens
from ..vocab.mentions import text_mentions
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

    def mentions(self, text: str) -> list[Mention]:
        toks = tokens(text)
        found = [Mention(facet, d, i, j, via) for i, j, (facet, d, via) in self.dispositifs.find(toks)]
        for i, j, place in text_mentions().query_places(text):
            found.append(Mention("region", place.region, i, j))
            if place.departement:  # a département: its passages first, then its region's
                found.append(Mention("departement", place.departement, i, j))
        found += [Mention(TABLE, a, i, j, via) for i, j, (a, via) in self.table.find(toks)]
        return found


@lru_cache(maxsize=1)
def query_vocabulary() -> QueryVocabulary:
    return QueryVocabulary(vocabulary())
