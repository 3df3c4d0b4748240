"""Vocabulary matching shared by the tagger (indexer/tag.py) and query reading (search/mentions.py).

Text is cut into tokens with the analyzer's own pattern; each token keeps the word
as written (elision removed) and its key: the word analysed by the analyzer's own
chain (folded, stemmed, acronyms protected), stopwords kept, through the analyzer's
one memo. A Matcher then finds the longest non-overlapping mentions of many
multi-word forms with a token trie: acronyms match as written, other words by key.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from ..analysis import TOKEN_PATTERN, french_analyzer, strip_elision

TOKEN = re.compile(TOKEN_PATTERN)
# words of place names that match in any case: "Région Grand Est" and "région Grand Est"
GENERIC_PLACE_WORDS = frozenset({"region", "departement", "collectivit", "territorial", "ile", "ars"})
# how a trie edge matches a token: as written, by key, or by key when capitalised in the text
EXACT, KEY, CAPITALISED = "=", "~", "^"


class Tok(NamedTuple):
    text: str   # as written, elision removed
    key: str    # analysed like an indexed word, stopwords kept
    start: int
    end: int


@lru_cache(maxsize=1)
def _key_analyzer():
    return french_analyzer(stop=False)


@lru_cache(maxsize=200_000)
def _word(raw: str) -> tuple[str, str]:
    """A token as written without its elision, and its key."""
    return strip_elision(raw), _key_analyzer().word(raw) or ""


def tokens(text: str) -> list[Tok]:
    out = []
    for m in TOKEN.finditer(text):
        word, key = _word(m.group())
        end = m.end()
        out.append(Tok(word, key, end - len(word), end))
    return out


def is_acronym(word: str) -> bool:
    return sum(c.isupper() for c in word) >= 2


def _pattern(form: str, proper: bool, exact_acronyms: bool) -> list[tuple[str, str]]:
    """One edge per token: acronyms match as written (`exact_acronyms`), other words by
    their key; in proper names (`proper`), capitalised words must be capitalised in the text too."""
    edges = []
    for t in tokens(form):
        if exact_acronyms and is_acronym(t.text):
            edges.append((EXACT, t.text))
        elif proper and t.text[:1].isupper() and t.key not in GENERIC_PLACE_WORDS:
            edges.append((CAPITALISED, t.key))
        else:
            edges.append((KEY, t.key))
    return edges


class Matcher:
    """Longest non-overlapping matches of many multi-word forms, with a token trie."""

    VALUE = None  # key of the value stored at the end of a form, in a trie node

    def __init__(self, proper: bool = False, exact_acronyms: bool = True):
        self.proper, self.exact_acronyms = proper, exact_acronyms
        self.root: dict = {}
        self.first_texts: set[str] = set()  # quick rejection of tokens that start no form
        self.first_keys: set[str] = set()

    def add(self, form: str, value):
        edges = _pattern(form, self.proper, self.exact_acronyms)
        if not edges:
            return
        (self.first_texts if edges[0][0] == EXACT else self.first_keys).add(edges[0][1])
        node = self.root
        for edge in edges:
            node = node.setdefault(edge, {})
        node.setdefault(self.VALUE, value)

    def _longest(self, toks: list[Tok], i: int):
        best = None
        frontier = [(self.root, i)]
        while frontier:
            node, j = frontier.pop()
            if self.VALUE in node and (best is None or j > best[0]):
                best = (j, node[self.VALUE])
            if j < len(toks):
                t = toks[j]
                for edge in ((EXACT, t.text), (KEY, t.key), (CAPITALISED, t.key) if t.text[:1].isupper() else None):
                    child = node.get(edge) if edge else None
                    if child is not None:
                        frontier.append((child, j + 1))
        return best

    def find(self, toks: list[Tok]):
        """Yield (start_index, end_index, value)."""
        i, n = 0, len(toks)
        texts, keys = self.first_texts, self.first_keys
        while i < n:
            t = toks[i]
            found = self._longest(toks, i) if (t.key in keys or t.text in texts) else None
            if found:
                yield i, found[0], found[1]
                i = found[0]
            else:
                i += 1
