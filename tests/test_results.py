"""Issue 33's folder, as a documentalist reads its results: a copied subfolder, the national
definition of a CLS copied by three ARS pages (another region's name, one word changed), and a
city's report in DOCX with its outline. Duplicates fold, documents group, the document and its
original are one click away, counts are honest and an empty result says why."""

from __future__ import annotations

import json
import shutil

import docx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conftest import folder_indexed_by_cli, run
from docsante.cli import cli
from docsante.index.store import is_current
from docsante.location import ensure_default_index
from docsante.web import create_app

DEFINITION = ("Le contrat local de santé est un outil porté conjointement par l'agence régionale de santé "
              "{region} et une collectivité territoriale pour réduire les inégalités territoriales et sociales "
              "de santé. Il s'appuie sur un diagnostic local partagé, associe les habitants, les professionnels "
              "et les associations, et décline le projet régional de santé au plus près des territoires, "
              "dans une logique de {word} des politiques publiques.")


def write_folder(folder):
    folder.mkdir()
    for name, region, word in (("grand-est", "Grand Est", "coordination"), ("bretagne", "Bretagne", "coordination"),
                               ("occitanie", "Occitanie", "cohérence")):
        (folder / f"cls-{name}.md").write_text(
            f"# Les contrats locaux de santé en {region}\n\n## Définition\n\n{DEFINITION.format(region=region, word=word)}"
            f"\n\n## En {region}\n\nL'agence accompagne les collectivités de {region} qui signent un contrat.\n", "utf-8")
    report = docx.Document()
    report.add_heading("Conseil local de santé mentale de Lorient – rapport 2023", level=0)
    report.add_heading("Accès aux soins", level=1)
    report.add_paragraph("Chaque patient suivi doit pouvoir désigner un médecin traitant dans la commune.")
    report.add_heading("Prévention du suicide", level=1)
    report.add_paragraph("La prévention du suicide passe par la formation des sentinelles du territoire.")
    report.add_heading("Partenaires", level=2)
    report.add_paragraph("Le centre hospitalier et les associations d'usagers coordonnent leurs actions.")
    report.save(folder / "clsm-lorient-2023.docx")
    (folder / "copie").mkdir()
    shutil.copy(folder / "clsm-lorient-2023.docx", folder / "copie" / "clsm-lorient-2023.docx")
    return folder


@pytest.fixture(scope="module")
def folder_index(tmp_path_factory):
    return folder_indexed_by_cli(tmp_path_factory, "resultats", write_folder)


