"""Dates from the documents themselves (never from the file system), carried by hits."""

from __future__ import annotations

import datetime
import json
import os

import docx
from click.testing import CliRunner

from conftest import make_pdf
from docsante.cli import cli
from docsante.corpus.readers import read_sources


def test_each_format_gives_its_date_and_says_where_it_was_read(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "r.jsonl").write_text(json.dumps({"id": "fiche-1", "text": "La CPTS et la vaccination.",
                                                "date": "2021-03-04"}) + "\n", "utf-8")
    (folder / "meta.html").write_text('<html><head><meta name="date" content="2019-05-06"></head>'
                                      "<body><p>Le CLS et la vaccination.</p></body></html>", "utf-8")
    (folder / "article.html").write_text('<html><head><meta property="article:published_time" '
                                         'content="2020-07-08T09:00:00+02:00"></head><body><p>Le PTSM et la '
                                         "vaccination.</p></body></html>", "utf-8")
    d = docx.Document()
    d.add_paragraph("Le CLSM et la vaccination.")
    d.core_properties.created = datetime.datetime(2018, 9, 10, 11, 0)
    d.save(folder / "fiche.docx")
    (folder / "prs.txt").write_text("Projet régional de santé 2018-2028\n\nLe PRS et la vaccination.\n", "utf-8")
    make_pdf(folder / "sans-date.pdf", ["Le PRAPS et la vaccination."])
    os.utime(folder / "sans-date.pdf", (1_600_000_000, 1_600_000_000))  # an mtime never counts
    index_dir = tmp_path / "ix"
    assert CliRunner().invoke(cli, ["index", str(folder), "--index", str(index_dir), "-q"]).exit_code == 0
    r = CliRunner().invoke(cli, ["search", "vaccination", "--index", str(index_dir), "--format", "json", "-n", "20"])
    hits = {h["doc_id"].rsplit("/", 1)[-1]: h for h in json.loads(r.stdout)["hits"]}
    assert {name: (h["date"], h["year"]) for name, h in hits.items()} == {
        "fiche-1": ("2021-03-04", 2021), "meta.html": ("2019-05-06", 2019), "article.html": ("2020-07-08", 2020),
        "fiche.docx": ("2018-09-10", 2018), "prs.txt": ("2018", 2018), "sans-date.pdf": (None, None)}
    with __import__("docsante").open_index(index_dir) as ix:
        stored = {f["doc_id"].rsplit("/", 1)[-1]: f.get("date_source") for f in ix.generation.searcher.reader().all_stored_fields()
                  if f.get("kind") == "passage"}
    assert stored["fiche-1"] == "JSONL" and stored["meta.html"] == "métadonnées HTML"
    assert stored["fiche.docx"] == "propriétés du document" and stored["prs.txt"] == "titre"
    assert not stored["sans-date.pdf"]


def test_cli_exports_ris_records_with_year_and_url(tmp_path):
    records = tmp_path / "r.jsonl"
    records.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": f"f{i}", "title": f"Fiche {i}", "text": f"La CPTS {i} et la vaccination.", "date": f"202{i}-01-15",
         "url": f"https://www.ars.sante.fr/fiche-{i}"} for i in range(3)]) + "\n", "utf-8")
    page = tmp_path / "page.txt"
    page.write_text("La vaccination en 2022 dans le Nord.", "utf-8")
    index_dir = tmp_path / "ix"
    CliRunner().invoke(cli, ["index", str(records), str(page), "--index", str(index_dir), "-q"])
    # the same text but for a number: copies, each exported when shown
    r = CliRunner().invoke(cli, ["search", "CPTS", "--index", str(index_dir), "--format", "ris", "--show-duplicates"])
    assert r.exit_code == 0
    ris = [rec for rec in r.stdout.split("ER  - ") if rec.strip()]
    assert len(ris) == 3
    for rec in ris:
        tags = [line[:2] for line in rec.strip().splitlines()]
        assert tags[0] == "TY" and "PY" in tags and "UR" in tags and "KW" in tags
    r = CliRunner().invoke(cli, ["search", "Nord", "--index", str(index_dir), "--format", "ris"])
    assert f"UR  - file://{page.resolve()}" in r.stdout
    r = CliRunner().invoke(cli, ["search", "CPTS", "--index", str(index_dir), "--format", "csv", "--show-duplicates"])
    header, *rows = r.stdout.lstrip("\ufeff").splitlines()
    assert header.split(";")[:4] == ["titre du document", "section", "passage", "date"] and len(rows) == 3


def test_a_generator_s_default_creation_date_is_not_the_document_date(tmp_path):
    """python-docx's default template says 2013-12-23 23:15 and ReportLab's reproducible mode
    2000-01-01 00:00: a generator's dates, not the document's; the title's year is used instead."""
    d = docx.Document()
    d.add_heading("Contrat local de santé 2024-2028 de Lens", level=1)
    d.add_paragraph("Le CLS soutient la vaccination.")
    d.save(tmp_path / "cls.docx")
    make_pdf(tmp_path / "prse.pdf", ["PRSE 4 2023-2027", "Le PRSE et la vaccination."], created="D:20000101000000+00'00'")
    index_dir = tmp_path / "ix"
    CliRunner().invoke(cli, ["index", str(tmp_path), "--index", str(index_dir), "-q"])
    r = CliRunner().invoke(cli, ["search", "vaccination", "--index", str(index_dir), "--format", "json"])
    dates = {h["doc_id"].rsplit("/", 1)[-1]: (h["date"], h["year"]) for h in json.loads(r.stdout)["hits"]}
    assert dates == {"cls.docx": ("2024", 2024), "prse.pdf": ("2023", 2023)}


