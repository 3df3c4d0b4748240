"""The French analyzer: hand-written pairs, a golden vocabulary, properties, pickling."""

import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from docsante.vocab.analysis import AsciiFoldFilter, ElisionFilter, FrenchStemFilter, TOKEN_PATTERN, french_analyzer
from docsante.vocab.vocabulary import protected_words, stopwords
from whoosh.analysis import CompositeAnalyzer, RegexTokenizer

GOLDEN = Path(__file__).parent / "golden"


def texts(chain, s):
    return [t.text for t in chain(s)]


@pytest.mark.parametrize("text, expected", [
    ("l'avion", ["avion"]), ("l’avion", ["avion"]), ("qu’il", ["il"]), ("jusqu'alors", ["alors"]),
    ("lorsqu'on", ["on"]), ("aujourd'hui", ["aujourd'hui"]), ("presqu'île", ["presqu'île"]), ("L'ARS", ["ARS"]),
])
def test_elision(text, expected):
    assert texts(RegexTokenizer(TOKEN_PATTERN) | ElisionFilter(), text) == expected


@pytest.mark.parametrize("text, expected", [
    ("santé", ["sante"]), ("Œuvre", ["oeuvre"]), ("déjà", ["deja"]), ("naïve", ["naive"]), ("ﬁn", ["fin"]),
])
def test_ascii_fold(text, expected):
    assert texts(RegexTokenizer(TOKEN_PATTERN) | AsciiFoldFilter(), text) == expected


def test_fold_is_unidecode_for_every_character():
    """fold's table of French letters and punctuation gives what unidecode gives, in any text."""
    from unidecode import unidecode
    from docsante.vocab.vocabulary import fold
    every = "".join(chr(c) for c in range(0x20, 0x3100) if not 0xD800 <= c < 0xE000)
    for text in (every, every[::-1], "Santé publique’s Œuvre — « CLS »\u00a0: 12 %", "plain ASCII"):
        assert fold(text) == unidecode(text.replace("’", "'")).lower()


def test_stemmer_leaves_protected_words():
    chain = RegexTokenizer(TOKEN_PATTERN) | FrenchStemFilter({"ars", "cpts"})
    assert texts(chain, "ars cpts contrats") == ["ars", "cpts", "contrat"]


def test_protected_words_cover_dispositif_and_table_acronyms():
    words = protected_words()
    assert {"ars", "cpts", "cls", "clsm", "ptsm", "prse", "france", "ehpad"} <= words


def test_french_stopwords_include_les_and_spare_the_season():
    assert {"les", "des", "du", "la", "qu"} <= stopwords()
    assert "ete" not in stopwords()


def golden_rows():
    for line in (GOLDEN / "analyzer_vocabulary.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, _, expected = line.partition("\t")
            yield word, expected.split()


@pytest.mark.parametrize("word, expected", list(golden_rows()))
def test_golden_vocabulary(word, expected):
    assert texts(french_analyzer(), word) == expected


def test_truncation_chain_does_not_stem():
    assert texts(french_analyzer(stem=False), "L'addictologie Régionales") == ["addictologie", "regionales"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_analyzer_never_raises_and_yields_clean_terms(s):
    for term in texts(french_analyzer(), s):
        assert term and term == term.lower() and term.isascii() and " " not in term


FRENCH_TEXT = st.lists(st.sampled_from(["le", "de", "la", "l'ARS", "qu’il", "santé", "Œuvre", "CLS", "contrats",
                                         "l'", "'", "’", "-", ".", " ", "  ", "12", "é"]), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(FRENCH_TEXT | st.text(max_size=200), st.booleans(), st.integers(0, 5))
def test_remembered_words_equal_the_filter_chain(s, no_morph, start_pos):
    """The fast path (each distinct word analysed once) gives the same words and positions as
    Whoosh running every filter on every token, stemmed or not."""
    analyzer = french_analyzer()

    def run(call):
        return [(t.text, t.pos) for t in call(analyzer, s, positions=True, no_morph=no_morph, start_pos=start_pos)]

    assert run(type(analyzer).__call__) == run(CompositeAnalyzer.__call__)


def test_analyzer_pickles_and_keeps_behaviour():
    analyzer = french_analyzer()
    clone = pickle.loads(pickle.dumps(analyzer))
    sentence = "Les contrats locaux de santé de l’ARS Hauts-de-France"
    assert texts(clone, sentence) == texts(analyzer, sentence)


def test_index_built_by_an_earlier_run_is_still_read(tmp_path):
    """An index committed in tests/golden was written by version 9 of the schema, before the
    analyzer moved to docsante/vocab: its pickled classes still load (docsante/analysis.py and
    docsante/whoosh_adapter.py), so that a rebuild can read the files it was built from."""
    from docsante.index.store import open_whoosh
    ix = open_whoosh(GOLDEN / "index-v9")
    assert type(ix.schema["text"].analyzer).__name__ == "FrenchAnalyzer"
    assert texts(ix.schema["text"].analyzer, "Les contrats locaux") == texts(french_analyzer(), "Les contrats locaux")
    sources = {f["source"] for f in ix.reader().all_stored_fields() if f.get("source")}
    assert len(sources) == 5 and all(s.endswith(".txt") for s in sources)


def test_comment_lines_of_word_lists_are_not_words():
    from docsante.vocab.vocabulary import question_words
    assert not {"the", "list", "forms", "French"} & stopwords()
    assert not {"question", "words", "not", "what"} & question_words()
    assert {"comment", "quelles", "pourquoi"} <= question_words()


ORDINARY_MIN = 200  # a word this frequent in pyspellchecker's French list is an ordinary word ("réunion", "jura")


def test_place_words_are_the_words_of_place_names_that_are_no_ordinary_word():
    """data/place_words.txt is the rule's result: the words (three letters or more, not acronyms) of
    the regions', départements' and cities' names whose French word frequency is under ORDINARY_MIN
    and that are no stopword. A change to the place data must change the list with it."""
    import json
    import re

    from docsante.vocab.vocabulary import data_text, fold, french_words, place_words

    regions, departments = (json.loads(data_text(f"{n}.json")) for n in ("regions", "departments"))
    names = [f for r in regions["regions"] for f in (r["label"], *r["aliases"])]
    names += [f for d in departments["departments"]
              for f in (d["label"], *d["aliases"], *d["cities"], *d["sous_prefectures"])]
    words = {w for name in names for w in re.findall(r"[^\W\d_]+", name.replace("’", "'"))}
    ordinary = {w for w in words if fold(w) in stopwords() or french_words()[w.lower()] >= ORDINARY_MIN}
    expected = {fold(w) for w in words - ordinary if len(w) > 2 and not w.isupper()}
    assert place_words() == expected, (sorted(expected - place_words()), sorted(place_words() - expected))
    assert {"martinique", "moselle", "bretagne"} <= place_words() and not {"reunion", "nord", "centre"} & place_words()
