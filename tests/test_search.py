"""Searching a real index: query language, filters, facets, snippets, the JSON contract."""

import json

import pytest

import docsante
from hypothesis import given, settings, strategies as st

from conftest import sample_id
from docsante.errors import DocsanteError, PassageNotFound, QueryError, UnknownFacetValue
from docsante.facets import NAMES, TAGGED
from docsante.search.parse import parse

HIT_KEYS = {"id", "doc_id", "source", "title", "section", "text", "snippet", "score", "region", "dispositifs", "themes",
            "url", "position", "page", "date", "year", "first_indexed", "changed", "acteurs", "issuer", "date_source", "duplicates",
            "duplicate_count", "duplicate_documents", "withdrawn"}


@pytest.mark.parametrize("text", [
    'CPTS ET "exercice coordonné"~2 SAUF formation', "(PRS OU PRSE) region:PACA addicto*", "CPTS SAUF formation",
    'titre:"santé mentale" OU section:CLS', "a ET b ET c d", 'dispositif:"contrat local de santé" santé',
])
def test_parsed_query_prints_back_in_the_same_syntax(text):
    assert str(parse(str(parse(text)))) == str(parse(text))


@pytest.mark.parametrize("text, printed", [
    ("-formation cpts", "cpts SAUF formation"), ("a ((b", "a b"), ('"unbalanced', "unbalanced"), (") ET OU", ""),
    ("*", ""), ("titre:", ""), ("CPTS AND formation", "CPTS ET formation"), ("x NOT y", "x SAUF y"),
    ("titre:CLS", "titre:CLS"),
])
def test_malformed_queries_degrade_to_plain_terms(text, printed):
    assert str(parse(text)) == printed


@pytest.mark.parametrize("typed", ["« santé mentale »", "«santé mentale»", "“santé mentale”", "„santé mentale“"])
def test_french_and_typographic_quotes_make_phrases(sample, typed):
    assert str(parse(typed)) == '"santé mentale"'
    assert sample.search(typed).total == sample.search('"santé mentale"').total < sample.search("santé mentale").total


def test_json_contract_shape(sample):
    d = sample.search("contrat local de santé", limit=2).to_dict()
    assert {"query", "total", "offset", "limit", "hits", "facets", "did_you_mean"} <= set(d)
    assert (d["query"], d["offset"], d["limit"], d["did_you_mean"]) == ("contrat local de santé", 0, 2, None)
    assert len(d["hits"]) == 2 and all(set(h) == HIT_KEYS | {f.key for f in TAGGED} for h in d["hits"])
    assert set(d["facets"]) == set(NAMES)
    for buckets in d["facets"].values():
        assert all(set(b) == {"value", "label", "name", "count", "selected"} for b in buckets)
    top = d["hits"][0]
    assert top["id"] == top["doc_id"] + "#p8" and top["section"] == "Contrats Locaux de Santé"
    assert top["region"] == ["Hauts-de-France"] and "CLS" in top["dispositifs"]
    assert "<mark>contrats</mark> <mark>locaux</mark> de <mark>santé</mark>" in top["snippet"]


def test_a_phrase_is_marked_where_it_stands_not_word_by_word(sample):
    cls = sample.search("CLS").hits[0]  # CLS brings the phrase "contrat local de santé"
    assert cls.id.endswith("#p8") and "<mark>contrats</mark> <mark>locaux</mark> de <mark>santé</mark> (<mark>CLS</mark>)" in cls.snippet
    assert "territoriales de santé" in cls.snippet  # "santé" alone is not the phrase
    near = sample.search('"santé mentale"~3').hits[0].snippet
    assert "<mark>Santé</mark> <mark>Mentale</mark>" in near and "<mark>santé</mark> <mark>mentale</mark>" in near


def test_folded_and_truncated_forms_are_found_and_highlighted(sample):
    assert sample.search("sante mentale").hits[0].id.endswith("zoom-politiques-dispositifs.txt#p9")
    addicto = sample.search("addicto*")
    assert addicto.total == 2 and "<mark>addictologie</mark>" in addicto.hits[0].snippet
    assert "<mark>parentalité</mark>" in sample.search("parentalite").hits[0].snippet


