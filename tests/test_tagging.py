"""Facet tagging at index time: the golden test on the bundled sample corpus."""

import re

import pytest

from docsante.corpus.readers import read_sources
from docsante.indexer.chunk import chunk
from docsante.corpus.document import Document
from docsante.indexer.tag import Tagger
from docsante.location import sample_corpus


@pytest.fixture(scope="module")
def tagged():
    tagger = Tagger()
    out = {}
    for doc in read_sources([sample_corpus()]):
        passages = chunk(doc)
        tagger.tag(passages, doc)
        out[doc.doc_id.rsplit("/", 1)[1]] = passages
    return out


@pytest.mark.parametrize("name, region", [
    ("franche-comte-pole-competences-education-sante.txt", "bourgogne-franche-comte"),
    ("paca-ars-competences-psychosociales.txt", "provence-alpes-cote-d-azur"),
    ("grand-est-ars-travailler-avec-les-partenaires.txt", "grand-est"),
    ("hauts-de-france-ars-formation-coordinateurs-cpts.txt", "hauts-de-france"),
    ("hauts-de-france-zoom-politiques-dispositifs.txt", "hauts-de-france"),
])
def test_every_passage_of_a_document_gets_its_region_and_no_other(tagged, name, region):
    assert {r for p in tagged[name] for r in p.tags["region"]} == {region}


def test_cls_passages_are_tagged_cls(tagged):
    for name in ("grand-est-ars-travailler-avec-les-partenaires.txt", "hauts-de-france-zoom-politiques-dispositifs.txt"):
        for p in tagged[name]:
            if re.search(r"\bCLS\b|[Cc]ontrats? locaux? de santé", p.text):
                assert "cls" in p.tags["dispositif"], p.id


def test_clsm_and_ptsm_passages_are_mental_health(tagged):
    zoom = tagged["hauts-de-france-zoom-politiques-dispositifs.txt"]
    for p in zoom:
        if "CLSM" in p.text or "PTSM" in p.text:
            assert "sante_mentale" in p.tags["theme"], p.id
    assert {"ptsm"} <= {d for p in zoom for d in p.tags["dispositif"]} and {"clsm"} <= {d for p in zoom for d in p.tags["dispositif"]}


def test_ambiguous_acronym_needs_the_full_name_in_the_document(tagged):
    cps = tagged["paca-ars-competences-psychosociales.txt"]
    assert sum("cps" in p.tags["dispositif"] for p in cps) >= 6  # title says "Compétences Psychosociales"
    hdf = tagged["hauts-de-france-ars-formation-coordinateurs-cpts.txt"]
    assert not any("msp" in p.tags["dispositif"] for p in hdf)  # "MSP" alone, never spelt out


def test_numbers_are_departments_only_in_a_place_s_frame():
    from docsante.vocab.mentions import text_mentions
    places = text_mentions().places
    regions = lambda text: [p.region for p in places(text)]  # noqa: E731
    departements = lambda text: [p.departement for p in places(text) if p.departement]  # noqa: E731
    assert regions("Signée le 22 novembre et le 17 octobre.") == []
    for alone in ("Les 13 maisons de santé.", "Les 10 prochaines années.", "Les 15 priorités.", "Du 04 au 08 mars.",
                  "Accompagnement du 04 et du 84."):
        assert departements(alone) == [] and regions(alone) == [], alone
    assert regions("Les CODES (13) et la Meuse.") == ["provence-alpes-cote-d-azur"]
    assert [departements(t) for t in ("Le département 57 et la Moselle.", "La DD ARS (dép. 88).",
                                                     "Mairie, 57000 Metz.", "BP 40, 20000 Ajaccio", "97400 Saint-Denis")] \
        == [["57"], ["88"], ["57", "57"], ["2A", "2A"], ["974"]]  # "la Moselle" alone is the river
    assert regions("Une journée dans la Meuse, en Somme.") == ["grand-est", "hauts-de-france"]
    assert regions("Le Centre de soins. La réunion du Sud.") == []
    assert regions("L'ARS Centre et la Réunion.") == ["centre-val-de-loire"]


