"""French analysis chain, in Lucene's order.

tokenizer -> elision -> lowercase -> accent folding -> stopwords -> Snowball stemming
(protected words untouched). The word lists come from vocabulary.py; the vocabulary's
matching (match.py) compares words by this chain's keys, which is why it lives in this layer.

This module's import path is pickled into every index schema: never rename it, nor the
classes below (indexes written before it moved here read them through docsante/analysis.py).

>>> [t.text for t in french_analyzer()("L’Agence régionale de santé (ARS) et les CPTS")]
['agenc', 'regional', 'sant', 'ars', 'cpts']
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial

import Stemmer
from unidecode import unidecode
from whoosh.analysis import CompositeAnalyzer, Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token

from .vocabulary import protected_words, stopwords

# A word, possibly with inner apostrophes: "aujourd'hui", "l'atelier", "qu’il".
TOKEN_PATTERN = r"\w+(?:['’]\w+)*"

ELIDED = frozenset("l d j m n s t c qu jusqu lorsqu puisqu quoiqu".split())


def strip_elision(word: str) -> str:
    """The word without a leading elided article or pronoun, apostrophes normalised.

    >>> [strip_elision(w) for w in ["l’avion", "qu'il", "aujourd'hui"]]
    ['avion', 'il', "aujourd'hui"]
    """
    word = word.replace("’", "'")
    head, sep, tail = word.partition("'")
    return tail if sep and tail and head.lower() in ELIDED else word


class ElisionFilter(Filter):
    """Drop a leading elided article or pronoun; other apostrophes stay.

    >>> [t.text for t in (RegexTokenizer(TOKEN_PATTERN) | ElisionFilter())("l’avion qu'il aujourd'hui")]
    ['avion', 'il', "aujourd'hui"]
    """

    def __call__(self, tokens):
        for t in tokens:
            t.text = strip_elision(t.text)
            yield t


class AsciiFoldFilter(Filter):
    """Fold accents and ligatures to lowercase ASCII; drop tokens left empty.

    >>> [t.text for t in (RegexTokenizer(TOKEN_PATTERN) | AsciiFoldFilter())("Œuvre santé")]
    ['oeuvre', 'sante']
    """

    def __call__(self, tokens):
        for t in tokens:
            if not t.text.isascii():
                t.text = "".join(unidecode(t.text).split()).lower()
                if not t.text:
                    continue
            yield t


def _singular_stem(stem: Callable[[str], str], word: str) -> str:
    """Snowball's stem, with two plurals it leaves apart from their singular brought back to it:
    -issions, which it strips as a verb's ending ("commissions" → comm, like "comme"; now
    commiss, like "commission"), and -eux, which it keeps ("milieux", "enjeux" → milieu, enjeu;
    "anxieux", "anxieuse" → anxieu). Other plurals it misses were measured and left (docs/measures.md,
    Measured quality: each brought more wrong matches than right ones)."""
    if word.endswith("issions"):
        word = word[:-1]
    word = stem(word)
    return word[:-1] if word.endswith("eux") else word


class FrenchStemFilter(Filter):
    """Snowball French stemming (PyStemmer), two plurals brought to their singular's stem
    (see _singular_stem); protected words are left as they are.

    >>> [t.text for t in (RegexTokenizer(TOKEN_PATTERN) | FrenchStemFilter({"ars"}))("ars contrats milieux milieu")]
    ['ars', 'contrat', 'milieu', 'milieu']
    """

    is_morph = True

    def __init__(self, protected=frozenset()):
        self.protected = frozenset(protected)
        self._stem = None

    def __getstate__(self):
        return {"protected": self.protected}

    def __setstate__(self, state):
        self.protected = state["protected"]
        self._stem = None

    def __eq__(self, other):
        return type(other) is type(self) and other.protected == self.protected

    def __call__(self, tokens):
        if self._stem is None:
            self._stem = lru_cache(maxsize=200_000)(partial(_singular_stem, Stemmer.Stemmer("french").stemWord))
        stem, protected = self._stem, self.protected
        for t in tokens:
            if t.text not in protected:
                t.text = stem(t.text)
            yield t


class FrenchAnalyzer(CompositeAnalyzer):
    """A tokenizer followed by filters that each map one word to at most one word.

    Since a word's analysis depends on nothing but the word, each distinct word
    goes through the filters once and is remembered: indexing and query parsing
    then cost one dictionary lookup per token. Positions are numbered as
    StopFilter(renumber=True) numbers them: the first kept word keeps its place,
    the next ones follow it. Calls that need character offsets, original text or
    stopped tokens (highlighting) take the plain filter chain.
    """

    MEMO_SIZE = 500_000

    def __init__(self, *composables):
        super().__init__(*composables)
        self._memos = ({}, {})  # (full chain, chain without morphological filters)

    def __getstate__(self):
        return {"items": self.items}

    def __setstate__(self, state):
        self.__init__(*state["items"])

    def __call__(self, value, no_morph=False, positions=False, chars=False, keeporiginal=False,
                 removestops=True, tokenize=True, start_pos=0, **kwargs):
        if chars or keeporiginal or not removestops or not tokenize:
            return super().__call__(value, no_morph=no_morph, positions=positions, chars=chars,
                                    keeporiginal=keeporiginal, removestops=removestops, tokenize=tokenize,
                                    start_pos=start_pos, **kwargs)
        return self._remembered(value, no_morph, positions, start_pos, kwargs)

    def word(self, raw: str) -> str | None:
        """One token's analysis (None when a filter drops it), through the memo."""
        word = self._memos[False].get(raw, False)
        return self._learn(raw, False) if word is False else word

    def positions_and_words(self, value: str) -> tuple[dict[str, list[int]], set[str]]:
        """A text's indexed words, each with its positions (numbered as `_remembered` numbers them), and
        its words as the chain without morphological filters gives them (unstemmed), in one pass."""
        stemmed, bare = self._memos
        positions: dict[str, list[int]] = {}
        unstemmed = set()
        pos = None
        for i, raw in enumerate(self.items[0].expression.findall(value)):
            word = stemmed.get(raw, False)
            if word is False:
                word = self._learn(raw, False)
            if word is None:  # a stopword, in both chains
                continue
            plain = bare.get(raw, False)
            unstemmed.add(self._learn(raw, True) if plain is False else plain)
            pos = i if pos is None else pos + 1
            if (found := positions.get(word)) is None:
                positions[word] = [pos]
            else:
                found.append(pos)
        return positions, unstemmed

    def _learn(self, raw: str, no_morph: bool) -> str | None:
        """Analyse a token not seen yet and remember it (the memo is emptied when full)."""
        memo = self._memos[no_morph]
        word = self._analyse_word(raw, no_morph)
        if len(memo) >= self.MEMO_SIZE:
            memo.clear()
        memo[raw] = word
        return word

    def _remembered(self, value, no_morph, positions, start_pos, kwargs):
        memo = self._memos[no_morph]
        token = Token(positions, removestops=True, **kwargs)
        pos = None
        for i, match in enumerate(self.items[0].expression.finditer(value)):
            raw = match.group(0)
            word = memo.get(raw, False)
            if word is False:
                word = self._learn(raw, no_morph)
            if word is None:
                continue
            token.text, token.boost, token.stopped = word, 1.0, False
            if positions:
                pos = start_pos + i if pos is None else pos + 1
                token.pos = pos
            yield token

    def _analyse_word(self, raw: str, no_morph: bool) -> str | None:
        token = Token(text=raw, boost=1.0, stopped=False, removestops=True)
        tokens = iter([token])
        for f in self.items[1:]:
            if not (no_morph and f.is_morph):
                tokens = f(tokens)
        words = [t.text for t in tokens]
        assert len(words) <= 1, "FrenchAnalyzer filters must map a word to at most one word"
        return words[0] if words else None


def french_analyzer(protected: frozenset[str] | None = None, stem: bool = True, stop: bool = True):
    """The analyzer of every text field. `stem=False` gives the normalising chain
    used for truncated terms (Lucene's `normalize()`); `stop=False` keeps stopwords
    (vocabulary matching: "contrat local de santé" has its "de")."""
    filters = [ElisionFilter(), LowercaseFilter(), AsciiFoldFilter()]
    if stop:
        filters.append(StopFilter(stoplist=stopwords(), minsize=1))
    if stem:
        filters.append(FrenchStemFilter(protected_words() if protected is None else protected))
    return FrenchAnalyzer(RegexTokenizer(TOKEN_PATTERN), *filters)