def test_singular_and_plural_find_each_other_where_snowball_parts_them(tmp_path):
    (tmp_path / "milieux.txt").write_text("Les enjeux de santé en milieux scolaires.", encoding="utf-8")
    (tmp_path / "commissions.txt").write_text("Les commissions de coordination se réunissent.", encoding="utf-8")
    (tmp_path / "commis.txt").write_text("Un agent commis d'office par le préfet.", encoding="utf-8")
    docsante.build_index([tmp_path], tmp_path / "ix")
    with docsante.open_index(tmp_path / "ix") as ix:
        assert [h.doc_id.rsplit("/", 1)[1] for h in ix.search("enjeu du milieu scolaire").hits] == ["milieux.txt"]
        assert "<mark>milieux</mark>" in ix.search("milieu").hits[0].snippet
        # Snowball alone cut "commissions" to "comm", as it cuts "commis"
        assert [h.doc_id.rsplit("/", 1)[1] for h in ix.search("commission").hits] == ["commissions.txt"]


def test_acronyms_and_full_names_find_each_other(tmp_path, sample):
    import docsante
    (tmp_path / "nom.txt").write_text("La commune a signé un contrat local de santé avec l'agence.", encoding="utf-8")
    (tmp_path / "sigle.txt").write_text("Le CLS de la commune sera évalué en 2026.", encoding="utf-8")
    (tmp_path / "autre.txt").write_text("Un contrat de ville pour la santé locale.", encoding="utf-8")
    docsante.build_index([tmp_path], tmp_path / "ix")
    with docsante.open_index(tmp_path / "ix") as ix:
        by_acronym = [h.doc_id.rsplit("/", 1)[1] for h in ix.search("CLS").hits]
        by_name = [h.doc_id.rsplit("/", 1)[1] for h in ix.search('"contrat local de santé"').hits]
        assert by_acronym[:2] == ["sigle.txt", "nom.txt"]  # typed form first, expansion second
        assert set(by_name) == {"nom.txt"}  # a quoted phrase is not expanded...
        assert ix.search("contrat local de santé").hits[0].doc_id.endswith("nom.txt")
        assert "sigle.txt" in {h.doc_id.rsplit("/", 1)[1] for h in ix.search("contrat local de santé").hits}
    assert sample.search("compétences psychosociales").hits[0].doc_id.endswith("paca-ars-competences-psychosociales.txt")
    by_acronym = {h.id for h in sample.search("PJJ").hits}
    by_name = {h.id for h in sample.search("protection judiciaire de la jeunesse").hits}
    assert len(by_acronym) == 2 and by_acronym <= by_name  # the passage saying only "PJJ" is found by name too


def test_places_in_queries_boost_their_region(sample):
    for place in ("PACA", "région Sud", "Provence-Alpes-Côte d'Azur", "13", "Bouches-du-Rhône"):
        assert sample.search(f"prévention {place}").hits[0].region == ("Provence-Alpes-Côte d'Azur",), place
    assert sample.search("parentalité la Meuse").hits[0].region == ("Grand Est",)
    assert sample.search("pôle de compétences Franche-Comté").hits[0].region == ("Bourgogne-Franche-Comté",)


def test_operators(sample):
    assert sample.search("CPTS").total == 4
    assert sample.search("CPTS SAUF formation").total < sample.search("CPTS").total
    both = sample.search("CPTS ET formation")
    assert both.total >= 1 and all("formation" in h.text.lower() and "CPTS" in h.text for h in both.hits)
    assert sample.search("CLSM OU PTSM").total == sample.search("CLSM").total + sample.search("PTSM").total
    phrase = sample.search('"exercice coordonné"')
    assert phrase.total == 1 and "exercice coordonné" in phrase.hits[0].text
    assert sample.search('"coordonné exercice"').total == 0
    # "x OU SAUF y": x, or any passage without y (never the index's document or word-count entries)
    ids = lambda q: {h.id for h in sample.search(q, limit=1000).hits}  # noqa: E731
    either = sample.search("CPTS OU SAUF santé", limit=1000)
    assert all(h.text for h in either.hits)
    assert ids("CPTS OU SAUF santé") == ids("CPTS") | ids("SAUF santé") and either.total == len(either.hits)


def test_ranked_or_prefers_passages_matching_more_terms(sample):
    hits = sample.search("atelier santé ville", limit=1).hits
    assert hits[0].section == "Ateliers Santé Ville"