def search_json(index_dir, *args):
    r = run("search", *args, "--index", index_dir, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_proximity_matches_the_words_in_any_order_a_plain_phrase_in_order(folder_index):
    _, ix = folder_index
    found = search_json(ix, '"traitant médecin"~2')
    assert found["total"] == 2 and all("médecin traitant" in h["text"] for h in found["hits"])
    assert "<mark>médecin</mark> <mark>traitant</mark>" in found["hits"][0]["snippet"]
    # the passage and, by its heading path, the subsection under it, in both copies of the report
    assert search_json(ix, '"suicide prévention"~5')["total"] == 4
    assert search_json(ix, '"traitant médecin"')["total"] == 0  # a plain phrase stays ordered
    assert search_json(ix, '"médecin traitant"')["total"] == 2
    assert search_json(ix, '"patient traitant"~2')["total"] == 0  # « suivi doit pouvoir désigner un médecin » apart


def test_counts_tell_passages_with_every_word_from_those_with_some(folder_index):
    _, ix = folder_index
    found = search_json(ix, "prévention sentinelles")
    assert found["total"] > found["total_all_words"] == 2  # the two copies of the report say both
    assert search_json(ix, "sentinelles")["total_all_words"] == search_json(ix, "sentinelles")["total"]
    # an acronym and its full name count as one word: « CLS collectivités » = « contrat local de santé collectivités »
    acronym, name = search_json(ix, "CLS collectivité"), search_json(ix, "contrat local de santé collectivité")
    assert acronym["total_all_words"] == name["total_all_words"] == 3
    r = run("search", "prévention sentinelles", "--index", ix)
    assert " ".join(r.output.split()).startswith(f"« prévention sentinelles » : 2 passages contiennent tous les "
                                                 f"mots, {found['total'] - 2} autres en contiennent une partie — résultats 1 à")


def test_an_empty_result_names_its_filters_and_the_way_out(folder_index):
    _, ix = folder_index
    found = search_json(ix, "sentinelles", "--region", "HDF")
    assert (found["total"], found["filtered_by"], found["unfiltered_total"]) == (0, ["région : Hauts-de-France"], 2)
    r = run("search", "sentinelles", "dispositif:CLS", "--region", "HDF", "--since", "2020", "--index", ix)
    assert r.exit_code == 0
    assert " ".join(r.output.split()) == (
        "Aucun passage ne correspond à « sentinelles dispositif:CLS » avec les filtres région : Hauts-de-France ; "
        f'dispositif : CLS ; depuis le 2020-01-01. Sans eux, 2 passages correspondent : docsante search "sentinelles" '
        f'--index "{ix}"')
    assert r.output.splitlines()[-1] == f'    docsante search "sentinelles" --index "{ix}"'  # on a line of its own
    assert run("search", "sentinelles", "--index", ix).output.startswith("« sentinelles » : 2 passages")
    page = TestClient(create_app(ix)).get("/", params={"q": "sentinelles", "region": "HDF"}).text
    assert "avec le filtre région : Hauts-de-France" in page
    assert '<a href="/?q=sentinelles">Retirer le filtre</a> : 2 passages correspondent sans lui.' in page


def test_spreadsheets_open_with_french_headers_and_the_cli_and_web_give_the_same_csv(folder_index):
    import io

    import openpyxl
    _, ix = folder_index
    headers = ["titre du document", "section", "passage", "date", "émetteur", "type", "région", "département",
               "dispositifs", "acteurs", "thèmes", "page", "lien", "référence"]
    r = CliRunner().invoke(cli, ["search", "médecin traitant", "--index", str(ix), "--format", "xlsx"])
    assert r.exit_code == 0
    sheet = openpyxl.load_workbook(io.BytesIO(r.stdout_bytes)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == headers and len(rows) == 2  # the copy in copie/ is listed under its hit, not a row
    assert rows[1][0] == "Conseil local de santé mentale de Lorient – rapport 2023" and rows[1][1] == "Accès aux soins"
    assert "médecin traitant" in rows[1][2] and rows[1][12].startswith("file:///") and rows[1][12].endswith(".docx")
    web = TestClient(create_app(ix)).get("/api/search.xlsx", params={"q": "médecin traitant"})
    assert web.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(web.content)).active.iter_rows()] == rows
    cli_csv = CliRunner().invoke(cli, ["search", "médecin traitant", "--index", str(ix), "--format", "csv"]).stdout_bytes
    web_csv = TestClient(create_app(ix)).get("/api/search.csv", params={"q": "médecin traitant", "limit": 10}).content
    assert cli_csv == web_csv and cli_csv.startswith(("\ufeff" + ";".join(headers) + "\r\n").encode())


def test_veille_announces_only_the_section_added_and_nothing_after_a_rebuild(tmp_path):
    folder = tmp_path / "veille"
    folder.mkdir()
    sections = [f"## {name}\n\nLa CPTS organise une action de prévention ({name}) pour les patients du secteur.\n"
                for name in ("Vaccination", "Dépistage des cancers", "Nutrition", "Activité physique", "Tabac")]
    page = folder / "cpts-actions.md"
    page.write_text("# Actions de la CPTS\n\n" + "\n".join(sections), "utf-8")
    ix = tmp_path / "ix"
    assert run("index", folder, "--index", ix, "-q").exit_code == 0
    assert run("veille", "add", "cpts", "prévention", "--index", ix).exit_code == 0
    first = json.loads(run("veille", "run", "--index", ix, "--format", "json").stdout)[0]
    assert first["first_run"] and first["total"] == 5
    page.write_text("# Actions de la CPTS\n\n" + "\n".join(sections[:3] + [
        "## Action nouvelle\n\nLa CPTS ouvre une action de prévention du diabète avec les pharmacies.\n"] + sections[3:]),
        "utf-8")
    assert run("index", folder, "--index", ix, "-q").exit_code == 0
    news = json.loads(run("veille", "run", "--index", ix, "--format", "json").stdout)[0]
    assert [h["section"] for h in news["hits"]] == ["Actions de la CPTS › Action nouvelle"]
    assert run("index", folder, "--index", ix, "--rebuild", "-q").exit_code == 0
    assert json.loads(run("veille", "run", "--index", ix, "--format", "json").stdout)[0]["total"] == 0
    meta = ix / "docsante.json"  # as if an older docsante had written it: rebuilt by itself on first use
    meta.write_text(json.dumps({**json.loads(meta.read_text("utf-8")), "schema_version": 1}), "utf-8")
    ensure_default_index(ix)
    assert is_current(ix)
    assert json.loads(run("veille", "run", "--index", ix, "--format", "json").stdout)[0]["total"] == 0
    table = run("veille", "run", "--index", ix).stdout
    assert ": 0 passage(s)" in table and "(UTC)" not in table  # times in local time, in French


