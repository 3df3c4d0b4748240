"""Issue 27's folder, as a documentalist keeps it: a CLS and a call for projects in PDF, a CLS and a
PTSM in Markdown, a CPTS's page saved from its site, a city's CLSM report and an IREPS activity report
in DOCX. Territory, issuer, type and date read right, shown in every view, and corrected by the
folder's metadonnees.csv, saved as French Excel saves it."""

from __future__ import annotations

import csv
import io
import json
import shutil

import docx
import pytest
from fastapi.testclient import TestClient

from conftest import folder_indexed_by_cli, make_pdf, run
from docsante.web import create_app

CPTS_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Nos missions | CPTS du Pays de Morlaix</title>
<meta property="og:site_name" content="CPTS du Pays de Morlaix"></head>
<body><header><nav><a href="/">Accueil</a></nav></header><main>
<h1>Nos missions</h1><p>Publié le 5 octobre 2023</p>
<p>La communauté professionnelle territoriale de santé du Pays de Morlaix rassemble 140 professionnels du
Finistère. Elle est financée par l'Assurance maladie et l'ARS Bretagne, qui a validé son projet de santé.</p>
<h2>Accès aux soins</h2><p>La CPTS organise les soins non programmés et l'accès à un médecin traitant.</p>
</main></body></html>"""


def write_folder(folder):
    folder.mkdir()
    make_pdf(folder / "cls-metz-2023-2027.pdf", [
        "Contrat local de santé de Metz 2023-2027", "Version du 12 juin 2023",
        "Entre la Ville de Metz, représentée par son Maire, et l'Agence régionale de santé Grand Est.",
        "Article 1 - Objet : le contrat local de santé réduit les inégalités de santé à Metz.",
        "Article 2 - Durée : cinq ans.", "Pour la Ville de Metz, le Maire",
        "Pour l'ARS Grand Est, la Directrice générale"], created="D:20210105093000")
    make_pdf(folder / "aap-prevention-2024.pdf", [
        "Agence régionale de santé Grand Est", "Appel à projets 2024 - Prévention et promotion de la santé",
        "Date limite de dépôt des dossiers : 15 mars 2024.",
        "Les associations de la région déposent leur dossier de candidature en ligne."])
    (folder / "cls-epinal-2022-2026.md").write_text(
        "# Contrat local de santé d'Épinal 2022-2026\n\nEntre la Ville d'Épinal et l'ARS Grand Est, il est convenu "
        "ce qui suit.\n\n## Article 1 - Objet\n\nLe CLS couvre Épinal et son agglomération, dans les Vosges.\n", "utf-8")
    (folder / "ptsm-vosges.md").write_text(
        "# Projet territorial de santé mentale des Vosges\n\nLe projet réunit la psychiatrie et les élus vosgiens "
        "autour de la prévention du suicide.\n", "utf-8")
    (folder / "cpts-pays-de-morlaix.html").write_text(CPTS_PAGE, "utf-8")
    report = docx.Document()
    report.add_paragraph("Ville de Grenoble – Direction de la santé publique")
    report.add_heading("Conseil local de santé mentale – rapport d'activité 2022", level=0)
    report.add_paragraph("Le conseil local de santé mentale de Grenoble a réuni 90 partenaires de l'Isère. "
                         "L'ARS Auvergne-Rhône-Alpes cofinance son poste de coordination.")
    report.save(folder / "clsm-grenoble-rapport-2022.docx")
    ireps = docx.Document()
    ireps.add_heading("Rapport d'activité 2022 de l'IREPS Bretagne", level=0)
    ireps.add_paragraph("Nos antennes ont accompagné 350 structures bretonnes avec le soutien de l'ARS Bretagne.")
    ireps.save(folder / "ireps-bretagne-rapport-2022.docx")
    return folder


@pytest.fixture(scope="module")
def folder_index(tmp_path_factory):
    return folder_indexed_by_cli(tmp_path_factory, "dossier", write_folder)


def documents(index_dir) -> dict[str, dict]:
    r = run("documents", "--index", index_dir, "--format", "json")
    assert r.exit_code == 0, r.output
    return {d["doc_id"].rsplit("/", 1)[-1]: d for d in json.loads(r.stdout)}


def hits(index_dir, *args) -> list[dict]:
    r = run("search", *args, "--index", index_dir, "--format", "json", "-n", "50")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["hits"]


def test_departement_filters_keep_metz_and_drop_epinal(folder_index):
    _, ix = folder_index
    for value in ("Moselle", "57"):
        names = {h["doc_id"].rsplit("/", 1)[-1] for h in hits(ix, "CLS", "--departement", value)}
        assert names == {"cls-metz-2023-2027.pdf"}, value
    assert {h["doc_id"].rsplit("/", 1)[-1] for h in hits(ix, "santé", "--departement", "Vosges")} == {
        "cls-epinal-2022-2026.md", "ptsm-vosges.md"}


def test_issuers_are_the_bodies_that_published_not_those_mentioned(folder_index):
    docs = documents(folder_index[1])
    assert docs["cpts-pays-de-morlaix.html"]["issuer"] == "CPTS du Pays de Morlaix"  # the site's, not the ARS
    assert docs["clsm-grenoble-rapport-2022.docx"]["issuer"] == "Ville de Grenoble"  # its letterhead
    assert docs["ireps-bretagne-rapport-2022.docx"]["issuer"] == "IREPS Bretagne"  # its title
    assert docs["aap-prevention-2024.pdf"]["issuer"] == "ARS Grand Est"
    assert docs["cls-metz-2023-2027.pdf"]["issuer"] == "Ville de Metz ; ARS Grand Est"  # parties, the city first
    assert docs["ptsm-vosges.md"]["issuer"] == ""  # nothing says who published it


def test_types_and_territories_of_the_documents(folder_index):
    docs = documents(folder_index[1])
    assert docs["aap-prevention-2024.pdf"]["type"] == ["Appel à projets / à candidatures"]
    assert docs["cls-metz-2023-2027.pdf"]["type"] == ["Contrat"]
    assert docs["ireps-bretagne-rapport-2022.docx"]["type"] == ["Rapport d'activité / bilan"]
    assert docs["clsm-grenoble-rapport-2022.docx"]["type"] == ["Rapport d'activité / bilan"]
    assert docs["cpts-pays-de-morlaix.html"]["type"] == ["Page web / actualité"]
    assert (docs["cls-metz-2023-2027.pdf"]["departement"], docs["cls-metz-2023-2027.pdf"]["region"]) == (
        ["Moselle"], ["Grand Est"])
    assert docs["clsm-grenoble-rapport-2022.docx"]["departement"] == ["Isère"]
    assert docs["cpts-pays-de-morlaix.html"]["departement"] == ["Finistère"]  # Morlaix, a sous-préfecture


def test_a_stated_date_wins_over_the_files_and_shows_in_every_view(folder_index):
    _, ix = folder_index
    metz = documents(ix)["cls-metz-2023-2027.pdf"]
    assert (metz["date"], metz["date_source"]) == ("2023-06-12", "date écrite dans le document")  # not 2021
    page = documents(ix)["cpts-pays-de-morlaix.html"]
    assert page["date"] == "2023-10-05"
    shown = "12 juin 2023"
    assert shown in run("search", "Borny inégalités", "--index", ix).stdout  # the CLI table
    hit = hits(ix, "Borny inégalités")[0]
    assert shown in run("show", hit["id"], "--index", ix).stdout
    assert shown in run("documents", "--index", ix).stdout
    client = TestClient(create_app(ix))
    assert shown in client.get("/", params={"q": "Borny inégalités"}).text  # the result card
    assert shown in client.get(f"/passage/{hit['id']}").text
    ris = run("search", "Borny inégalités", "--index", ix, "--format", "ris").stdout.splitlines()
    assert "DA  - 2023/06/12" in ris and "AU  - Ville de Metz" in ris and "AU  - ARS Grand Est" in ris
    assert "2023-06-12" in run("search", "Borny inégalités", "--index", ix, "--format", "csv").stdout


def test_a_windows_metadata_table_corrects_files_and_a_changed_row_is_taken_next_run(tmp_path):
    folder = write_folder(tmp_path / "dossier")
    table = folder / "metadonnees.csv"
    table.write_bytes(("Fichier;Titre;Date;Émetteur;Région;Type\r\n"
                       "ptsm-vosges.md;PTSM des Vosges 2020-2025;03/02/2021;ARS Grand Est;Grand Est;plan\r\n"
                       "absent.pdf;Un titre\r\n"
                       "cls-epinal-2022-2026.md;;2022-13-45;;Atlantide\r\n").encode("cp1252"))
    r = run("index", folder, "--index", tmp_path / "ix")
    assert r.exit_code != 0  # a partial run says so, and goes on
    assert "metadonnees.csv:3" in r.output and "absent.pdf" in r.output
    assert "metadonnees.csv:4" in r.output and "2022-13-45" in r.output and "Atlantide" in r.output
    docs = documents(tmp_path / "ix")
    assert len(docs) == 7  # every file indexed, the bad rows aside
    ptsm = docs["ptsm-vosges.md"]
    assert (ptsm["title"], ptsm["date"], ptsm["date_source"], ptsm["issuer"], ptsm["region"], ptsm["type"]) == (
        "PTSM des Vosges 2020-2025", "2021-02-03", "metadonnees.csv", "ARS Grand Est", ["Grand Est"],
        ["Plan / programme / stratégie"])
    epinal = docs["cls-epinal-2022-2026.md"]
    assert (epinal["date"], epinal["date_source"]) == ("2022", "titre")  # the unreadable date is not taken
    table.write_bytes(("Fichier;Titre;Emetteur\r\nptsm-vosges.md;PTSM des Vosges, version révisée;"
                       "Centre hospitalier de Ravenel\r\n").encode("cp1252"))
    again = run("index", folder, "--index", tmp_path / "ix")
    assert again.exit_code == 0 and again.output.startswith("1 document(s) indexé(s)"), again.output
    ptsm = documents(tmp_path / "ix")["ptsm-vosges.md"]
    assert (ptsm["title"], ptsm["issuer"], ptsm["date"]) == ("PTSM des Vosges, version révisée",
                                                             "Centre hospitalier de Ravenel", "")


def test_the_documents_csv_is_the_metadata_table_it_reads_back(tmp_path):
    folder = write_folder(tmp_path / "dossier")
    (folder / "rapports").mkdir()
    shutil.move(folder / "ireps-bretagne-rapport-2022.docx", folder / "rapports")
    assert run("index", folder, "--index", tmp_path / "ix", "-q").exit_code == 0
    exported = run("documents", "--index", tmp_path / "ix", "--format", "csv").stdout_bytes
    assert exported.startswith("\ufefffichier;titre;date;emetteur;region;departement;type;url\r\n".encode())
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"), newline=""), delimiter=";"))
    by_file = {r["fichier"]: r for r in rows}
    assert by_file["rapports/ireps-bretagne-rapport-2022.docx"]["emetteur"] == "IREPS Bretagne"
    assert by_file["cls-metz-2023-2027.pdf"]["departement"] == "Moselle"

    def save_back():
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
        (folder / "metadonnees.csv").write_text("\ufeff" + out.getvalue(), "utf-8")
        return run("index", folder, "--index", tmp_path / "ix")

    before = documents(tmp_path / "ix")
    r = save_back()  # saved as exported: each file named is written again once, as it was
    assert r.exit_code == 0 and r.output.startswith(f"{len(rows)} document(s) indexé(s)"), r.output
    assert {n: (d["title"], d["date"], d["issuer"], d["region"], d["departement"], d["type"])
            for n, d in documents(tmp_path / "ix").items()} == {
        n: (d["title"], d["date"], d["issuer"], d["region"], d["departement"], d["type"]) for n, d in before.items()}
    by_file["rapports/ireps-bretagne-rapport-2022.docx"]["titre"] = "Rapport d'activité 2022 (corrigé)"
    by_file["cls-metz-2023-2027.pdf"]["type"] = "Convention"
    r = save_back()
    assert r.exit_code == 0 and r.output.startswith("2 document(s) indexé(s)"), r.output  # the two rows changed
    docs = documents(tmp_path / "ix")
    assert docs["ireps-bretagne-rapport-2022.docx"]["title"] == "Rapport d'activité 2022 (corrigé)"
    assert docs["cls-metz-2023-2027.pdf"]["type"] == ["Convention"]
    assert run("documents", "--index", tmp_path / "ix", "--format", "csv").stdout_bytes.count(b"\r\n") == len(rows) + 1


def test_the_title_is_not_repeated_in_heading_paths(folder_index):
    _, ix = folder_index
    [hit] = [h for h in hits(ix, "agglomération") if h["doc_id"].endswith("cls-epinal-2022-2026.md")]
    assert hit["section"] == "Contrat local de santé d'Épinal 2022-2026 › Article 1 - Objet"  # the data keeps it
    table = run("search", "agglomération Épinal", "--index", ix).stdout
    assert "Article 1 - Objet — Contrat local de santé d'Épinal 2022-2026" in " ".join(table.split())
    assert "2022-2026 › Article" not in table
    page = TestClient(create_app(ix)).get("/", params={"q": "agglomération Épinal"}).text
    assert ">Article 1 - Objet</a></h3>" in page
