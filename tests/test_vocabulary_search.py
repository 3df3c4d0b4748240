"""Acronyms and full names find each other, for every dispositif and acteur of the vocabulary
(issue 30): a passage that says only the acronym is found by the full name and by each of its
variants, and a passage that says only the full name is found by the acronym. Generated over the
whole vocabulary, on a real index."""

from __future__ import annotations

import re

import pytest

from conftest import indexed_folder
from docsante.vocab.vocabulary import vocabulary

ENTRIES = [e for facet in ("dispositif", "acteur") for e in vocabulary().entries[facet].values() if e.acronyms]


def slug(text: str) -> str:
    return re.sub(r"\W+", "-", text).strip("-").lower()


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    pages = {}
    for e in ENTRIES:  # "le" before the name: never the start of a sentence, where a capital would count
        name = e.names[0][0].lower() + e.names[0][1:]  # as written in a sentence: "l'ARS" keeps its capitals
        pages[f"{slug(e.id)}-sigle.txt"] = f"Les équipes travaillent avec le {e.acronyms[0]} du territoire.\n"
        pages[f"{slug(e.id)}-nom.txt"] = f"Les équipes travaillent avec le {name} du territoire.\n"
    with indexed_folder(tmp_path_factory, "vocabulaire", pages) as ix:
        yield ix


def found(ix, query: str) -> set[str]:
    return {h.doc_id.rsplit("/", 1)[-1] for h in ix.search(query, limit=100).hits}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_an_acronym_and_its_names_find_each_other(index, entry):
    acronym_page, name_page = f"{slug(entry.id)}-sigle.txt", f"{slug(entry.id)}-nom.txt"
    for name in entry.names:
        assert acronym_page in found(index, name), name
    assert name_page in found(index, entry.acronyms[0])