def test_a_paragraph_copied_with_another_region_s_name_is_shown_once_with_its_copies(folder_index):
    folder, ix = folder_index
    found = search_json(ix, "outil diagnostic local partagé")
    definitions = [h for h in found["hits"] if "Définition" in h["section"]]
    assert len(definitions) == 1  # three near-copies (another region, one word changed): shown once
    copies = {c["doc_id"].rsplit("/", 1)[-1] for c in definitions[0]["duplicates"]}
    assert copies | {definitions[0]["doc_id"].rsplit("/", 1)[-1]} == {"cls-grand-est.md", "cls-bretagne.md",
                                                                      "cls-occitanie.md"}
    assert {tuple(c["region"]) for c in definitions[0]["duplicates"]} < {("Grand Est",), ("Bretagne",), ("Occitanie",)}
    shown = search_json(ix, "outil diagnostic local partagé", "--show-duplicates")
    assert sum("Définition" in h["section"] for h in shown["hits"]) == 3 and shown["total"] == found["total"]
    # the copied subfolder: each passage of the report once, its copy listed
    report = search_json(ix, "médecin traitant")["hits"]
    assert len(report) == 1 and [c["doc_id"] for c in report[0]["duplicates"]] == [str((folder / "copie" /
                                                                                      "clsm-lorient-2023.docx").resolve())]
    text = run("search", "outil diagnostic local partagé", "--index", ix).output
    assert "même texte dans 2 autres documents" in " ".join(text.split())
    page = TestClient(create_app(ix)).get("/", params={"q": "outil diagnostic local partagé"}).text
    assert page.count("même texte dans 2 autres documents") == 1
    # a sentence of twelve words with another region's name: a quarter of its words, no copy
    different = [h for h in search_json(ix, "collectivités qui signent un contrat")["hits"] if "signent" in h["text"]]
    assert len(different) == 3 and not any(h["duplicates"] for h in different)


def test_by_document_ranks_documents_with_their_best_passages(folder_index):
    folder, ix = folder_index
    found = search_json(ix, "prévention suicide partenaires soins", "--by-document")
    assert found["total_documents"] == 2 and len(found["documents"]) == 1  # the copied report folds into one
    doc = found["documents"][0]
    assert set(doc) >= {"doc_id", "title", "date", "type", "issuer", "region", "url", "score", "matching", "hits"}
    assert doc["title"] == "Conseil local de santé mentale de Lorient – rapport 2023" and doc["region"] == ["Bretagne"]
    assert doc["matching"] == 3 and 1 <= len(doc["hits"]) <= 3
    assert [h["doc_id"] for h in found["hits"]] == [h["doc_id"] for h in doc["hits"]]
    assert len(search_json(ix, "prévention suicide partenaires soins", "--by-document", "--show-duplicates")["documents"]) == 2
    regional = search_json(ix, "contrats locaux de santé", "--by-document")
    assert {d["title"] for d in regional["documents"]} >= {f"Les contrats locaux de santé en {r}"
                                                            for r in ("Grand Est", "Bretagne", "Occitanie")}
    text = " ".join(run("search", "prévention suicide", "--by-document", "--index", ix).output.split())
    assert "passages, dans 2 documents — documents 1 à 1" in text and "passage(s) sur 3 correspondent" in text
    api = TestClient(create_app(ix)).get("/api/search", params={"q": "prévention", "group": "document"}).json()
    assert api["documents"][0]["doc_id"] == doc["doc_id"]
    page = TestClient(create_app(ix)).get("/", params={"q": "prévention", "group": "document"}).text
    assert 'class="hits documents"' in page and "passages sur 3 correspondent" in page


def test_the_document_view_its_outline_and_its_original(folder_index):
    folder, ix = folder_index
    report = str((folder / "clsm-lorient-2023.docx").resolve())
    client = TestClient(create_app(ix))
    view = client.get("/api/document" + report).json()
    assert [h["heading"] for h in view["outline"]] == ["Accès aux soins", "Prévention du suicide"]
    assert view["outline"][1]["children"][0]["heading"] == "Partenaires"
    assert [p["id"].rsplit("#", 1)[1] for p in view["passages"]] == ["p0", "p1", "p2"]
    page = client.get("/document" + report)
    assert page.status_code == 200 and '<a href="#p2">Partenaires</a>' in page.text and 'id="p2"' in page.text
    original = client.get("/document" + report + "/original")
    assert original.status_code == 200 and original.content == (folder / "clsm-lorient-2023.docx").read_bytes()
    assert original.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert original.headers["x-content-type-options"] == "nosniff"
    for probe in ("/document/%2Fetc%2Fpasswd/original", "/document/etc/passwd/original",
                  "/document/..%2F..%2F..%2Fetc%2Fpasswd/original", f"/document{folder}/../../etc/passwd/original",
                  "/document" + str(folder) + "/original"):
        r = client.get(probe)
        assert r.status_code == 404 and "passwd" not in r.text.split("<main")[-1].split("Aucun")[0], probe
    assert run("remove", folder / "copie", "--index", ix).exit_code == 0
    gone = str((folder / "copie" / "clsm-lorient-2023.docx").resolve())
    assert TestClient(create_app(ix)).get("/document" + gone + "/original").status_code == 404  # removed: not served
    text = run("show", "dossier/clsm-lorient-2023.docx#p1", "--document", "--index", ix).output
    assert "Plan :\n  Accès aux soins  (p0)\n  Prévention du suicide  (p1)\n    Partenaires  (p2)" in text
    assert run("index", folder / "copie", "--index", ix, "-q").exit_code == 0  # as the other tests found it


