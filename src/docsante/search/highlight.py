"""Snippets: the best fragments of a passage with matches marked <mark>…</mark>, text escaped."""

from __future__ import annotations

from html import escape

from whoosh import highlight
from whoosh import query as wq

from ..whoosh_adapter import MarkFormatter, merge_matched_tokens

SNIPPET_CHARS = 240
FRAGMENTS = 2


class Snippets:
    """The snippets of one search's hits. The query's words in the text field, and the
    prefixes of its truncations, are read once: a passage's analysed word is marked when it
    is one of them or starts with one (never expanding a truncation over the whole lexicon)."""

    fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80)
    scorer = highlight.BasicFragmentScorer()
    formatter = MarkFormatter()

    def __init__(self, q, analyzer, field: str = "text"):
        self.analyzer = analyzer
        self.words = frozenset(text for name, text in q.iter_all_terms(phrases=True) if name == field)
        self.prefixes = tuple(leaf.text for leaf in q.leaves() if isinstance(leaf, wq.Prefix) and leaf.fieldname == field)

    def __call__(self, text: str) -> str:
        """The passage's best fragments, or its start when no word of it matches."""
        tokens = self.analyzer(text, positions=True, chars=True, mode="index", removestops=False)
        fragments = self.fragmenter.fragment_tokens(text, merge_matched_tokens(self._matched(tokens)))
        best = highlight.top_fragments(fragments, FRAGMENTS, self.scorer, highlight.FIRST, minscore=1)
        return self.formatter.format(best) or fallback_snippet(text)

    def _matched(self, tokens):
        for t in tokens:
            t.matched = t.text in self.words or (bool(self.prefixes) and t.text.startswith(self.prefixes))
            yield t


def fallback_snippet(text: str) -> str:
    """The start of the passage, when the match was only in its heading or title."""
    cut = text[:SNIPPET_CHARS]
    if len(text) > SNIPPET_CHARS:
        cut = cut[: cut.rfind(" ")] + " …" if " " in cut else cut + "…"
    return escape(cut, quote=False)
