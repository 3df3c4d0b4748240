"""Snippets: the best fragments of a passage with matches marked <mark>…</mark>, text escaped."""

from __future__ import annotations

from html import escape

from whoosh import highlight
from whoosh import query as wq

from ..index.whoosh_adapter import MarkFormatter, Near, merge_matched_tokens

SNIPPET_CHARS = 240
FRAGMENTS = 2


class Snippets:
    """The snippets of one search's hits. The query's words in the text field, its phrases and
    the prefixes of its truncations are read once: a passage's analysed word is marked when it
    is one of the words or starts with one of the prefixes (never expanding a truncation over
    the whole lexicon), and a phrase's words only where the phrase is ("santé" is not marked
    for the phrase "contrat local de santé" that CLS brings, unless the phrase is there)."""

    fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80)
    scorer = highlight.BasicFragmentScorer()
    formatter = MarkFormatter()

    def __init__(self, q, analyzer, field: str = "text"):
        self.analyzer = analyzer
        leaves = [leaf for leaf in q.leaves() if getattr(leaf, "fieldname", None) == field]
        self.words = frozenset(leaf.text for leaf in leaves if isinstance(leaf, wq.Term))
        self.phrases = [(leaf.words, leaf.slop, _near_at if isinstance(leaf, Near) else _phrase_at)
                        for leaf in leaves if isinstance(leaf, wq.Phrase)]
        self.prefixes = tuple(leaf.text for leaf in leaves if isinstance(leaf, wq.Prefix))

    def __call__(self, text: str) -> str:
        """The passage's best fragments, or its start when no word of it matches."""
        fragments = self.fragmenter.fragment_tokens(text, merge_matched_tokens(self._matched(text)))
        best = highlight.top_fragments(fragments, FRAGMENTS, self.scorer, highlight.FIRST, minscore=1)
        return self.formatter.format(best) or fallback_snippet(text)

    def whole(self, text: str) -> str:
        """The whole text, escaped, its matches marked (a passage's page)."""
        fragments = highlight.WholeFragmenter().fragment_tokens(text, merge_matched_tokens(self._matched(text)))
        return self.formatter.format(list(fragments)) or escape(text, quote=False)

    def _tokens(self, text: str):
        return self.analyzer(text, positions=True, chars=True, mode="index", removestops=False)

    def _matched(self, text: str):
        """The passage's tokens, marked. The analyzer hands out one token object, changed word
        after word: the phrases' places are found in a first reading of the words alone."""
        in_phrases = self._phrase_places(text) if self.phrases else ()
        for n, t in enumerate(self._tokens(text)):
            t.matched = (n in in_phrases or t.text in self.words
                         or (bool(self.prefixes) and t.text.startswith(self.prefixes)))
            yield t

    def _phrase_places(self, text: str) -> set[int]:
        """The numbers (in the token stream) of the tokens where one of the phrases stands."""
        places, words = set(), []  # words: (number in the stream, text), stop words left out as the index does
        for n, t in enumerate(self._tokens(text)):
            if not t.stopped:
                words.append((n, t.text))
        texts = [w for _, w in words]
        for phrase, slop, found_at in self.phrases:
            for start, word in enumerate(texts):
                if word == phrase[0]:
                    places.update(words[i][0] for i in found_at(texts, start, phrase, slop))
        return places


def _phrase_at(words: list[str], start: int, phrase: list[str], slop: int) -> list[int]:
    """The positions of `phrase` starting at `start`, each word 1 to `slop` positions after the
    one before (Whoosh's Phrase); none when it is not there."""
    found = [start]
    for word in phrase[1:]:
        following = range(found[-1] + 1, min(found[-1] + max(1, slop), len(words) - 1) + 1)
        step = next((i for i in following if words[i] == word), None)
        if step is None:
            return []
        found.append(step)
    return found


def _near_at(words: list[str], start: int, phrase: list[str], slop: int) -> list[int]:
    """The positions of a sloppy phrase (Near) whose first word is at `start`: each other word, in
    any order, the nearest at 1 to `slop` positions outside the span found so far; none when one is missing."""
    found = [start]
    for word in phrase[1:]:
        low, high = min(found), max(found)
        around = [i for i in range(max(0, low - slop), min(len(words), high + slop + 1))
                  if (i < low or i > high) and words[i] == word]
        if not around:
            return []
        found.append(min(around, key=lambda i: min(abs(i - low), abs(i - high))))
    return found


def fallback_snippet(text: str) -> str:
    """The start of the passage, when the match was only in its heading or title."""
    cut = text[:SNIPPET_CHARS]
    if len(text) > SNIPPET_CHARS:
        cut = cut[: cut.rfind(" ")] + " …" if " " in cut else cut + "…"
    return escape(cut, quote=False)
