"""« Vouliez-vous dire » : respell words the index does not know, when that finds more."""

from __future__ import annotations

import re

from ..schema import TEXT_FIELDS
from .parse import Clauses

MAX_EDITS = 2


def respell(query: str, parsed: Clauses, searcher, compiler) -> str | None:
    """The query with each unknown word replaced by the closest indexed word (folded),
    or None when every word is known or nothing close exists."""
    spell_fields = [searcher.schema[f].spelling_fieldname(f) for f in TEXT_FIELDS]
    correctors = None
    corrected = query
    changed = False
    for word in parsed.free_words():
        forms = compiler.normalized(word.text)
        if len(forms) != 1 or any(searcher.doc_frequency(f, forms[0]) > 0 for f in spell_fields):
            continue
        correctors = correctors or [searcher.corrector(f) for f in TEXT_FIELDS]
        suggestion = next((s for c in correctors for s in c.suggest(forms[0], limit=1, maxdist=MAX_EDITS, prefix=1)), None)
        if suggestion:
            corrected = re.sub(rf"(?<!\w){re.escape(word.text)}(?!\w)", suggestion, corrected, count=1)
            changed = True
    return corrected if changed else None
