"""Veille: date filters and order, the year facet, what is new, saved searches, the Atom feed,
citation exports with their issuing body, through the real CLI, API and web application."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path

import docx
import feedparser
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import docsante
from conftest import make_pdf
from docsante.cli import cli
from docsante.web.app import create_app

ATOM = "{http://www.w3.org/2005/Atom}"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def dated_folder(folder: Path) -> Path:
    """One document per format, each dated by its own metadata, all about vaccination."""
    folder.mkdir()
    (folder / "fiches.jsonl").write_text(json.dumps({"id": "fiche-2021", "title": "Fiche CPTS", "date": "2021-03-04",
                                                     "text": "La CPTS organise la vaccination.",
                                                     "url": "https://www.ars.sante.fr/fiche-2021"}) + "\n", "utf-8")
    (folder / "page.html").write_text('<html><head><title>Vaccination | ARS Occitanie</title>'
                                      '<meta name="date" content="2019-05-06"></head><body>'
                                      "<p>L'ARS Occitanie soutient la vaccination dans les CLS.</p></body></html>", "utf-8")
    d = docx.Document()
    d.add_paragraph("Le CLSM de Dole et la vaccination.")
    d.core_properties.created = datetime.datetime(2023, 9, 10, 11, 0)
    d.save(folder / "clsm.docx")
    make_pdf(folder / "rapport.pdf", ["IREPS", "Rapport sur la vaccination."], created="D:20220614093000+02'00'")
    return folder


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("veille")
    index_dir = tmp / "ix"
    assert run("index", dated_folder(tmp / "docs"), "--index", index_dir, "-q").exit_code == 0
    return index_dir


def names(hits) -> list[str]:
    return [h["doc_id"].rsplit("/", 1)[-1] for h in hits]


def search_json(index_dir, *args):
    r = run("search", "vaccination", "--index", index_dir, "--format", "json", "-n", "20", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_each_format_is_dated_and_the_year_facet_counts_them(dated_index):
    d = search_json(dated_index)
    assert {n: h["year"] for n, h in zip(names(d["hits"]), d["hits"])} == {
        "fiche-2021": 2021, "page.html": 2019, "clsm.docx": 2023, "rapport.pdf": 2022}
    assert [(b["value"], b["count"]) for b in d["facets"]["year"]] == [("2023", 1), ("2022", 1), ("2021", 1), ("2019", 1)]


def test_since_until_year_and_sort_by_date(dated_index):
    assert names(search_json(dated_index, "--sort", "date")["hits"]) == ["clsm.docx", "rapport.pdf", "fiche-2021",
                                                                          "page.html"]
    assert set(names(search_json(dated_index, "--since", "2022")["hits"])) == {"clsm.docx", "rapport.pdf"}
    assert set(names(search_json(dated_index, "--since", "2022-07", "--until", "2023-12-31")["hits"])) == {"clsm.docx"}
    assert set(names(search_json(dated_index, "--until", "2021-03")["hits"])) == {"fiche-2021", "page.html"}
    assert set(names(search_json(dated_index, "--year", "2019", "--year", "2023")["hits"])) == {"page.html", "clsm.docx"}
    api = TestClient(create_app(dated_index)).get("/api/search", params={"q": "vaccination", "since": "2021-03-04",
                                                                          "sort": "date"}).json()
    assert names(api["hits"]) == ["clsm.docx", "rapport.pdf", "fiche-2021"]
    page = TestClient(create_app(dated_index)).get("/", params={"q": "vaccination", "until": "2019"}).text
    assert "jusqu&#39;au 2019" in page and 'id="f-year"' in page  # the date chip and the year list
    new = TestClient(create_app(dated_index)).get("/", params={"q": "vaccination", "new_since": "2000-01-01"}).text
    assert "indexé depuis le 2000-01-01" in new and 'name="new_since" value="2000-01-01"' in new
    with docsante.open_index(dated_index) as ix:  # the query language and the API say the same
        assert names(h.to_dict() for h in ix.search("vaccination annee:2022").hits) == ["rapport.pdf"]
        assert ix.search("vaccination", year=2021).total == 1
    bad = run("search", "vaccination", "--index", dated_index, "--since", "2022-13")
    assert bad.exit_code == 1 and bad.output.startswith("Erreur : Date invalide pour « since »") and "Traceback" not in bad.output


def test_new_since_keeps_what_was_indexed_after_a_moment(tmp_path, dated_index):
    d = search_json(dated_index, "--new-since", "2000-01-01")
    assert d["total"] == 4
    last = max(h["changed"] for h in d["hits"])
    assert search_json(dated_index, "--new-since", last)["total"] >= 1  # "since" includes the moment itself
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    assert search_json(dated_index, "--new-since", tomorrow)["total"] == 0


def test_a_saved_search_shows_only_what_is_new(tmp_path):
    folder = dated_folder(tmp_path / "docs")
    index_dir = tmp_path / "ix"
    run("index", folder, "--index", index_dir, "-q")
    added = run("veille", "add", "vaccination ARS", "vaccination", "--acteur", "ARS", "--index", index_dir)
    assert added.exit_code == 0 and "Veille « vaccination ARS » enregistrée" in added.stdout
    first = run("veille", "run", "--index", index_dir)
    assert "première exécution" in first.stdout and "page.html" in first.stdout
    again = json.loads(run("veille", "run", "--index", index_dir, "--format", "json").stdout)
    assert [(w["name"], w["first_run"], w["total"]) for w in again] == [("vaccination ARS", False, 0)]
    (folder / "note.txt").write_text("Note de l'ARS Grand Est\n\nL'ARS Grand Est relance la vaccination.\n", "utf-8")
    (folder / "autre.txt").write_text("Note sur le tabac\n\nL'ARS Grand Est et le Mois sans tabac.\n", "utf-8")
    run("index", folder, "--index", index_dir, "-q")
    (news,) = json.loads(run("veille", "run", "--index", index_dir, "--format", "json").stdout)
    assert names(news["hits"]) == ["note.txt"] and news["since"]
    table = run("veille", "run", "--index", index_dir)
    assert "nouveautés depuis le" in table.stdout and ": 0 passage(s)" in table.stdout
    listed = run("veille", "list", "--index", index_dir).stdout
    assert "vaccination ARS" in listed and "dernière exécution le" in listed
    assert (tmp_path / "ix.veille.json").exists()  # beside the index: a rebuild replaces the folder, not it
    assert [p.name for p in tmp_path.glob("ix.veille*")] == ["ix.veille.json"]  # one file, no lock or temporary left
    assert run("veille", "remove", "vaccination ARS", "--index", index_dir).exit_code == 0
    gone = run("veille", "run", "vaccination ARS", "--index", index_dir)
    assert gone.exit_code == 1 and gone.output.startswith("Erreur : Aucune veille « vaccination ARS »")


def test_saved_searches_are_checked_and_survive_a_rebuild(tmp_path, dated_index):
    index_dir = tmp_path / "ix"
    run("index", dated_folder(tmp_path / "docs"), "--index", index_dir, "-q")
    with docsante.open_index(index_dir) as ix:
        watches = ix.watches()
        watches.add("cls", "CLS", region="Occitanie")
        with pytest.raises(docsante.UnknownFacetValue):
            watches.add("faux", "CLS", region="Atlantide")
        with pytest.raises(docsante.DocsanteError, match="s'appelle déjà"):
            watches.add("cls", "CPTS")
    run("index", tmp_path / "docs", "--index", index_dir, "--rebuild", "-q")
    with docsante.open_index(index_dir) as ix:
        assert [w.name for w in ix.watches().list()] == ["cls"]
        (runs,) = ix.watches().run()
        assert runs.first and [h.doc_id.rsplit("/", 1)[-1] for h in runs.results.hits] == ["page.html"]


def test_the_atom_feed_lists_the_newest_passage_first(tmp_path):
    folder = dated_folder(tmp_path / "docs")
    index_dir = tmp_path / "ix"
    run("index", folder, "--index", index_dir, "-q")
    time.sleep(0.01)
    (folder / "nouveau.txt").write_text("Nouvelle note\n\nLa vaccination des adolescents en 2024.\n", "utf-8")
    run("index", folder, "--index", index_dir, "-q")
    client = TestClient(create_app(index_dir))
    r = client.get("/api/search.atom", params={"q": "vaccination"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo and feed.version == "atom10"
    assert len(feed.entries) == 5 and feed.entries[0].link.endswith("nouveau.txt%23p0")
    assert feed.feed.title == "docsante — « vaccination »"
    check_rfc4287(r.content)
    page = client.get("/", params={"q": "vaccination"}).text
    assert '<link rel="alternate" type="application/atom+xml"' in page and "Suivre cette recherche" in page
    filtered = feedparser.parse(client.get("/api/search.atom", params={"q": "vaccination", "year": "2019"}).content)
    assert len(filtered.entries) == 1 and "2019" in filtered.feed.title + filtered.entries[0].summary


def check_rfc4287(xml: bytes) -> None:
    """The MUSTs of RFC 4287 (sections 4.1.1, 4.1.2, 3.3) a feed reader relies on."""
    from xml.etree import ElementTree
    root = ElementTree.fromstring(xml)
    assert root.tag == f"{ATOM}feed"
    for element, where in [(root, "feed"), *((e, "entry") for e in root.findall(f"{ATOM}entry"))]:
        for child in ("id", "title", "updated"):
            assert len(element.findall(f"{ATOM}{child}")) == 1, (where, child)
        datetime.datetime.fromisoformat(element.find(f"{ATOM}updated").text)  # an RFC 3339 date-time
        alternates = [link for link in element.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert len({(link.get("type"), link.get("hreflang")) for link in alternates}) == len(alternates)
        if where == "entry":
            assert element.findall(f"{ATOM}link") or element.findall(f"{ATOM}content")
    assert root.findall(f"{ATOM}author") or all(e.findall(f"{ATOM}author") for e in root.findall(f"{ATOM}entry"))
    assert [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    ids = [e.find(f"{ATOM}id").text for e in root.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))


def test_ris_names_the_issuing_body_and_zotero_required_tags(dated_index):
    r = run("search", "vaccination", "--index", dated_index, "--format", "ris", "-n", "3", "--sort", "date")
    records = [rec for rec in r.stdout.split("ER  - ") if rec.strip()]
    assert len(records) == 3
    for rec in records:
        lines = rec.strip().splitlines()
        assert lines[0].startswith("TY  - ") and all(line[2:6] == "  - " for line in lines)
        assert {"PY", "UR", "TI"} <= {line[:2] for line in lines}
    html = run("search", "vaccination", "--index", dated_index, "--format", "ris", "--year", "2019").stdout
    assert "AU  - ARS Occitanie" in html.splitlines()
    pdf = run("search", "vaccination", "--index", dated_index, "--format", "ris", "--year", "2022").stdout
    # a regional body on a letterhead, in a document that names no region: its full name
    assert "AU  - Instance régionale d'éducation et de promotion de la santé" in pdf.splitlines()


def test_acteurs_are_a_facet_of_their_own_with_full_names(dated_index):
    d = search_json(dated_index)
    acteurs = {b["value"]: b for b in d["facets"]["acteur"]}
    assert acteurs["ars"]["label"] == "ARS" and acteurs["ars"]["name"] == "Agence régionale de santé"
    assert "ars" not in {b["value"] for b in d["facets"]["dispositif"]}
    assert names(search_json(dated_index, "--acteur", "IREPS")["hits"]) == ["rapport.pdf"]
    facets = run("facets", "--facet", "dispositif", "--index", dated_index).stdout
    assert "CLSM — Conseil local de santé mentale  [clsm]" in facets
    client = TestClient(create_app(dated_index))
    assert names(client.get("/api/search", params={"q": "vaccination acteur:ARS"}).json()["hits"]) == ["page.html"]
    assert 'title="Conseil local de santé mentale"' in client.get("/", params={"q": "vaccination"}).text