def test_metadata_dates_written_in_french_words_are_read(tmp_path):
    records = [{"id": "a", "text": "CLS.", "date": "14 juin 2023"}, {"id": "b", "text": "CLS.", "date": "1er Décembre 2024"},
               {"id": "c", "text": "CLS.", "date": "juin 2023"}, {"id": "d", "text": "CLS.", "date": "31 février 2023"}]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    (tmp_path / "note.md").write_text("---\ndate: 3 août 2022\n---\nLe PTSM.\n", "utf-8")
    dates = {d.doc_id.rsplit("/", 1)[-1]: d.date for d in read_sources([tmp_path])}
    # a month without its day, or a day that does not exist, says the year only
    assert dates == {"a": "2023-06-14", "b": "2024-12-01", "c": "2023", "d": "2023", "note.md": "2022-08-03"}


def test_dates_as_feeds_and_spreadsheets_write_them_are_read(tmp_path):
    records = [{"id": "rss", "text": "CLS.", "date": "Wed, 14 Jun 2023 10:00:00 GMT"},
               {"id": "slash", "text": "CLS.", "date": "2023/06/15"}, {"id": "basic", "text": "CLS.", "date": "20230616"},
               {"id": "range", "text": "CLS.", "date": "2023-2028"}]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    dates = {d.doc_id: d.date for d in read_sources([tmp_path])}
    assert dates == {"rss": "2023-06-14", "slash": "2023-06-15", "basic": "2023-06-16", "range": "2023"}


def test_a_record_whose_date_cannot_be_read_is_indexed_without_it_and_the_user_is_told(tmp_path):
    records = tmp_path / "veille.jsonl"
    records.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a", "text": "Le CLS de Lens et la vaccination.", "date": "2023-05-02"},
        {"id": "b", "text": "Le CLS de Béthune et la vaccination.", "date": "T2 2023"}]) + "\n", "utf-8")
    index_dir = tmp_path / "ix"
    r = CliRunner().invoke(cli, ["index", str(records), "--index", str(index_dir), "-q"])
    assert r.exit_code == 3
    assert "veille.jsonl:2 : date « T2 2023 » illisible" in r.stderr and "indexé sans date" in r.stderr
    assert "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["search", "vaccination", "--index", str(index_dir), "--format", "json"])
    assert {h["doc_id"]: h["date"] for h in json.loads(r.stdout)["hits"]} == {"a": "2023-05-02", "b": None}
    # the notice names a record that was read: reading the file again still prunes what it no longer holds
    records.write_text(json.dumps({"id": "b", "text": "Le CLS de Béthune.", "date": "T2 2023"}) + "\n", "utf-8")
    CliRunner().invoke(cli, ["index", str(records), "--index", str(index_dir), "-q"])
    r = CliRunner().invoke(cli, ["search", "CLS", "--index", str(index_dir), "--format", "json"])
    assert [h["doc_id"] for h in json.loads(r.stdout)["hits"]] == ["b"]


def test_a_date_the_document_states_wins_over_its_file_s_and_every_view_shows_it(tmp_path):
    """A PDF created in 2020 whose first page says « Publié le 5 octobre 2023 » is dated 2023-10-05, and
    the date is shown by the CLI's table and `show`, the web cards and passage page, RIS and JSON."""
    from fastapi.testclient import TestClient

    from docsante.web import create_app
    folder = tmp_path / "docs"
    folder.mkdir()
    make_pdf(folder / "note-cpts.pdf", ["Note sur la CPTS du Lunévillois", "Publié le 5 octobre 2023",
                                        "La CPTS organise la vaccination."], created="D:20200102030405")
    (folder / "cr.md").write_text("# Compte rendu du COPIL\n\nRéunion du 4 mars 2024 à Nancy.\n\nLa vaccination "
                                  "des enfants progresse.\n", "utf-8")
    (folder / "fiche.md").write_text("---\ndate: 2021-06-01\n---\n# Fiche\n\nPublié le 5 octobre 2023\n\nLa vaccination.\n",
                                     "utf-8")
    index_dir = tmp_path / "ix"
    assert CliRunner().invoke(cli, ["index", str(folder), "--index", str(index_dir), "-q"]).exit_code == 0
    r = CliRunner().invoke(cli, ["search", "vaccination", "--index", str(index_dir), "--format", "json"])
    hits = {h["doc_id"].rsplit("/", 1)[-1]: h for h in json.loads(r.stdout)["hits"]}
    assert {name: (h["date"], h["date_source"]) for name, h in hits.items()} == {
        "note-cpts.pdf": ("2023-10-05", "date écrite dans le document"),
        "cr.md": ("2024-03-04", "date écrite dans le document"),
        "fiche.md": ("2021-06-01", "en-tête Markdown")}  # the author's metadata wins over the text
    table = CliRunner().invoke(cli, ["search", "CPTS", "--index", str(index_dir)]).stdout
    assert "5 octobre 2023" in table
    assert "5 octobre 2023" in CliRunner().invoke(cli, ["show", "note-cpts.pdf", "--index", str(index_dir)]).stdout
    assert "DA  - 2023/10/05" in CliRunner().invoke(cli, ["search", "CPTS", "--index", str(index_dir),
                                                          "--format", "ris"]).stdout
    client = TestClient(create_app(index_dir))
    assert '<time datetime="2023-10-05">5 octobre 2023</time>' in client.get("/", params={"q": "CPTS"}).text
    assert '<time datetime="2024-03-04">4 mars 2024</time>' in client.get(f"/passage/{hits['cr.md']['id']}").text
