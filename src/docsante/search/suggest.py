"""Words the index does not know: matched by their closest indexed spellings, and respelt for
« Vouliez-vous dire » when that finds more. A word of a vocabulary name (a region, a department,
a dispositif, an acronym…) is a name the user meant, even when the index has never seen it:
« PTSM en Corse » stays; a word the index knows is never respelt."""

from __future__ import annotations

import re

from ..vocab.vocabulary import vocabulary_words
from .parse import Clauses, Word

CLOSE_WORDS = 3  # closest indexed spellings an unknown word is also matched by
SHORT_WORD = 5  # a word this long at most is respelt by one edit only ("cpt" is not "cps" and "cpts")


def close_words(parsed: Clauses, searcher, compiler) -> dict[Word, list[str]]:
    """For each typed word the index does not know, its closest indexed words (folded, unstemmed),
    nearest first: one or two edits away ("papilomavirus": "papillomavirus")."""
    corrector, out = None, {}
    for word in parsed.free_words():
        forms = compiler.normalized(word.text)
        if len(forms) != 1 or forms[0] in vocabulary_words() or searcher.doc_frequency("words", forms[0]) > 0:
            continue
        corrector = corrector or searcher.corrector("words")
        edits = 1 if len(forms[0]) <= SHORT_WORD else 2
        if found := list(corrector.suggest(forms[0], limit=CLOSE_WORDS, maxdist=edits, prefix=1)):
            out[word] = found
    return out


def respell(query: str, close: dict[Word, list[str]]) -> str | None:
    """The query with each unknown word replaced by its closest indexed word; None when there is none."""
    corrected = query
    for word, found in close.items():
        respelt = found[0].capitalize() if word.text[:1].isupper() else found[0]  # « Montpellier » stays capitalised
        corrected = re.sub(rf"(?<!\w){re.escape(word.text)}(?!\w)", respelt, corrected, count=1)
    return corrected if close else None
