"""Documents as ARS, IREPS, CLS and CPTS teams publish them (tests/fixtures/documents, made by
tests/fixtures/make_documents.py): indexed and searched through the real CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from docsante.corpus.finish import usable_title
from docsante.corpus.readers import read_sources
from docsante.corpus.blocks import joins_hyphenated
from docsante.indexer.chunk import chunk
from docsante.cli import cli

DOCUMENTS = FIXTURES / "documents"
STRATEGY = "ars-grand-est-schema-regional-sante.pdf"
REPORT = "ireps-bfc-rapport-activite-2022.pdf"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """The fixture folder indexed by `docsante index`: (index folder, result of the run)."""
    root = tmp_path_factory.mktemp("documents") / "documents"
    shutil.copytree(DOCUMENTS, root)
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    os.mkfifo(root / "divers" / "tube.txt")  # reading it would wait forever
    index_dir = root.parent / "ix"
    result = CliRunner().invoke(cli, ["index", str(root), "--index", str(index_dir)])
    return index_dir, result


def search(index_dir, *query, limit=10):
    r = CliRunner().invoke(cli, ["search", *query, "--index", str(index_dir), "--format", "json",
                                 "--limit", str(limit)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def names(hits):
    return [h["doc_id"].rsplit("/", 1)[-1] for h in hits]


def passages(name):
    (doc,) = [d for d in read_sources([DOCUMENTS / name]) if hasattr(d, "blocks")]
    return chunk(doc)


def test_unreadable_files_are_each_named_and_the_rest_is_indexed(indexed):
    index_dir, r = indexed
    assert r.exit_code == 3
    skipped = [line for line in r.stderr.splitlines() if line.startswith("ignoré : ")]
    for name, reason in [("ancien-format.doc", "ancien format Word"), ("indicateurs.xlsx", "tableur"),
                         ("pas-un-document-word.docx", "pas un document Word"), (f"{STRATEGY} (page 5)", "scannée"),
                         (".DS_Store", "fichier caché"), ("tube.txt", "fichier spécial")]:
        assert any(name in line and reason in line for line in skipped), name
    assert len(skipped) == 6
    assert "Traceback" not in r.output + r.stderr
    assert names(search(index_dir, "note", "vaccination")["hits"]).count("note-valide.txt") == 1


def test_a_word_hyphenated_at_a_line_end_is_found_whole(indexed):
    index_dir, _ = indexed
    hits = search(index_dir, "promotion")["hits"]
    assert STRATEGY in names(hits)
    text = next(h["text"] for h in hits if h["doc_id"].endswith(STRATEGY) and "pôle ressources" in h["text"])
    for word in ("promotion", "professionnels", "scolaire", "bien-être", "médico-social"):
        assert re.search(rf"\b{word}\b", text), word
    assert "profession-" not in text
    # a split "communautés profession-nelles territoriales de santé" hid the CPTS from the tagger
    hit = next(h for h in hits if h["doc_id"].endswith(STRATEGY) and "pôle ressources" in h["text"])
    assert "CPTS" in hit["dispositifs"]


def test_hyphenation_rule_keeps_compounds():
    assert joins_hyphenated("environne", "mentales", set())
    assert not joins_hyphenated("Hauts", "de", set())
    assert not joins_hyphenated("médico", "psychologique", set())
    assert not joins_hyphenated("santé", "environnement", {"santé-environnement"})  # the document says so
    (env,) = [p for p in passages(STRATEGY) if "PRSE" in p.text]
    assert "Hauts-de-France" in env.text and "environnementales" in env.text


def test_table_rows_and_title_pages_are_searchable(indexed):
    index_dir, _ = indexed
    for word, cells in [("vaccination", "Vaccination | Nourrissons et adolescents | Couverture vaccinale ROR à 24 mois"),
                        ("nutrition", "Nutrition | Enfants de 6 à 11 ans")]:
        hits = search(index_dir, word)["hits"]
        assert any(h["doc_id"].endswith(STRATEGY) and cells in h["text"] for h in hits), word
    hits = search(index_dir, '"Rapport d\'activité 2022"')["hits"]
    assert names(hits)[0] == REPORT and hits[0]["title"] == "Rapport d'activité 2022"
    hits = search(index_dir, "Instance régionale d'éducation")["hits"]
    assert hits[0]["page"] == 1 and "Bourgogne-Franche-Comté" in hits[0]["text"]


def test_titles_are_real_titles_and_page_furniture_is_gone(indexed):
    index_dir, _ = indexed
    hits = search(index_dir, "santé", limit=100)["hits"]
    assert hits
    titles = {names([h])[0]: h["title"] for h in hits}
    assert titles[STRATEGY] == "Schéma régional de santé Grand Est 2023-2028"
    assert titles["cls-sarrebourg-fiches-actions.docx"] == "Contrat local de santé du Pays de Sarrebourg – Fiches actions"
    assert not any(t.startswith(("Microsoft Word", "untitled")) or t.endswith(".docx") for t in titles.values())
    for h in hits:
        assert not re.search(r"Page \d+ / \d+", h["section"] + h["text"]), h["id"]
        assert "document de travail" not in h["text"] and "IREPS BFC –" not in h["text"]


@pytest.mark.parametrize("title, usable", [
    ("Microsoft Word - SRS_GE_version_consolidee_v12.docx", ""), ("untitled", ""), ("Document1", ""),
    ("Word Document", ""), ("CLS_Sarrebourg_fiches_v3", ""), ("fiche.doc", ""),
    ("Projet régional de santé", "Projet régional de santé")])
def test_printer_and_file_name_titles_are_never_used(title, usable):
    assert usable_title(title) == usable


def test_numbered_headings_columns_and_pages(indexed):
    index_dir, _ = indexed
    sections = [p.section for p in passages(STRATEGY)]
    assert "1. Le pôle ressources en promotion de la santé" in sections
    assert "3. Priorités de prévention par âge de la vie" in sections
    (columns,) = [p for p in passages(STRATEGY) if "maisons des adolescents" in p.text]
    assert ("La santé mentale des jeunes est une priorité partagée.\nLes maisons des adolescents accueillent les "
            "jeunes et leurs familles sans rendez-vous.\nLes conseils locaux") in columns.text
    hits = search(index_dir, "radon", "perturbateurs")["hits"]
    assert hits[0]["doc_id"].endswith(STRATEGY) and hits[0]["page"] == 2
    r = CliRunner().invoke(cli, ["show", hits[0]["id"], "--index", str(index_dir)])
    assert r.exit_code == 0 and " p. 2 " in r.output


def test_a_number_alone_on_a_line_joins_its_heading(tmp_path):
    text = tmp_path / "plan.txt"
    text.write_text("2.3\nLe pôle ressources\nIl accompagne les CPTS du territoire.\n", "utf-8")
    (doc,) = read_sources([text])
    assert [p.section for p in chunk(doc)] == ["2.3 Le pôle ressources"]


def test_docx_keeps_the_heading_path_tables_in_place_and_bold_headings():
    fiches = passages("cls-sarrebourg-fiches-actions.docx")
    by_section = {p.section: p.text for p in fiches}
    first = "Axe 1 – Santé mentale › Fiche action n°1 – Créer un conseil local de santé mentale"
    assert "Pilote | Calendrier\nVille de Sarrebourg | 2024" in by_section[first]
    assert "Partenaires | Budget" in by_section["Axe 2 – Environnement › Fiche action n°4 – Qualité de l'air intérieur"]
    assert "Partenaires" not in by_section[first]
    cpts = passages("cpts-lunevillois-projet-de-sante.docx")
    assert [p.section for p in cpts] == ["Projet de santé de la CPTS du Lunévillois", "Mission 1 : accès aux soins",
                                         "Mission 2 : parcours des personnes âgées"]
    assert cpts[0].title == "Projet de santé de la CPTS du Lunévillois"


def test_odt_is_searchable_with_its_headings_lists_and_tables(indexed):
    index_dir, _ = indexed
    hits = search(index_dir, "ciné-débat")["hits"]
    assert names(hits)[0] == "clsm-dole-compte-rendu.odt"
    assert hits[0]["section"].endswith("› Semaines d'information sur la santé mentale")
    assert "Ciné-débat au cinéma Majestic | Octobre 2023" in hits[0]["text"]
    assert "CLSM" in hits[0]["dispositifs"]
    assert any("Centre médico-psychologique" in h["text"] for h in search(index_dir, "bailleurs")["hits"])


def test_cookie_and_consent_banners_are_not_passages(indexed):
    index_dir, _ = indexed
    for query in ("cookies", "consentement", "Personnaliser", "traceurs", "accepter"):
        assert search(index_dir, query)["total"] == 0, query
    hits = search(index_dir, "contrat local de santé Occitanie")["hits"]
    assert names(hits)[0] == "ars-occitanie-cls-cookies.html"


def test_consent_managers_are_known_by_their_names_but_content_is_kept(tmp_path):
    page = tmp_path / "page.html"
    content = "Le contrat local de santé engage la ville et l'ARS sur cinq ans. " * 40
    page.write_text(f"""<html><body class="cookies-enabled">
        <div id="didomi-host"><p>Nous et nos partenaires stockons des informations sur votre appareil.</p></div>
        <section class="cc-window"><p>Améliorez votre expérience avec nous.</p></section>
        <div class="page has-cookie-notice"><p>{content}</p></div></body></html>""", "utf-8")
    (doc,) = read_sources([page])
    text = "\n".join(b.text for b in doc.blocks)
    assert "partenaires stockons" not in text and "Améliorez" not in text
    assert "engage la ville" in text


def test_web_page_and_exports_show_the_page(indexed):
    from fastapi.testclient import TestClient

    from docsante.web import create_app

    index_dir, _ = indexed
    client = TestClient(create_app(index_dir))
    page = client.get("/", params={"q": "radon perturbateurs"})
    assert page.status_code == 200 and "Schéma régional de santé Grand Est 2023-2028</a>, p. 2" in page.text
    assert "SP  - 2" in client.get("/api/search.ris", params={"q": "radon perturbateurs", "limit": 1}).text


def test_a_label_and_its_value_far_apart_stay_one_line():
    """Four lines "Pilote :      IREPS…" share a gap, but it is no column gutter: the labels are
    narrow. Read as columns, all labels would come first, then all values."""
    (fiche,) = [p for p in passages(REPORT) if "Pilote" in p.text]
    assert ("Pilote : IREPS Bourgogne-Franche-Comté\nPublic : Personnes détenues et surveillants\n"
            "Territoire : Doubs et Jura\nFinancement : ARS, 45 000 euros") in fiche.text


def _scan(path, *pages):
    """A scanner's PDF: a page image of printed lines for each list of lines, no text layer."""
    from PIL import Image, ImageDraw, ImageFont
    images = []
    for lines in pages:
        image = Image.new("L", (1240, 1754), 250)  # A4 at 150 dpi
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((100, 150 + 70 * i), line, fill=20, font=ImageFont.load_default(size=40))
        images.append(image)
    images[0].save(path, "PDF", resolution=150, save_all=True, append_images=images[1:])


