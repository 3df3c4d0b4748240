"""Places only where a reader sees one (issue 30), in queries and in texts alike: golden tests on
pages in the shape of regional sites, each failing without its rule."""

from __future__ import annotations

import pytest

from conftest import indexed_folder
from docsante.vocab.mentions import text_mentions

PAGES = {
    "marseille-asv.md": "# Atelier santé ville de Marseille\n\nLes médiatrices accompagnent les habitants des quartiers "
                        "nord de Marseille vers le dépistage et l'ouverture de leurs droits.\n",
    "hdf-politique-ville.md": "# Politique de la ville en Hauts-de-France\n\nL'ARS Hauts-de-France soutient les "
                              "quartiers prioritaires de Lille, de Roubaix et de Tourcoing, quartiers par quartiers.\n",
    "centre-de-sante-lyon.md": "# Ouvrir un centre de santé\n\nLe centre de santé municipal salarie des médecins "
                               "généralistes et un dentiste.\n",
    "cvl-prs.md": "# Le projet régional de santé Centre-Val de Loire\n\nL'ARS Centre-Val de Loire arrête le projet "
                  "régional de santé pour dix ans, avec des priorités de santé.\n",
    "rcp-cancerologie.md": "# Les réunions de concertation pluridisciplinaire\n\nLa réunion de concertation "
                           "pluridisciplinaire réunit oncologues, radiologues et chirurgiens autour de chaque dossier.\n",
    "reunion-dengue.md": "# Dengue à La Réunion\n\nL'ARS La Réunion organise une réunion d'information sur la "
                         "concertation avec les communes contre les moustiques.\n",
    "martinique-cls.md": "# Contrat local de santé de Fort-de-France\n\nEn Martinique, le contrat local de santé "
                         "de Fort-de-France porte sur le diabète.\n",
    "saint-martin.md": "# Santé à Saint-Martin\n\nÀ Saint-Martin, le centre hospitalier de Marigot organise le contrat "
                       "local de santé et la lutte contre la dengue.\n",
    "idf-mst.md": "# Mois sans tabac en Île-de-France\n\nL'opération Mois sans tabac mobilise les pharmacies "
                  "franciliennes en novembre.\n",
    "ge-mst.md": "# Mois sans tabac en Grand Est\n\nEn Grand Est, Mois sans tabac s'appuie sur les CPAM et l'IREPS.\n",
    "hpv.md": "# Vaccination HPV\n\nLa vaccination contre le papillomavirus est proposée en classe de cinquième.\n",
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    with indexed_folder(tmp_path_factory, "pages", PAGES) as ix:
        yield ix


def first(results) -> str:
    return results.hits[0].doc_id.rsplit("/", 1)[-1]


@pytest.mark.parametrize("query, page", [
    ("quartiers nord", "marseille-asv.md"),
    ("centre de santé", "centre-de-sante-lyon.md"),
    ("réunion de concertation", "rcp-cancerologie.md"),
])
def test_ordinary_words_are_no_places_and_their_own_passages_come_first(pages, query, page):
    results = pages.search(query)
    assert first(results) == page
    assert not [e for e in results.expansions if e.startswith(("lieu", "département"))]  # --explain names none


@pytest.mark.parametrize("query, page", [
    ("contrat local de santé Martinique", "martinique-cls.md"),
    ("cls martinique", "martinique-cls.md"),
    ("Mois sans tabac Grand Est", "ge-mst.md"),
    ("mois sans tabac grand est", "ge-mst.md"),
])
def test_a_territory_in_the_query_puts_its_pages_first(pages, query, page):
    assert first(pages.search(query)) == page


def test_saint_martin_is_not_martinique(pages):
    assert [p.region for p in text_mentions().places("À Saint-Martin, la dengue.")] == ["guadeloupe"]
    martinique = pages.search("Martinique")
    assert {h.doc_id.rsplit("/", 1)[-1] for h in martinique.hits} == {"martinique-cls.md"}  # not "martin"
    assert pages.search("santé", departement="Saint-Martin").hits[0].region == ("Guadeloupe",)


@pytest.mark.parametrize("text", ["les 13 maisons de santé", "du 10 au 12 mai", "Les 15 priorités",
                                  "Paris (AFP) – La ministre de la santé"])
def test_numbers_and_datelines_name_no_place(text):
    assert list(text_mentions().places(text)) == []


def test_a_query_names_places_by_the_taggers_rules():
    def named(q):
        return [(p.region, p.departement) for _, _, p in text_mentions().query_places(q)]
    assert named("quartiers nord") == named("centre de santé") == named("la vienne") == named("CLS 13") == []
    assert named("ASV Gard") == [("occitanie", "30")]  # a capitalised name alone, in a query
    assert named("cls moselle") == [("grand-est", "57")]  # no ordinary word: small letters will do
    assert named("CLS (57)") == [("grand-est", "57")]


def test_a_misspelt_word_finds_its_closest_spelling_and_explain_says_so(pages):
    results = pages.search("papilomavirus")
    assert first(results) == "hpv.md"
    assert "papilomavirus → papillomavirus (orthographe proche)" in results.expansions
    assert not [e for e in pages.search("papillomavirus").expansions if "orthographe" in e]  # a known word stays


def test_an_ars_sites_address_gives_its_region_and_its_issuer(tmp_path):
    import json

    from docsante.corpus.readers import read_sources
    records = tmp_path / "pages.jsonl"
    records.write_text(json.dumps({"id": "p", "url": "https://www.paca.ars.sante.fr/cls",
                                   "text": "Les contrats locaux de santé, comme à Lille et en Bretagne."}) + "\n", "utf-8")
    [doc] = read_sources([records])
    assert (doc.tags["region"], doc.issuer) == (["provence-alpes-cote-d-azur"], "ARS Provence-Alpes-Côte d'Azur")
