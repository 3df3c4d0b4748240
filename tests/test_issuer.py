"""The bodies a line names and the issuer a document is given (vocab/bodies.py, corpus/issuer.py),
read from real files and records through the readers, as the indexer reads them."""

from __future__ import annotations

import json

import docx
import pytest

from docsante.corpus.readers import read_sources
from docsante.vocab.bodies import bodies


@pytest.mark.parametrize("line, names", [
    ("Le Maire de Metz et la CPTS du Pays de Morlaix, avec l'ARS Grand Est",
     ["Ville de Metz", "CPTS du Pays de Morlaix", "ARS Grand Est"]),
    ("Agence régionale de santé Bourgogne-Franche-Comté", ["ARS Bourgogne-Franche-Comté"]),
    ("VILLE DE GRENOBLE – Direction de la santé publique", ["Ville de Grenoble"]),
    ("IREPS Pays de la Loire", ["IREPS Pays de la Loire"]),
    ("Pour la Caisse primaire d'assurance maladie de la Moselle, le Directeur",
     ["Caisse primaire d'assurance maladie de la Moselle"]),
    ("Le Préfet de la Moselle", ["Préfecture de la Moselle"]),
    ("Contrat local de santé de Metz Métropole", ["Metz Métropole"]),
    ("La Métropole de Lyon", ["Métropole de Lyon"]),
    ("Une publication de l'ORS Hauts-de-France", ["ORS Hauts-de-France"]),
    ("Développement des compétences psychosociales en région Paca", []),  # a territory, not the Région
    ("L'atelier santé ville de Saint-Denis", []),  # "ville" inside another name
    ("La ville a ouvert un centre de santé.", []),  # a head without its name
    ("Les CPTS en Bretagne", []),
])
def test_bodies_are_named_as_a_documentalist_records_them(line, names):
    assert [b.name for b in bodies(line)] == names


def finished(path):
    [doc] = list(read_sources([path]))
    return doc


def test_a_document_that_only_mentions_the_ars_has_no_issuer(tmp_path):
    note = tmp_path / "note.md"
    note.write_text("# Les ateliers du réseau\n\nL'ARS Grand Est finance les ateliers. L'ARS les évalue chaque année.\n",
                    "utf-8")
    assert finished(note).issuer == ""


def test_author_lines_letterheads_and_signatures_name_the_issuer(tmp_path):
    study = tmp_path / "etude.md"
    study.write_text("# La santé des jeunes en Corse\n\nCe document, rédigé par l'IREPS de Corse avec l'appui de "
                     "l'ARS de Corse, dresse un état des lieux.\n", "utf-8")
    assert finished(study).issuer == "IREPS Corse"  # the author, not the body that supports it
    note = docx.Document()
    note.add_heading("Note d'information sur la vaccination", level=0)
    note.add_heading("Objet", level=1)
    note.add_paragraph("La campagne est reconduite dans les collèges, avec la Caf et les rectorats.")
    note.add_paragraph("Le Directeur général de l'Agence régionale de santé Normandie")
    note.save(tmp_path / "note.docx")
    assert finished(tmp_path / "note.docx").issuer == "ARS Normandie"
    letter = docx.Document()
    letter.add_paragraph("CONSEIL DÉPARTEMENTAL DU GERS")
    letter.add_heading("Plan départemental en faveur des aînés", level=0)
    letter.add_heading("Axe 1", level=1)
    letter.add_paragraph("Santé publique France et l'ARS Occitanie soutiennent le plan.")
    letter.save(tmp_path / "plan.docx")
    assert finished(tmp_path / "plan.docx").issuer == "Conseil départemental du Gers"


@pytest.mark.parametrize("line, after", [
    ("Ce document, rédigé par l'IREPS de Corse", " l'IREPS de Corse"),
    ("Auteurs : ORS Grand Est", " : ORS Grand Est"),
    ("Une étude PUBLIÉE PAR le CRES", " le CRES"),
    ("Le rapport, coordonnées   par l'ORS", " l'ORS"),
    ("Une publication de l'ORS, rédigée par le CREAI", "e l'ORS, rédigée par le CREAI"),  # the first phrase
    ("Fiches réalisées par l'ARS, sous la direction de la DGS", " l'ARS, sous la direction de la DGS"),
])
def test_an_author_phrase_ends_where_its_body_may_start(line, after):
    from docsante.corpus.issuer import _author
    assert line[_author(line):] == after


@pytest.mark.parametrize("line", ["Par arrêté du préfet", "Un travail réalisé parfois en lien", "Le texte par l'ARS",
                                  "Les fiches réalisées avec l'ARS", ""])
def test_a_line_without_an_author_phrase_has_none(line):
    from docsante.corpus.issuer import _author
    assert _author(line) is None


def test_a_contract_is_issued_by_its_parties_the_collectivity_first(tmp_path):
    cls = tmp_path / "cls.md"
    cls.write_text("# Contrat local de santé de Thionville\n\nLe contrat est signé entre l'ARS Grand Est, la CPAM de "
                   "la Moselle et la Ville de Thionville.\n\n## Signatures\n\nPour la Ville de Thionville, le Maire\n",
                   "utf-8")
    assert finished(cls).issuer == "Ville de Thionville ; ARS Grand Est ; CPAM de la Moselle"


def test_a_title_names_the_issuer_unless_as_a_partner(tmp_path):
    (tmp_path / "a.md").write_text("# Rapport d'activité 2022 de l'IREPS Bretagne\n\nQuarante ateliers.\n", "utf-8")
    (tmp_path / "b.md").write_text("# Ateliers menés avec l'ARS Bretagne\n\nQuarante ateliers.\n", "utf-8")
    docs = {d.doc_id.rsplit("/", 1)[-1]: d.issuer for d in read_sources([tmp_path])}
    assert docs == {"a.md": "IREPS Bretagne", "b.md": ""}


def test_a_web_page_is_its_sites_and_a_record_names_its_own(tmp_path):
    (tmp_path / "page.html").write_text(
        '<html><head><title>Nos missions</title><meta property="og:site_name" content="Agence régionale de santé '
        'Bretagne"></head><body><p>La Ville de Brest et la CPTS coopèrent.</p></body></html>', "utf-8")
    assert finished(tmp_path / "page.html").issuer == "ARS Bretagne"
    records = tmp_path / "pages.jsonl"
    records.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a", "text": "Les CLS de la région.", "url": "https://www.iledefrance.ars.sante.fr/cls"},
        {"id": "b", "text": "Les CLS de la région.", "url": "https://www.grand-est.ars.sante.fr/cls"},
        {"id": "c", "text": "Les CLS de la région.", "issuer": "Ville de Nancy"},
        {"id": "d", "text": "Les CLS de la région.", "url": "https://www.example.org/cls"}]) + "\n", "utf-8")
    assert {d.doc_id: d.issuer for d in read_sources([records])} == {
        "a": "ARS Île-de-France", "b": "ARS Grand Est", "c": "Ville de Nancy", "d": ""}