SCANNED_LINES = ["Contrat local de sante du Pays de Sarrebourg", "Le contrat local de sante renforce la prevention",
                 "du suicide chez les jeunes et l'acces aux soins", "dans les communes rurales."]


@pytest.mark.skipif(not __import__("docsante.corpus.ocr", fromlist=["available"]).available(),
                    reason="Tesseract et son modèle français (tesseract-ocr-fra) : .ci/run les installe")
def test_a_scanned_page_is_read_by_ocr_once(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCSANTE_CACHE", str(tmp_path / "cache"))
    scan = tmp_path / "cls-sarrebourg-scan.pdf"
    _scan(scan, SCANNED_LINES)
    index_dir = tmp_path / "ix"
    r = CliRunner().invoke(cli, ["index", str(scan), "--index", str(index_dir), "-q"])
    assert r.exit_code == 0, r.stderr
    (hit,) = search(index_dir, "prévention", "du", "suicide")["hits"]
    assert hit["page"] == 1 and "CLS" in hit["dispositifs"] and "Santé mentale" in hit["themes"]
    assert "renforce la prevention du suicide chez les jeunes" in hit["text"]  # lines rejoined as running text
    # indexing again reads the page from the cache, not from the scan
    (cached,) = (tmp_path / "cache").iterdir()
    cached.write_text("Le PTSM de la Moselle et la pair-aidance\ndes usagers.", "utf-8")
    assert CliRunner().invoke(cli, ["index", str(scan), "--index", str(index_dir), "--rebuild", "-q"]).exit_code == 0
    (hit,) = search(index_dir, "pair-aidance")["hits"]
    assert hit["text"] == "Le PTSM de la Moselle et la pair-aidance des usagers."


@pytest.mark.skipif(not __import__("docsante.corpus.ocr", fromlist=["available"]).available(),
                    reason="Tesseract et son modèle français (tesseract-ocr-fra) : .ci/run les installe")
def test_the_pages_of_a_scanned_report_are_read_at_once_and_kept_in_order(tmp_path, monkeypatch):
    from docsante.corpus import ocr
    monkeypatch.setattr(ocr, "WORKERS", 2)  # two Tesseract processes, whatever the machine's cores
    topics = ["vaccination", "nutrition", "addictions", "parentalite", "logement"]
    pages = [[f"Page consacree a la {topic}", f"Le programme {topic} du territoire", "se poursuit en 2024."]
             for topic in topics]
    _scan(tmp_path / "rapport-scanne.pdf", *pages)
    (doc,) = read_sources([tmp_path / "rapport-scanne.pdf"])
    read = [(b.page, b.text) for b in doc.blocks]
    assert [page for page, _ in read] == sorted(page for page, _ in read)  # in page order
    for number, topic in enumerate(topics, 1):
        assert any(page == number and f"Le programme {topic} du territoire" in text for page, text in read), read


def _index_without_system_programs(folder, index_dir):
    """`docsante index` run with docsante's interpreter alone on its PATH (no Tesseract, no
    LibreOffice): some files are named as skipped (exit 3), none with a traceback."""
    bin_dir = os.path.dirname(sys.executable)
    r = subprocess.run([sys.executable, "-m", "docsante", "index", str(folder), "--index", str(index_dir), "-q"],
                       capture_output=True, text=True, env={**os.environ, "PATH": bin_dir})
    assert r.returncode == 3 and "Traceback" not in r.stderr
    return r


def test_without_tesseract_scanned_pages_are_named_with_what_to_install(tmp_path):
    from pypdf import PdfWriter
    from conftest import make_pdf
    docs = tmp_path / "docs"
    docs.mkdir()
    _scan(tmp_path / "page-scannee.pdf", SCANNED_LINES)
    _scan(docs / "scan.pdf", SCANNED_LINES)
    make_pdf(tmp_path / "texte.pdf", ["Le CLS de Sarrebourg et la prévention."])
    mixed = PdfWriter()
    for part in ("texte.pdf", "page-scannee.pdf"):
        mixed.append(str(tmp_path / part))
    mixed.write(str(docs / "mixte.pdf"))
    r = _index_without_system_programs(docs, tmp_path / "ix")
    hint = "(reconnaissance de caractères : installez Tesseract et son modèle français, paquet tesseract-ocr-fra)"
    assert f"scan.pdf : PDF sans texte extractible, document scanné ? {hint}" in r.stderr
    assert f"mixte.pdf (page 2) : page scannée sans texte, non indexée {hint}" in r.stderr


def _saved_by_libreoffice(path):
    """Rewrite a DOCX's package relationships as LibreOffice writes them: its core properties
    under ".../officedocument/2006/relationships/metadata/core-properties"."""
    import zipfile
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
        b"http://schemas.openxmlformats.org/officedocument/2006/relationships/metadata/core-properties")
    assert b"officedocument/2006/relationships/metadata/core-properties" in parts["_rels/.rels"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_docx_saved_by_libreoffice_keeps_its_title_and_date(tmp_path):
    import datetime
    import docx
    d = docx.Document()
    d.add_paragraph("Le CLS de Bitche et la maison de santé.")
    d.core_properties.title, d.core_properties.created = "CLS de Bitche 2009", datetime.datetime(2009, 6, 15, 10, 0)
    d.save(tmp_path / "cls.docx")
    _saved_by_libreoffice(tmp_path / "cls.docx")
    (doc,) = read_sources([tmp_path / "cls.docx"])
    assert (doc.title, doc.date, doc.date_source) == ("CLS de Bitche 2009", "2009-06-15", "propriétés du document")


def _old_word(folder, name):
    """A Word 97-2003 file, saved by LibreOffice from a DOCX with a title, headings and a table."""
    import datetime
    import docx
    from docx.shared import Cm
    d = docx.Document()
    d.core_properties.title, d.core_properties.created = "CLS du Pays de Bitche", datetime.datetime(2009, 6, 15)
    d.add_heading("Axe 1 – Accès aux soins", 1)
    d.add_heading("Fiche 1.1 – Maison de santé", 2)
    d.add_paragraph("Le contrat local de santé signé avec l’ARS de Lorraine prévoit une maison de santé à Bitche.")
    table = d.add_table(rows=2, cols=3)
    table.style = "Table Grid"
    for row, cells in zip(table.rows, [["Action", "Pilote", "Budget"], ["Ateliers mémoire", "CCAS", "12 000 €"]]):
        for cell, text in zip(row.cells, cells):
            cell.text, cell.width = text, Cm(5)
    d.add_paragraph("Bilan en 2012.")  # Word always ends a document with a paragraph
    d.save(folder / f"{name}.docx")
    return _saved_as(folder / f"{name}.docx", "doc")


def _saved_as(path, target):
    """The file saved by LibreOffice in an older format, in a folder of its own."""
    from docsante.corpus.convert import soffice
    subprocess.run([soffice(), f"-env:UserInstallation={(path.parent / 'profil').as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(path.parent / target), str(path)],
                   check=True, capture_output=True, timeout=120)
    return path.parent / target / f"{path.stem}.{target}"


RTF = (r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Times New Roman;}}"
       r"{\info{\title Compte rendu du CLSM}}"
       r"\pard\f0 Le conseil local de sant\'e9 mental de Poitiers r\'e9unit les \'e9lus.\par"
       r"\pard La pr\'e9vention du suicide reste sa priorit\'e9.\par}")