def test_the_word_sante_alone_tags_no_theme():
    from docsante.indexer.chunk import Passage
    p = Passage("x#p0", "x", 0, "", "", "La santé de la population est une priorité de santé.")
    assert Tagger().themes_of(p) == []


def test_metadata_region_wins_over_the_text(tmp_path):
    import docsante
    (tmp_path / "page.html").write_text(
        '<html><head><meta name="region" content="Occitanie"></head><body><p>Le CLS de la ville, signé avec '
        "l'ARS, couvre aussi des actions en Bretagne.</p></body></html>", encoding="utf-8")
    (tmp_path / "records.jsonl").write_text(
        '{"id": "r1", "text": "Un atelier santé ville (ASV) en quartier prioritaire.", "region": "PACA"}\n', encoding="utf-8")
    docsante.build_index([tmp_path], tmp_path / "ix")
    with docsante.open_index(tmp_path / "ix") as ix:
        page = ix.search("CLS").hits[0]
        assert page.region == ("Bretagne", "Occitanie")  # metadata region, plus the one the passage names
        assert ix.search("atelier").hits[0].region == ("Provence-Alpes-Côte d'Azur",)


def test_a_document_s_own_definition_of_an_acronym_wins():
    from docsante.indexer.chunk import Passage
    passages = [Passage("d#p0", "d", 0, "", "", "L'allocation de rentrée scolaire (ARS) est versée en août."),
                Passage("d#p1", "d", 1, "", "", "Le montant de l'ARS dépend de l'âge.")]
    Tagger().tag(passages, Document())
    assert [p.tags["dispositif"] for p in passages] == [[], []]
    agency = [Passage("e#p0", "e", 0, "", "", "L'agence régionale de santé (ARS) finance le CLS.")]
    Tagger().tag(agency, Document())
    assert (agency[0].tags["dispositif"], agency[0].tags["acteur"]) == (["cls"], ["ars"])


def tag_one(text: str, title: str = "", section: str = ""):
    from docsante.indexer.chunk import Passage
    passages = [Passage("d#p0", "d", 0, title, section, text)]
    Tagger().tag(passages, Document(title=title))
    return passages[0]


@pytest.mark.parametrize("text", [
    "Mme A. Martin, coordinatrice du CLS, présente le bilan.",  # an initial: Martin is a person
    "Mme Paris présente le CLS.", "M. Vienne et le Dr Savoie animent la réunion.",  # civilities
])
def test_a_name_after_a_civility_or_an_initial_is_a_person(text):
    assert tag_one(text).tags["region"] == []


def test_demonyms_and_old_region_adjectives_never_tag_alone():
    assert tag_one("Le docteur Normand, M. Picard et Mme Lorrain ; un fromage normand, la quiche lorraine.").tags["region"] == []
    assert tag_one("En Lorraine, en Picardie et en Normandie, les CLS.").tags["region"] == ["grand-est", "hauts-de-france",
                                                                                    "normandie"]
    assert tag_one("En Martinique, le CLS de Fort-de-France.").tags["region"] == ["martinique"]


def test_a_theme_trigger_never_matches_an_unrelated_word_sharing_its_stem():
    from docsante.vocab.match import whole_word_stems
    assert {"preserv", "aid", "car"} <= whole_word_stems()
    assert tag_one("Préserver la qualité de l'eau et préserver les aides aux familles.").tags["theme"] == []
    assert "sante_sexuelle" in tag_one("Distribution de préservatifs et dépistage du VIH en milieu festif.").tags["theme"]
    assert "vieillissement_autonomie" in tag_one("Les proches aidants des personnes âgées.").tags["theme"]
    assert "vieillissement_autonomie" not in tag_one("Les aides aux vieilles maisons de la commune.").tags["theme"]


def test_vocabulary_matches_singular_and_plural_where_the_stemmer_parts_them():
    # Snowball: "cancers" → cancer, "cancer" → canc; the trigger is "prévention des cancers"
    assert "cancers_depistage" in tag_one("La prévention du cancer passe par le dépistage du cancer.").tags["theme"]
    assert tag_one("Les conseils départementaux financent les PMI.").tags["acteur"] == ["conseil_departemental"]
    # …but a stem shared by another word stays apart: a conseiller is not the conseil
    assert tag_one("Le conseiller départemental et les conseillers régionaux.").tags["acteur"] == []


