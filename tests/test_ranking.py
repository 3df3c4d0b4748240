"""Documentalists' ranking cases (issue 15), on documents written the way ARS and CLS teams write them."""

from __future__ import annotations

import pytest

import docsante
from docsante.location import sample_corpus

DOCUMENTS = {
    "ars-bretagne-srs.txt": """Schéma régional de santé Bretagne 2023-2028

Addictions en Bretagne
La Bretagne connaît une consommation d'alcool à risque élevée. En Bretagne, les CSAPA renforcent leurs consultations avancées.

Soins primaires en Bretagne
Toute la Bretagne sera couverte par des maisons de santé. La région Bretagne finance des postes d'assistants partagés en Bretagne.

Santé mentale
Chaque projet territorial de santé mentale (PTSM) breton sera évalué à mi-parcours ; le PTSM du Finistère sert de modèle.
""",
    "ars-occitanie-ptsm.txt": """Le PTSM de l'Hérault

Diagnostic
Le PTSM de l'Hérault a été arrêté en 2020 par l'ARS Occitanie après un diagnostic partagé.
""",
    "cls-lens-fiches.txt": """Contrat local de santé de Lens-Liévin

Fiche 3 : santé
La santé des habitants, la santé des enfants et la santé des aînés : la santé est l'affaire de tous, et la santé se construit dans chaque quartier.

Fiche 4 : santé mentale
Le conseil local de santé mentale (CLSM) réunit élus, psychiatrie et usagers autour de la santé mentale des habitants.
""",
    "cpts-lievin.txt": """Projet de santé de la CPTS de Liévin

Qu'est-ce qu'une CPTS ?
La communauté professionnelle territoriale de santé (CPTS) regroupe les professionnels de santé d'un territoire : la CPTS organise l'accès à un médecin traitant et les soins non programmés.

Réunion du 4 mars
Le compte rendu de la réunion avec la CPTS sera envoyé aux élus la semaine prochaine.
""",
}


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ranking")
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, "utf-8")
    return folder


@pytest.fixture(scope="module")
def ix(documents):
    docsante.build_index([documents], documents.parent / "ix")
    with docsante.open_index(documents.parent / "ix") as index:
        yield index


ZOOM = """Zoom sur les politiques de santé en Hauts-de-France

Projets territoriaux de santé mentale
En Hauts-de-France, chaque projet territorial de santé mentale (PTSM) est piloté par les acteurs locaux. Les PTSM des Hauts-de-France couvrent les six territoires ; un PTSM associe psychiatrie, médico-social et usagers.

Le programme régional de santé
Le programme régional de santé des Hauts-de-France a été élaboré avec les acteurs des Hauts-de-France.

La démocratie sanitaire
La conférence régionale de la santé et de l'autonomie des Hauts-de-France rend des avis publics.

Les contrats locaux de santé
Les contrats locaux de santé couvrent les trois quarts de la population des Hauts-de-France.

Les ateliers santé ville
Les ateliers santé ville des Hauts-de-France interviennent dans les quartiers prioritaires.
"""


MINUTES = """Conseil local de santé mentale de Grand Poitiers – compte rendu

Points d'information
La séance s'ouvre sur le bilan de la cellule de cas complexes, qui a examiné vingt-sept situations dont neuf
risques d'expulsion locative ; les bailleurs sociaux saluent la rapidité des réponses. La délégation
départementale présente ensuite l'avancement du PTSM de la Vienne, dont trois actions concernent le territoire.
Les semaines d'information sur la santé mentale ont proposé un ciné-débat, une exposition et une course
solidaire ; le groupe d'entraide mutuelle souhaite former deux médiateurs pairs l'an prochain.
"""


@pytest.fixture(scope="module")
def regional(documents):
    """The documents above, the bundled sample and a regional overview page."""
    (documents.parent / "zoom").mkdir()
    (documents.parent / "zoom" / "hdf-zoom.txt").write_text(ZOOM, "utf-8")
    (documents.parent / "zoom" / "clsm-poitiers.txt").write_text(MINUTES, "utf-8")
    docsante.build_index([documents, documents.parent / "zoom", sample_corpus()], documents.parent / "regional")
    with docsante.open_index(documents.parent / "regional") as index:
        yield index


def ranked(ix, query: str) -> list:
    return list(ix.search(query, limit=50).hits)


def test_a_dispositif_with_a_place_ranks_its_passages_above_the_place_alone(ix):
    hits = ranked(ix, "PTSM Bretagne")
    assert "PTSM" in hits[0].dispositifs and hits[0].region == ("Bretagne",)
    about = [i for i, h in enumerate(hits) if "PTSM" in h.dispositifs]
    place_only = [i for i, h in enumerate(hits) if "PTSM" not in h.dispositifs]
    assert len(about) == 2 and place_only and max(about) < min(place_only)


def test_a_document_lifts_its_passages_about_the_query_not_those_sharing_only_its_place(regional):
    """A regional overview with one strong PTSM passage among others about the region: its
    document context must not lift those others above the PTSM passages of other regions."""
    hits = ranked(regional, "PTSM Hauts-de-France")
    assert hits[0].region == ("Hauts-de-France",) and "PTSM" in hits[0].dispositifs
    about = [i for i, h in enumerate(hits) if "PTSM" in h.text]
    place_only = [i for i, h in enumerate(hits) if "PTSM" not in h.dispositifs]
    assert len(about) == 5 and max(about) < min(place_only)