def test_filters_accept_any_alias_and_counts_follow(sample):
    for alias in ("PACA", "Provence-Alpes-Côte d'Azur", "région Sud", "13", "Paca"):
        r = sample.search("santé", region=alias)
        assert r.total == 2 and all(h.region == ("Provence-Alpes-Côte d'Azur",) for h in r.hits)
        assert [(b.value, b.count, b.selected) for b in r.facets["region"]] == [("provence-alpes-cote-d-azur", 2, True)]
    assert sample.search("santé", region="Franche-Comté").total == 4
    cls = sample.search("santé", dispositif="contrat local de santé")
    assert cls.total >= 3 and all("CLS" in h.dispositifs for h in cls.hits)
    mental = sample.search("santé", theme="sante mentale")
    assert mental.total >= 3 and all("Santé mentale" in h.themes for h in mental.hits)
    both = sample.search("santé", region=["PACA", "Grand Est"])
    assert {r for h in both.hits for r in h.region} == {"Provence-Alpes-Côte d'Azur", "Grand Est"}
    assert sample.search("santé region:PACA").total == 2


def test_facet_counts_cover_all_matches_not_just_the_page(sample):
    r = sample.search("santé", limit=1)
    assert sum(b.count for b in r.facets["region"]) == r.total
    counts = [b.count for b in r.facets["dispositif"]]
    assert counts == sorted(counts, reverse=True)


def test_unknown_facet_value_lists_close_values(sample):
    with pytest.raises(UnknownFacetValue, match="Région inconnue.*Valeurs proches"):
        sample.search("santé", region="Bourgogne Franche")


def test_empty_query_browses_everything(sample):
    assert sample.search("", limit=0).total == 42
    assert sample.search("le la les").total == 0


def test_passage_with_neighbours(sample):
    view = sample.passage(sample_id("hauts-de-france-zoom-politiques-dispositifs.txt") + "#p8")
    assert [p["id"].rsplit("#", 1)[1] for p in view.to_dict()["before"] + view.to_dict()["after"]] == ["p7", "p9"]
    assert view.document.passages == 14
    for document in (sample_id("hauts-de-france-zoom-politiques-dispositifs.txt"), "hauts-de-france-zoom-politiques-dispositifs.txt"):
        assert sample.passage(document).passage.id.endswith("zoom-politiques-dispositifs.txt#p0")  # a document: its first passage
    with pytest.raises(PassageNotFound):
        sample.passage("hauts-de-france-zoom-politiques-dispositifs.txt#p99")


def test_too_long_query_is_a_clear_error(sample):
    with pytest.raises(QueryError, match="trop longue"):
        sample.search("santé " * 4000)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
       | st.lists(st.sampled_from(['"', "(", ")", "ET", "OU", "SAUF", "-", "*", "titre:", "region:", "santé", "~2",
                                   "CLS", "région*", "😀", "\x00", ":"]), max_size=12).map(" ".join))
def test_any_query_string_gives_results_or_a_docsante_error(sample_index, text):
    import docsante
    with docsante.open_index(sample_index) as ix:
        try:
            ix.search(text)
        except DocsanteError:
            pass


@pytest.mark.parametrize("typed, suggested", [
    ("parentalitée", "parentalite"), ("adictologie", "addictologie"),
    ("compétances psychosocialles", "competences psychosociales"),
])
def test_unknown_words_find_their_close_spellings_and_are_respelt(sample, typed, suggested):
    results = sample.search(typed)
    assert results.did_you_mean == suggested
    assert 0 < results.total <= sample.search(suggested).total  # found by the close spellings already
    assert any("orthographe proche" in e for e in results.expansions)


def test_no_suggestion_for_known_words_or_hopeless_ones(sample):
    assert sample.search("santé").did_you_mean is None
    assert sample.search("xyzzyq").did_you_mean is None


def test_expansions_are_reported(sample):
    assert sample.search("CLS Grand Est").expansions == ("CLS → « Contrat local de santé »", "lieu : Grand Est")


def test_truncation_is_not_stemmed_short_but_finds_stemmed_words(sample):
    from docsante.search.build import _truncation_prefixes
    assert _truncation_prefixes("connai", ["con"]) == ["connai"]        # Snowball would cut it to "con"
    assert _truncation_prefixes("sante", ["sant"]) == ["sante", "sant"]  # santé* must reach the stem "sant"
    assert _truncation_prefixes("decis", ["dec"]) == ["decis"]  # "dec" would reach décembre, déclaration…
    assert sample.search("santé*").total == sample.search("santé").total
    assert sample.search("parentalité*").total >= 1