def test_a_document_s_title_and_headings_pass_their_dispositifs_down():
    title = "Contrat local de santé du Pays de Sarrebourg – Fiches actions"
    fiche = tag_one("Ateliers de prévention des chutes pour les personnes âgées.", title=title,
                    section="Axe 2 – Projet territorial de santé mentale › Fiche action n°3")
    assert fiche.tags["dispositif"] == ["cls", "ptsm"]
    assert tag_one("Ateliers de prévention des chutes.", title="Rapport d'activité 2022 de l'IREPS").tags["acteur"] == []
    disclosure = tag_one("Je n'ai pas de lien d'intérêts avec le sujet traité.",
                         title="Développement des compétences psychosociales en région Paca")
    assert disclosure.tags["dispositif"] == ["cps"] and disclosure.tags["theme"] == ["competences_psychosociales"]
    youth = tag_one("La Corse compte 58 000 habitants de 11 à 25 ans.", title="Santé des jeunes en Corse")
    assert youth.tags["theme"] == ["jeunes"]  # a title about one theme heads every passage
    dengue = tag_one("Videz les soucoupes et couvrez les réserves d'eau contre la dengue.",
                     title="Vaccination et arboviroses : les priorités 2024")
    assert "vaccination" not in dengue.tags["theme"]  # a title about several heads none of them alone


def test_institutions_are_acteurs_not_dispositifs():
    p = tag_one("L'ARS, l'IREPS, la CPAM et le conseil départemental financent le CLS.")
    assert p.tags["dispositif"] == ["cls"]
    assert p.tags["acteur"] == ["ars", "assurance_maladie", "conseil_departemental", "ireps"]


def test_a_specific_trigger_of_several_words_is_evidence_enough():
    assert tag_one("Prévenir le suicide chez les jeunes adultes.").tags["theme"] == ["sante_mentale"]
    asv = tag_one("Les priorités de l'atelier santé ville : accès aux droits, nutrition, santé mentale.")
    assert asv.tags["dispositif"] == ["asv"] and "sante_mentale" in asv.tags["theme"]
    assert tag_one("La santé des habitants du quartier.").tags["theme"] == []  # one common word is not a theme


def test_a_one_word_trigger_said_twice_is_evidence_enough():
    """A passage that comes back to a subject is about it; one mention in passing is not."""
    twice = tag_one("Les sages-femmes proposent la contraception d'urgence. La contraception est gratuite avant 26 ans.")
    assert "sante_sexuelle" in twice.tags["theme"]
    once = tag_one("Les sages-femmes reçoivent sans rendez-vous, y compris pour la contraception.")
    assert "sante_sexuelle" not in once.tags["theme"]


def test_a_dispositif_named_in_passing_does_not_make_its_theme_alone():
    listing = tag_one("Le comité réunit la CPTS, le CLS et le CLSM du territoire.")  # CLSM: "… santé mentale"
    assert "clsm" in listing.tags["dispositif"] and "sante_mentale" not in listing.tags["theme"]
    about = tag_one("Le CLSM réunit les élus et la psychiatrie publique.")
    assert "sante_mentale" in about.tags["theme"]  # its name and one more piece of evidence


TERRITORIES = {
    "cls-metz.md": "# Contrat local de santé de Metz\n\nLe CLS de Metz engage la ville et l'ARS Grand Est pour 2023-2027.\n",
    "cls-epinal.md": "# Contrat local de santé d'Épinal\n\nLe CLS d'Épinal, dans les Vosges, réunit la ville et l'ARS.\n",
    "cr-clsm-dole.md": "# Compte rendu du COPIL du CLSM de Dole\n\nÉtaient présents : les élus et la psychiatrie.\n",
    "aap-prevention.md": "# Appel à projets prévention 2024\n\nLes porteurs déposent leur dossier avant le 15 mars.\n",
    "ra-ireps.md": "# Rapport d'activité 2022 de l'IREPS Bretagne\n\nL'IREPS a animé 40 ateliers.\n",
    "reunion.md": "# Réunion du réseau\n\nOrdre du jour : bilan des ateliers.\n\nPrésents : Mme Durand, M. Petit.\n\n"
                  "Excusés : la CPAM.\n",
}


