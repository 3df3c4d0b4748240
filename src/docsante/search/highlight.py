"""Snippets: the best fragments of a passage with matches marked <mark>…</mark>, text escaped."""

from __future__ import annotations

from html import escape

from whoosh import highlight

from ..whoosh_adapter import MarkFormatter

SNIPPET_CHARS = 240


def make_highlighter() -> highlight.Highlighter:
    return highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80),
        scorer=highlight.BasicFragmentScorer(),
        formatter=MarkFormatter(),
    )


def fallback_snippet(text: str) -> str:
    """The start of the passage, when the match was only in its heading or title."""
    cut = text[:SNIPPET_CHARS]
    if len(text) > SNIPPET_CHARS:
        cut = cut[: cut.rfind(" ")] + " …" if " " in cut else cut + "…"
    return escape(cut, quote=False)