def test_the_phrase_ranks_above_passages_that_repeat_one_of_its_words(ix):
    hits = ranked(ix, "santé mentale")
    with_phrase = [i for i, h in enumerate(hits) if "santé mentale" in h.text.lower()]
    repeats_one_word = next(i for i, h in enumerate(hits) if h.section == "Fiche 3 : santé")
    assert with_phrase and max(with_phrase) < repeats_one_word


@pytest.mark.parametrize("acronym, name", [("CLSM", "conseil local de santé mentale"),
                                           ("CPTS", "communauté professionnelle territoriale de santé")])
def test_an_acronym_and_its_full_name_find_the_same_top_passages(ix, acronym, name):
    by_acronym, by_name = ranked(ix, acronym), ranked(ix, name)
    k = min(2, len(by_acronym))
    assert {h.id for h in by_acronym[:k]} == {h.id for h in by_name[:k]}


def test_the_passage_that_defines_a_dispositif_ranks_above_a_passing_mention(ix):
    hits = ranked(ix, "CPTS")
    assert "(CPTS) regroupe les professionnels" in hits[0].text
    assert any("Le compte rendu de la réunion avec la CPTS" in h.text for h in hits[1:])


FICHE = """Vaccination des enfants contre la rougeole

Calendrier
Le calendrier prévoit deux doses de vaccin contre la rougeole avant deux ans.

Rattrapage
Un rattrapage de la vaccination est proposé aux adolescents non protégés contre la rougeole.

Lieux
Les centres de protection maternelle et infantile et les médecins traitants vaccinent gratuitement.
"""
NEWSLETTER = """Lettre d'information de la délégation départementale

Rougeole
Des cas de rougeole sont signalés : la vaccination contre la rougeole reste la seule protection.

Forum
Le forum santé environnement aura lieu en mai à la médiathèque.
"""


def test_a_document_about_the_subject_in_several_passages_ranks_above_one_passing_mention(tmp_path):
    """Ranking documents (docsante run): the newsletter's one passage says the words more often
    than either passage of the fiche, but the fiche comes back to the subject."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "fiche-vaccination.txt").write_text(FICHE, "utf-8")
    (tmp_path / "docs" / "lettre-information.txt").write_text(NEWSLETTER, "utf-8")
    docsante.build_index([tmp_path / "docs"], tmp_path / "ix")
    with docsante.open_index(tmp_path / "ix") as ix:
        top_passage = ix.search("vaccination rougeole").hits[0]
        documents = [doc_id.rsplit("/", 1)[-1] for _, doc_id, _, _ in ix.run({"q": "vaccination rougeole"})]
    assert top_passage.doc_id.endswith("lettre-information.txt")
    assert documents == ["fiche-vaccination.txt", "lettre-information.txt"]


def _records(folder, records: list[dict]):
    import json
    path = folder / "records.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    docsante.build_index([path], folder / "ix")
    return docsante.open_index(folder / "ix")


def test_a_passage_is_lifted_by_its_document_s_context(tmp_path):
    """CONTEXT_WEIGHT: the same sentence in two documents; the one whose document is about the
    rest of the query comes first, although the other was indexed first (a tie goes to it)."""
    calendar = "Le calendrier du comité de pilotage est fixé chaque année."
    with _records(tmp_path, [
            {"id": "b1", "document": "b", "text": calendar},
            {"id": "a1", "document": "a", "text": "Le contrat local de santé de Metz et ses fiches actions du CLS."},
            {"id": "a2", "document": "a", "text": calendar}]) as ix:
        query = "calendrier comité de pilotage du contrat local de santé"
        assert [h.doc_id for h in ix.search(query, show_duplicates=True).hits] == ["a1", "a2", "b1"]
        folded = ix.search(query).hits  # b1 has a2's text: listed under it
        assert [h.doc_id for h in folded] == ["a1", "a2"] and [c.doc_id for c in folded[1].duplicates] == ["b1"]


def test_documents_are_ranked_with_their_whole_text(tmp_path):
    """DOCUMENT_WEIGHT (docsante run): a long record that answers every word of the query across
    its passages ranks above a short one that answers two of them in one sentence, which their
    passages alone would put first."""
    padding = " ".join(["Le comité de suivi se réunit et rend compte aux partenaires du territoire."] * 10)
    long_record = "\n".join(f"{sentence} {padding}" for sentence in (
        "La vaccination des enfants progresse.", "La rougeole recule dans le département.",
        "Le calendrier vaccinal est publié chaque printemps."))
    with _records(tmp_path, [
            {"id": "court", "text": "La vaccination contre la rougeole protège."},
            {"id": "long", "text": long_record}]) as ix:
        ranked = [doc_id for _, doc_id, _, _ in ix.run({"q": "vaccination enfants rougeole département calendrier "
                                                                 "printemps"})]
        assert ranked == ["long", "court"]