@pytest.fixture(scope="module")
def territories(tmp_path_factory):
    from conftest import indexed_folder
    with indexed_folder(tmp_path_factory, "territoires", TERRITORIES) as ix:
        yield ix


def _documents(results) -> set[str]:
    return {h.doc_id.rsplit("/", 1)[-1] for h in results.hits}


def test_departements_are_read_from_names_and_prefectures_and_filter_by_name_or_code(territories):
    assert _documents(territories.search("CLS", departement="Moselle")) == {"cls-metz.md"}  # Metz, its préfecture
    assert _documents(territories.search("CLS", departement="57")) == {"cls-metz.md"}
    assert _documents(territories.search("CLS departement:Vosges")) == {"cls-epinal.md"}
    metz = territories.search("CLS", departement="57").hits[0]
    assert (metz.departement, metz.region) == (("Moselle",), ("Grand Est",))  # the département's region, implied


def test_document_types_are_read_from_titles_openings_and_formats(territories):
    types = {h.doc_id.rsplit("/", 1)[-1]: h.type for h in territories.search("", limit=20).hits}
    assert types == {"cls-metz.md": ("Contrat",), "cls-epinal.md": ("Contrat",), "cr-clsm-dole.md": ("Compte rendu",),
                     "aap-prevention.md": ("Appel à projets / à candidatures",),
                     "ra-ireps.md": ("Rapport d'activité / bilan",), "reunion.md": ("Compte rendu",)}
    assert _documents(territories.search("", type="rapport d'activité")) == {"ra-ireps.md"}
    assert _documents(territories.search("type:appel")) == {"aap-prevention.md"}


def test_a_document_that_names_no_type_has_none():
    from docsante.vocab.mentions import document_type
    assert document_type("Les ateliers du réseau", "Le réseau a animé des ateliers cette année.", "md") == ""
    assert document_type("Les ateliers du réseau", "Présents : les élus. Le réseau a animé des ateliers.", "md") == ""
    assert document_type("Les ateliers du réseau", "", "pptx") == "presentation"


def test_the_cli_and_the_api_take_the_new_facets(territories):
    import json

    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from docsante.cli import cli
    from docsante.web import create_app
    for value in ("Moselle", "57"):
        r = CliRunner().invoke(cli, ["search", "CLS", "--departement", value, "--index", str(territories.path),
                                     "--format", "json"], catch_exceptions=False)
        assert {h["doc_id"].rsplit("/", 1)[-1] for h in json.loads(r.stdout)["hits"]} == {"cls-metz.md"}
    page = TestClient(create_app(territories.path)).get("/api/search", params={"q": "", "type": "compte rendu"}).json()
    assert {h["doc_id"].rsplit("/", 1)[-1] for h in page["hits"]} == {"cr-clsm-dole.md", "reunion.md"}
    assert {b["label"] for b in page["facets"]["type"]} == {"Compte rendu"}


def test_a_departement_named_in_a_query_puts_its_passages_first(territories):
    """« CLS Moselle »: Metz's contract before Épinal's, both Grand Est's; --explain names the département."""
    for query in ("contrat local de santé Moselle", "CLS Moselle", "CLS Metz"):
        results = territories.search(query)
        assert [h.doc_id.rsplit("/", 1)[-1] for h in results.hits[:2]] == ["cls-metz.md", "cls-epinal.md"], query
        assert "département : Moselle" in results.expansions, query


@pytest.mark.parametrize("text, departements", [
    ("la CPAM de la Moselle", ["57"]), ("le projet territorial de santé mentale du Morbihan", ["56"]),
    ("la vallée de la Meuse", []), ("le massif des Vosges", []), ("les îles du Nord", []),  # a river, a massif, a direction
    ("les élus de Sarreguemines", ["57"]),  # a sous-préfecture
    ("à La Réunion", ["974"]),  # a region of one département
    ("les écoles de l'académie de Nantes", []), ("la ville de Nantes", ["44"]),  # a regional body's seat
])
def test_departements_named_in_their_frames(text, departements):
    from docsante.vocab.mentions import text_mentions
    assert [p.departement for p in text_mentions().places(text) if p.departement] == departements
