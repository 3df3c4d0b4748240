"""« Vouliez-vous dire » : respell words the index does not know, when that finds more.
A word of a vocabulary name (a region, a department, a dispositif, an acronym…) is a name
the user meant, even when the index has never seen it: « PTSM en Corse » stays."""

from __future__ import annotations

import re

from ..vocab.vocabulary import vocabulary_words
from .parse import Clauses

MAX_EDITS = 2


def respell(query: str, parsed: Clauses, searcher, compiler) -> str | None:
    """The query with each unknown word replaced by the closest indexed word (folded),
    or None when every word is known or nothing close exists."""
    corrector = None
    corrected = query
    changed = False
    for word in parsed.free_words():
        forms = compiler.normalized(word.text)
        if len(forms) != 1 or forms[0] in vocabulary_words() or searcher.doc_frequency("words", forms[0]) > 0:
            continue
        corrector = corrector or searcher.corrector("words")
        suggestion = next(iter(corrector.suggest(forms[0], limit=1, maxdist=MAX_EDITS, prefix=1)), None)
        if suggestion:
            corrected = re.sub(rf"(?<!\w){re.escape(word.text)}(?!\w)", suggestion, corrected, count=1)
            changed = True
    return corrected if changed else None
