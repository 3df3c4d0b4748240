"""The vectorised evaluator against plain Whoosh: same documents, scores, top-10 and facet counts."""

import pytest
from whoosh import query as wq
from whoosh import sorting

import docsante
from docsante.index.whoosh_adapter import Near
from docsante.search.build import resolve_filters, to_filter
from docsante.search.evaluate import Evaluator
from docsante.search.parse import parse

QUERIES = ["contrat local de santé", "CLS", "santé mentale", "CPTS SAUF formation", "CPTS ET formation", "addicto*",
           '"exercice coordonné"', '"coordonné exercice"~3', "compétences psychosociales en région Paca", "PJJ",
           "(PRS OU PRSE) santé", "santé*", "titre:Franche-Comté", "prévention -tabac", "Qu'est-ce qu'un CLSM ?",
           "parentalité la Meuse", "région*", "CLSM OU PTSM"]
FILTERS = [{}, {"region": "PACA"}, {"theme": "santé mentale"}, {"region": ["Grand Est", "HDF"], "dispositif": "CLS"}]


def whoosh_scores(q, searcher) -> dict[int, float]:
    """Each document Whoosh's own matcher finds for `q`, with its score."""
    scores, m = {}, q.matcher(searcher)
    while m.is_active():
        scores[m.id()] = m.score()
        m.next()
    return scores


@pytest.fixture(scope="module")
def both(corpus_index, sample_index):
    return [docsante.open_index(corpus_index), docsante.open_index(sample_index)]


@pytest.mark.parametrize("text", QUERIES)
def test_same_documents_and_scores_as_whoosh(both, text):
    for ix in both:
        searcher = ix.generation.searcher
        q = ix._compiler.compile(parse(text)).query
        expected = {d: s for s, d in searcher.search(q, limit=None).top_n}
        found = Evaluator(searcher).evaluate(q)
        got = dict(zip(found.ids.tolist(), found.scores.tolist()))
        assert set(got) == set(expected)
        assert all(abs(got[d] - expected[d]) < 1e-9 for d in expected)


@pytest.mark.parametrize("filters", FILTERS)
def test_same_top_10_and_facet_counts_as_plain_whoosh(sample, filters):
    searcher = sample.generation.searcher
    groups = {f: sorting.FieldFacet(f, allow_overlap=True) for f in ("region", "dispositif", "theme")}
    for text in QUERIES:
        parsed = parse(text)
        flt = to_filter(resolve_filters(parsed, **filters))
        q = sample._compiler.compile(parsed).query
        plain = searcher.search(q, filter=flt, limit=10, groupedby=groups, maptype=sorting.Count)
        fast = sample.search(text, limit=10, facet_size=1000, **filters)
        assert fast.total == len(plain.docs())
        for facet in groups:
            assert {b.value: b.count for b in fast.facets[facet]} == {k: v for k, v in plain.groups(facet).items() if k}
        plain_top = [(round(h.score, 9), h.docnum) for h in plain[:10]]
        fast_top = sorted(((round(s, 9), d) for s, d in
                           zip(*(lambda e: (e.scores.tolist(), e.ids.tolist()))(sample._evaluate(sample.generation, q, flt)))),
                          key=lambda sd: (-sd[0], sd[1]))[:10]
        assert fast_top == plain_top


@pytest.mark.parametrize("options", [{"minmatch": 2}, {"scale": 0.5}])
def test_options_the_evaluator_does_not_follow_go_to_whoosh(sample_index, options):
    """An Or that needs two matches, or scales by coordination, is scored by Whoosh's own
    matcher: the same documents and scores, never a plain sum."""
    with docsante.open_index(sample_index) as ix:
        searcher = ix.generation.searcher
        q = wq.Or([wq.Term("text", "sant"), wq.Term("text", "mental"), wq.Term("text", "jeun")], **options)
        found = Evaluator(searcher).evaluate(q)
        expected = whoosh_scores(q, searcher)
        assert dict(zip(found.ids.tolist(), found.scores.tolist())) == pytest.approx(expected)


def test_nested_ors_sum_as_whoosh_does(sample_index):
    """Ors within an Or (a word's fields in an OR of words), with their boosts, one of them Whoosh's
    to score (minmatch), and words frequent enough to be counted into a slot per document: the same
    documents and scores as Whoosh's own matcher."""
    with docsante.open_index(sample_index) as ix:
        searcher = ix.generation.searcher
        q = wq.Or([wq.Or([wq.Term("text", "sant"), wq.Term("title", "sant", boost=0.3)], boost=2.0),
                   wq.Or([wq.Or([wq.Term("text", "mental"), wq.Term("section", "mental", boost=0.5)]),
                          wq.Term("text", "jeun")], boost=0.7),
                   wq.Or([wq.Term("text", "prevent"), wq.Term("text", "addict")], minmatch=2)], boost=1.5)
        found = Evaluator(searcher).evaluate(q)
        expected = whoosh_scores(q, searcher)
        assert len(found.ids) * 8 > searcher.doc_count_all() and len(expected) > 20
        assert dict(zip(found.ids.tolist(), found.scores.tolist())) == pytest.approx(expected)


def test_phrases_match_and_score_as_whoosh_phrase_matcher(both):
    """Phrases drawn from the indexed text (in order, reversed, with repeated words, with slop,
    with a boost, ordered or not), in every text field: the same documents and scores as Whoosh's own matcher."""
    import random

    rng = random.Random(7)
    checked = 0
    for ix in both:
        searcher = ix.generation.searcher
        analyzer = searcher.schema["text"].analyzer
        texts = [f["text"] for f in searcher.reader().all_stored_fields() if f.get("kind") == "passage"]
        for _ in range(60):
            words = [t.text for t in analyzer(rng.choice(texts))]
            if len(words) < 4:
                continue
            start = rng.randrange(len(words) - 3)
            picked = words[start:start + rng.choice([2, 3, 4])]
            if rng.random() < 0.2:
                picked = picked[::-1]
            if rng.random() < 0.1:
                picked = [picked[0], picked[0]]
            if rng.random() < 0.3:  # words apart: only a slop as wide as the gap finds them
                picked = [words[start], words[start + rng.choice([2, 3])]]
            field = rng.choice(["text", "section", "title"])
            kind = rng.choice([wq.Phrase, Near])  # Near: in any order (a typed "…"~N)
            q = kind(field, picked, slop=rng.choice([1, 1, 2, 3, 5]), boost=rng.choice([1.0, 0.5, 2.0]))
            expected = whoosh_scores(q, searcher)
            found = Evaluator(searcher).evaluate(q)
            assert dict(zip(found.ids.tolist(), found.scores.tolist())) == pytest.approx(expected), (q, expected)
            checked += bool(expected)
    assert checked >= 20  # phrases drawn for the section and title fields seldom match: those check emptiness