@pytest.mark.skipif(not __import__("docsante.corpus.convert", fromlist=["soffice"]).soffice(),
                    reason="LibreOffice (libreoffice-writer-nogui, -impress-nogui) : .ci/run l'installe")
def test_old_word_rtf_and_powerpoint_files_are_read_through_libreoffice(tmp_path):
    doc_file = _old_word(tmp_path, "cls-bitche-2009")
    (tmp_path / "clsm-poitiers.rtf").write_text(RTF, "ascii")
    (tmp_path / "pas-un-doc.doc").write_text("juste du texte", "utf-8")
    (doc, rtf, *failures) = read_sources([doc_file, tmp_path / "clsm-poitiers.rtf", tmp_path / "pas-un-doc.doc"])
    assert (doc.title, doc.date) == ("CLS du Pays de Bitche", "2009-06-15")
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Axe 1 – Accès aux soins"), ("heading", 2, "Fiche 1.1 – Maison de santé"),
        ("paragraph", 0, "Le contrat local de santé signé avec l’ARS de Lorraine prévoit une maison de santé à Bitche."),
        ("paragraph", 0, "Action | Pilote | Budget"), ("paragraph", 0, "Ateliers mémoire | CCAS | 12 000 €"),
        ("paragraph", 0, "Bilan en 2012.")]
    assert rtf.title == "Compte rendu du CLSM"
    assert [b.text for b in rtf.blocks] == ["Le conseil local de santé mental de Poitiers réunit les élus.",
                                           "La prévention du suicide reste sa priorité."]
    assert [str(f) for f in failures] == [
        f"{tmp_path / 'pas-un-doc.doc'} : pas un fichier ancien format Word (.doc) (contenu d'un autre type)"]

    from test_corpus import _deck
    _deck(tmp_path / "coter-cps.pptx")
    (deck,) = read_sources([_saved_as(tmp_path / "coter-cps.pptx", "ppt")])
    assert deck.title == "Compétences psychosociales – COTER du 12 mars 2024"
    assert [(b.text, b.page) for b in deck.blocks if b.kind == "heading"] == [
        ("Axe 1 : déployer les programmes", 2), ("Financements 2024", 3)]
    assert ("Programme | Montant", 3) in [(b.text, b.page) for b in deck.blocks]


def test_without_libreoffice_old_office_files_are_named_with_what_to_install(tmp_path):
    (tmp_path / "ancien.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    (tmp_path / "note.rtf").write_text(RTF, "ascii")
    (tmp_path / "coter.ppt").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    (tmp_path / "note.txt").write_text("Le CLS et la vaccination.", "utf-8")
    r = _index_without_system_programs(tmp_path, tmp_path / "ix")
    hint = "installez LibreOffice (paquet libreoffice-writer-nogui) pour le lire, ou enregistrez-le en .docx"
    assert f"ancien.doc : ancien format Word (.doc) non lu : {hint}" in r.stderr
    assert f"note.rtf : format RTF non lu : {hint}" in r.stderr
    assert ("coter.ppt : ancien format PowerPoint (.ppt) non lu : installez LibreOffice (paquet "
            "libreoffice-impress-nogui) pour le lire, ou enregistrez-le en .pptx") in r.stderr
    assert search(tmp_path / "ix", "vaccination")["total"] == 1