def test_originals_that_could_run_scripts_are_sandboxed(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><body><h1>CLS</h1><p>Le contrat local de santé de Brest.</p>"
                    "<script>document.title = 'pris'</script></body></html>", "utf-8")
    assert run("index", page, "--index", tmp_path / "ix", "-q").exit_code == 0
    r = TestClient(create_app(tmp_path / "ix")).get(f"/document{page.resolve()}/original")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"].startswith("sandbox") and "default-src 'none'" in r.headers["content-security-policy"]


def test_the_passage_page_highlights_cites_and_returns_to_the_search(folder_index):
    folder, ix = folder_index
    client = TestClient(create_app(ix))
    search = {"q": "sentinelles formation", "region": "Bretagne", "page": "1"}
    results = client.get("/", params=search).text
    link = results.split('<h3><a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "q=sentinelles+formation" in link and "region=Bretagne" in link
    page = client.get(link).text
    assert "La prévention du suicide passe par la <mark>formation</mark> des <mark>sentinelles</mark>" in page
    assert '<a href="/?q=sentinelles+formation&amp;region=Bretagne">← Retour à la recherche</a>' in page
    assert "<time datetime=\"2023\">2023</time> — Conseil local de santé mentale de Lorient" in page
    assert ("Conseil local de santé mentale de Lorient. Conseil local de santé mentale de Lorient – rapport 2023, "
            "« Prévention du suicide ». 2023. Disponible sur : file://") in page
    assert "(consulté le " in page and "TY  - GEN" in page
    ris = client.get(page.split('href="/api/passage.ris?', 1)[0] and "/api/passage.ris?" +
                     page.split('href="/api/passage.ris?', 1)[1].split('"', 1)[0].replace("&amp;", "&"))
    assert ris.status_code == 200 and "TI  - Prévention du suicide" in ris.text


def test_passages_fingerprinted_together_get_datasketch_s_minhash_of_each_one():
    import numpy as np
    from datasketch import MinHash
    from docsante.corpus.readers import documents_as_read
    from docsante.index.fingerprint import BATCH_PASSAGES, FINGERPRINT_BYTES, SEED, fingerprints, shingles
    from docsante.location import sample_corpus
    lines = [b.text for d in documents_as_read([sample_corpus()]) for b in getattr(d, "blocks", [])]
    texts = ["", "CLS", "deux mots", "« — »", *lines][:2 * BATCH_PASSAGES + 3]

    def one_minhash(text: str) -> bytes:
        hashes = shingles(text)
        if not len(hashes):
            return bytes(FINGERPRINT_BYTES)
        sketch = MinHash(num_perm=FINGERPRINT_BYTES, seed=SEED, scheme="affine32", hashfunc=int)
        sketch.update_batch(hashes.tolist())
        return (sketch.hashvalues & 0xFF).astype(np.uint8).tobytes()

    assert len(texts) == 2 * BATCH_PASSAGES + 3  # three batches, the last of three
    assert fingerprints(texts) == [one_minhash(text) for text in texts]


def test_a_notice_on_every_page_lists_a_hundred_copies_and_counts_them_all(tmp_path):
    notice = ("Mentions légales : ce site est édité par l'agence régionale de santé, directeur de la publication "
              "le directeur général ; hébergement assuré par un prestataire situé en France.")
    records = tmp_path / "pages.jsonl"
    records.write_text("".join(json.dumps({"id": f"page-{n}", "text": notice}) + "\n" for n in range(105)), "utf-8")
    assert run("index", records, "--index", tmp_path / "ix", "-q").exit_code == 0
    [hit] = search_json(tmp_path / "ix", "mentions légales hébergement")["hits"]
    assert (len(hit["duplicates"]), hit["duplicate_count"], hit["duplicate_documents"]) == (100, 104, 104)
    assert "et 4 autre(s)" in " ".join(run("search", "mentions légales", "--index", tmp_path / "ix").output.split())
