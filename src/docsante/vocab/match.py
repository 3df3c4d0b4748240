"""Vocabulary matching shared by the tagger (indexer/tag.py) and query reading (search/mentions.py).

Text is cut into tokens with the analyzer's own pattern; each token keeps the word
as written (elision removed) and its key: the word analysed by the analyzer's own
chain (folded, stemmed, acronyms protected), stopwords kept, through the analyzer's
one memo. A Matcher then finds the longest non-overlapping mentions of many
multi-word forms with a token trie: acronyms match as written, other words by key,
except where a stem is shared with unrelated words: capitalised words of proper names
("Lorraine" is not the surname Lorrain, "Martinique" not Martin) and the words whose
stem is listed in data/whole_word_stems.txt ("préservatif" is not "préserver") match
as whole words, folded, a plural -s or -x aside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from .analysis import TOKEN_PATTERN, french_analyzer, strip_elision
from .vocabulary import data_text, fold, protected_words

TOKEN = re.compile(TOKEN_PATTERN)
# words of place names that match in any case: "Région Grand Est" and "région Grand Est"
GENERIC_PLACE_WORDS = frozenset({"region", "departement", "collectivit", "territorial", "ile", "ars"})
# how a trie edge matches a token: as written, by key, as a whole word, or as a whole word capitalised in the text
EXACT, KEY, WHOLE, CAPITALISED = "=", "~", "w", "^"


class Tok(NamedTuple):
    text: str   # as written, elision removed
    key: str    # analysed like an indexed word, stopwords kept
    start: int
    end: int
    whole: str = ""  # folded, a plural -s or -x aside: the word itself, not its stem
    singular: str = ""  # the key of `whole`: where the stemmer parts a plural from its singular
                        # ("cancers" → cancer, "cancer" → canc), both have this one


@lru_cache(maxsize=1)
def whole_word_stems() -> frozenset[str]:
    """Stems shared by unrelated words (data/whole_word_stems.txt): vocabulary words with
    these stems match only as whole words."""
    return frozenset(line.split("#")[0].strip() for line in data_text("whole_word_stems.txt").splitlines()
                     if line.split("#")[0].strip())


@lru_cache(maxsize=1)
def _key_analyzer():
    return french_analyzer(stop=False)


@lru_cache(maxsize=200_000)
def _word(raw: str) -> tuple[str, str, str, str]:
    """A token as written without its elision, its key, its whole-word form and that form's key."""
    word = strip_elision(raw)
    folded = fold(word)
    plural = len(folded) > 3 and folded[-1] in "sx"
    whole = folded[:-1] if plural else folded
    analyzer = _key_analyzer()
    key = analyzer.word(raw) or ""
    # the stemmer brings -aux to -al itself ("sociaux" → social), which `whole` does not;
    # a protected word ("CoDES", "Ireps") keeps its -s
    plural = plural and not whole.endswith("au") and folded not in protected_words()
    return word, key, whole, (analyzer.word(whole) or "") if plural else key


REMEMBERED_CHARS = 4096  # texts this long at most have their tokens remembered (a passage's, a title's)


def tokens(text: str) -> tuple[Tok, ...]:
    """A text's tokens. The last short texts' are remembered: a document's finishing (corpus/finish.py)
    and its tagging (indexer/tag.py) read the same title and, for a one-passage record, the same text;
    a long document's are not kept (memory)."""
    return _remembered_tokens(text) if len(text) <= REMEMBERED_CHARS else _tokens(text)


def _tokens(text: str) -> tuple[Tok, ...]:
    out, make = [], tuple.__new__  # Tok's own __new__ is a Python call: twice the time
    for m in TOKEN.finditer(text):
        word, key, whole, singular = _word(m.group())
        end = m.end()
        out.append(make(Tok, (word, key, end - len(word), end, whole, singular)))
    return tuple(out)


_remembered_tokens = lru_cache(maxsize=64)(_tokens)


def is_acronym(word: str) -> bool:
    return sum(c.isupper() for c in word) >= 2


def _pattern(form: str, proper: bool, exact_acronyms: bool) -> list[tuple[str, str]]:
    """One edge per token: acronyms match as written (`exact_acronyms`), other words by
    their key (or their singular's: see Tok.singular), or whole when their stem is shared by
    unrelated words; in proper names (`proper`), capitalised words match whole and
    capitalised in the text too."""
    edges = []
    for t in tokens(form):
        if exact_acronyms and is_acronym(t.text):
            edges.append((EXACT, t.text))
        elif proper and t.text[:1].isupper() and t.key not in GENERIC_PLACE_WORDS:
            edges.append((CAPITALISED, t.whole))
        elif t.key in whole_word_stems():
            edges.append((WHOLE, t.whole))
        else:
            edges.append((KEY, t.singular))
    return edges


class Matcher:
    """Longest non-overlapping matches of many multi-word forms, with a token trie."""

    VALUE = None  # key of the value stored at the end of a form, in a trie node

    def __init__(self, proper: bool = False, exact_acronyms: bool = True):
        self.proper, self.exact_acronyms = proper, exact_acronyms
        self.root: dict = {}
        # quick rejection of tokens that start no form: the first edges' values, by how they match
        self.first: dict[str, set[str]] = {EXACT: set(), KEY: set(), WHOLE: set()}

    def add(self, form: str, value):
        edges = _pattern(form, self.proper, self.exact_acronyms)
        if not edges:
            return
        how, first = edges[0]
        self.first[WHOLE if how == CAPITALISED else how].add(first)
        node = self.root
        for edge in edges:
            node = node.setdefault(edge, {})
        node.setdefault(self.VALUE, value)

    def _longest(self, toks: Sequence[Tok], i: int):
        best, end = None, len(toks)
        frontier = [(self.root, i)]
        while frontier:
            node, j = frontier.pop()
            if self.VALUE in node and (best is None or j > best[0]):
                best = (j, node[self.VALUE])
            if j < end:  # each edge a token may follow, in turn (a loop over them took a sixth longer)
                t = toks[j]
                if (child := node.get((EXACT, t.text))) is not None:
                    frontier.append((child, j + 1))
                if (child := node.get((KEY, t.singular))) is not None:
                    frontier.append((child, j + 1))
                if (child := node.get((WHOLE, t.whole))) is not None:
                    frontier.append((child, j + 1))
                if t.text[:1].isupper() and (child := node.get((CAPITALISED, t.whole))) is not None:
                    frontier.append((child, j + 1))
        return best

    def find(self, toks: Sequence[Tok]):
        """Yield (start_index, end_index, value)."""
        keys, exact, whole = self.first[KEY], self.first[EXACT], self.first[WHOLE]
        end = 0
        for i in [i for i, t in enumerate(toks) if t.singular in keys or t.text in exact or t.whole in whole]:
            if i >= end and (found := self._longest(toks, i)):
                yield i, found[0], found[1]
                end = found[0]