def test_one_index_shared_by_threads(sample_index):
    import docsante
    from concurrent.futures import ThreadPoolExecutor
    with docsante.open_index(sample_index) as ix:
        expected = [h.id for h in ix.search("santé mentale").hits]
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: [h.id for h in ix.search("santé mentale").hits], range(64)))
    assert all(r == expected for r in results)


def test_cached_results_are_dropped_when_the_index_changes(tmp_path):
    import docsante
    (tmp_path / "a.txt").write_text("Le contrat local de santé de la commune.", encoding="utf-8")
    docsante.build_index([tmp_path / "a.txt"], tmp_path / "ix")
    with docsante.open_index(tmp_path / "ix") as ix:
        first = ix.search("contrat")
        assert ix.search("contrat") is first  # answered from the cache
        (tmp_path / "b.txt").write_text("Un second contrat local de santé.", encoding="utf-8")
        docsante.build_index([tmp_path / "b.txt"], tmp_path / "ix")
        again = ix.search("contrat")
        assert again is not first and again.total == first.total + 1


def test_cached_results_cannot_be_changed_by_a_caller(sample):
    first = sample.search("santé mentale")
    for change in (lambda r: setattr(r, "total", 0), lambda r: r.hits.append(None),
                   lambda r: setattr(r.hits[0], "score", 0.0), lambda r: r.facets.__setitem__("region", ()),
                   lambda r: r.hits[0].region.append("Bretagne")):
        with pytest.raises((AttributeError, TypeError)):
            change(first)
    again = sample.search("santé mentale")
    assert again is first and again.to_dict() == first.to_dict()


def test_facets_mirror_the_api_on_the_command_line(sample, sample_index):
    from click.testing import CliRunner

    from docsante.cli import cli
    api = sample.facets("santé", region="HDF", facet="dispositif")
    assert list(api) == ["dispositif"] and api["dispositif"]
    r = CliRunner().invoke(cli, ["facets", "santé", "--region", "HDF", "--facet", "dispositif", "--format", "json",
                                 "--index", str(sample_index)])
    assert r.exit_code == 0
    assert json.loads(r.stdout) == {"dispositif": [b.to_dict() for b in api["dispositif"]]}
    unfiltered = sample.facets("santé", facet="dispositif")["dispositif"]
    assert sum(b.count for b in api["dispositif"]) < sum(b.count for b in unfiltered)
    with pytest.raises(docsante.QueryError, match="Facette inconnue"):
        sample.facets("santé", facet="ville")


def test_stats_give_labels_beside_ids(sample):
    stats = sample.stats()
    assert stats["facet_labels"]["region"]["provence-alpes-cote-d-azur"] == "Provence-Alpes-Côte d'Azur"
    assert set(stats["facet_labels"]["theme"]) == set(stats["facets"]["theme"])


def test_facet_clauses_obey_et_ou_sauf(sample):
    """Side by side, facet clauses filter as the options do (OR within a facet); joined by an
    operator, they obey it like any clause."""
    def ids(query, **filters):
        return {h.id for h in sample.search(query, limit=100, **filters).hits}

    mental, young = ids('theme:"santé mentale"'), ids("theme:jeunes")
    assert mental and young and mental - young and young - mental
    assert ids('theme:"santé mentale" ET theme:jeunes') == mental & young
    assert ids('theme:"santé mentale" theme:jeunes') == mental | young == ids("", theme=["santé mentale", "jeunes"])
    assert ids('theme:"santé mentale" OU theme:jeunes') == mental | young
    assert ids('theme:"santé mentale" SAUF theme:jeunes') == ids('theme:"santé mentale" -theme:jeunes') == mental - young
    cpts, paca = ids("CPTS"), ids("", region="PACA")
    assert ids("CPTS region:PACA OU region:Corse") == cpts & paca == set()  # restricts, never widens
    assert ids("CPTS region:PACA OU region:HDF") == cpts & (paca | ids("", region="HDF"))
    cls_ge = ids('CLS region:"Grand Est"')
    assert cls_ge and ids('(CLS region:"Grand Est") OU CPTS') == cls_ge | cpts


@pytest.mark.parametrize("query", ["PTSM en Corse", "CLS Finistère", "CPTS en Ardèche", "ARS Mayotte", "CeGIDD Lozère"])
def test_did_you_mean_never_respells_a_vocabulary_name(sample, query):
    assert sample.search(query).did_you_mean is None
