"""Faults and hostile input: concurrent writers, rebuilds, damaged indexes, full disks, read-only
folders, poisoned text, files that explode or hang, pathological queries, injections in exports."""

from __future__ import annotations

import gc
import json
import os
import resource
import shutil
import signal
import subprocess
import time
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import docsante
from docsante.cli import cli
from docsante.facets import NAMES
from docsante.indexer.write import lock_path
from docsante.location import sample_corpus


def write_records(path: Path, n: int, prefix: str = "r") -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"{prefix}{i}", "title": f"Fiche {i}",
                                "text": f"Le contrat local de santé {i} soutient la vaccination en Bretagne."}) + "\n")
    return path


def docsante_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "docsante", *map(str, args)]


def passages(index_dir) -> int:
    with docsante.open_index(index_dir) as ix:
        return ix.stats()["passages"]


@pytest.mark.slow
def test_two_indexing_runs_at_once_never_store_a_passage_twice(tmp_path):
    records = write_records(tmp_path / "r.jsonl", 3000)
    index_dir = tmp_path / "ix"
    runs = [subprocess.Popen(docsante_cmd("index", records, "--index", index_dir, "--quiet", "--batch-size", "500"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert passages(index_dir) == 3000
    assert sum("attente de sa fin" in e for e in errors) <= 1


def test_a_second_writer_gives_up_cleanly_after_its_wait(tmp_path):
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (  # the same lock as this process's (see hide_fcntl.py)
        f"import sys, time\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "import hide_fcntl\nhide_fcntl.install()\nfrom filelock import FileLock\n"
        f"lock = FileLock({str(lock_path(index_dir))!r}); lock.acquire()\n"
        "print('locked', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        waited = []
        with pytest.raises(docsante.DocsanteError, match="en cours d'écriture par une autre indexation"):
            docsante.build_index([sample_corpus()], index_dir, wait=0.5, on_wait=lambda: waited.append(1))
        assert waited == [1]
    finally:
        holder.kill()
        holder.wait()
    assert docsante.build_index([sample_corpus()], index_dir, wait=5).documents == 5


def test_rebuild_keeps_the_old_index_until_it_has_read_something(tmp_path):
    index_dir = tmp_path / "ix"
    docsante.build_index([sample_corpus()], index_dir)
    before = passages(index_dir)
    r = CliRunner().invoke(cli, ["index", str(tmp_path / "mistyped"), "--rebuild", "--index", str(index_dir)])
    assert r.exit_code == 1 and "chemin introuvable" in r.stderr
    assert passages(index_dir) == before
    r = CliRunner().invoke(cli, ["search", "santé", "--index", str(index_dir)])
    assert r.exit_code == 0 and r.output.startswith("« santé » : ")
    assert {p.name for p in tmp_path.iterdir()} - {".ix.lock"} == {"ix"}  # nothing beside it but its write lock


def test_searches_during_a_rebuild_see_the_old_index(tmp_path):
    index_dir = tmp_path / "ix"
    docsante.build_index([sample_corpus()], index_dir)
    records = write_records(tmp_path / "r.jsonl", 50)
    with docsante.open_index(index_dir) as old:
        report = docsante.build_index([records], index_dir, rebuild=True)
        assert report.documents == 50
        assert old.search("psychosociales").total > 0  # its open files survive the swap
    with docsante.open_index(index_dir) as new:
        assert new.search("psychosociales").total == 0 and new.stats()["passages"] == 50
    assert {p.name for p in tmp_path.iterdir()} - {".ix.lock"} == {"ix", "r.jsonl"}


def test_an_index_where_everything_failed_still_answers(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_text("pas un pdf")
    index_dir = tmp_path / "ix"
    r = CliRunner().invoke(cli, ["index", str(bad), "--index", str(index_dir)])
    assert r.exit_code == 1
    for args in (["search", "santé"], ["stats"], ["facets"], ["facets", "le"]):
        r = CliRunner().invoke(cli, [*args, "--index", str(index_dir)])
        assert r.exit_code == 0 and "Erreur" not in r.output, (args, r.output)
    from fastapi.testclient import TestClient

    from docsante.web import create_app
    client = TestClient(create_app(index_dir))
    assert client.get("/api/search", params={"q": "santé"}).json()["total"] == 0
    assert client.get("/", params={"q": "santé"}).status_code == 200


@pytest.mark.parametrize("damage", ["truncated table of contents", "zeroed table of contents", "garbage segment",
                                    "truncated segment"])
def test_a_damaged_index_is_reported_with_the_command_that_rebuilds_it(tmp_path, sample_index, damage):
    index_dir = tmp_path / "ix"
    shutil.copytree(sample_index, index_dir)
    toc = next(index_dir.glob("_MAIN_*.toc"))
    seg = next(index_dir.glob("*.seg"))
    if damage == "truncated table of contents":
        toc.write_bytes(toc.read_bytes()[:10])
    elif damage == "zeroed table of contents":
        toc.write_bytes(bytes(toc.stat().st_size))
    elif damage == "garbage segment":
        seg.write_bytes(b"garbage")
    else:
        seg.write_bytes(seg.read_bytes()[:1000])
    r = CliRunner().invoke(cli, ["search", "santé", "--index", str(index_dir)])
    assert r.exit_code == 1
    assert r.stderr.startswith("Erreur : L'index") and "endommagé" in r.stderr and "--rebuild" in r.stderr
    assert "inattendue" not in r.stderr


@pytest.mark.slow
def test_a_full_disk_stops_with_a_french_line_and_leaves_no_stray_files(tmp_path):
    index_dir = tmp_path / "ix"
    docsante.build_index([sample_corpus()], index_dir)
    kept = set(os.listdir(index_dir))
    records = write_records(tmp_path / "r.jsonl", 20_000)

    def small_files():  # writing past 2 MB fails as a full disk does
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000))

    run = subprocess.run(docsante_cmd("index", records, "--index", index_dir, "--quiet"), preexec_fn=small_files,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"Erreur : Impossible d'écrire l'index dans {index_dir} : disque plein (ou quota atteint). "
        "Ce qui avait été validé avant reste dans l'index."]
    assert set(os.listdir(index_dir)) <= kept | {"MAIN_WRITELOCK"}
    assert passages(index_dir) == 42
    assert docsante.build_index([records], index_dir).documents == 20_000


def test_a_read_only_index_folder_gives_a_french_line(tmp_path):
    index_dir = tmp_path / "ix"
    docsante.build_index([sample_corpus()], index_dir)
    records = write_records(tmp_path / "r.jsonl", 10)
    prefix = []
    if os.geteuid() == 0:  # root writes everywhere unless it gives up overriding file permissions
        if not shutil.which("setpriv"):
            pytest.skip("setpriv (util-linux) is needed to drop root's file-permission override")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    index_dir.chmod(0o555)
    try:
        run = subprocess.run(prefix + docsante_cmd("index", records, "--index", index_dir, "--quiet"),
                             capture_output=True, text=True, timeout=120)
    finally:
        index_dir.chmod(0o755)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"Erreur : Impossible d'écrire l'index dans {index_dir} : dossier en lecture seule ou droits "
        "insuffisants. Ce qui avait été validé avant reste dans l'index."]
    assert passages(index_dir) == 42


def test_every_character_that_cannot_be_encoded_is_replaced():
    from docsante.corpus.document import NOT_TEXT, Block, Document
    characters = [c for c in map(chr, range(0x110000)) if NOT_TEXT.match(c)]
    assert len(characters) == 2048 + 32 + 2 * 17  # surrogates, U+FDD0–U+FDEF, each plane's last two
    for c in characters:
        doc = Document(doc_id="d", source="s", blocks=[Block(f"Santé{c}publique")]).valid()
        assert doc.blocks[0].text == "Santé\ufffdpublique", hex(ord(c))


def test_text_that_cannot_be_encoded_never_reaches_the_index(tmp_path):
    records = tmp_path / "poison.jsonl"
    records.write_text('{"id": "p\\ud800", "title": "Titre \\udfff", "text": "Le CLS de Lille \\ud83d et la vaccination."}\n'
                       '{"id": "ok", "text": "Le CLS de Roubaix soutient la vaccination \\ufffe."}\n', "utf-8")
    odd_name = tmp_path / os.fsdecode(b"caf\xe9-cls.txt")
    odd_name.write_text("Le contrat local de santé de Tourcoing soutient la vaccination.", "utf-8")
    index_dir = tmp_path / "ix"
    r = CliRunner().invoke(cli, ["index", str(records), str(odd_name), "--index", str(index_dir)])
    assert r.exit_code == 0, r.output + r.stderr
    r = CliRunner().invoke(cli, ["search", "vaccination", "--index", str(index_dir), "--format", "json"])
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["total"] == 3
    ids = {h["id"] for h in data["hits"]}
    assert "p\ufffd#p0" in ids and any(i.endswith("caf\\xe9-cls.txt#p0") for i in ids)
    assert "\ud83d" not in r.output and "\ufffd" in r.output
    for args in (["search", "vaccination"], ["show", "p\ufffd#p0"], ["stats"]):
        assert CliRunner().invoke(cli, [*args, "--index", str(index_dir)]).exit_code == 0, args
    from fastapi.testclient import TestClient

    from docsante.web import create_app
    client = TestClient(create_app(index_dir))
    for url in ("/?q=vaccination", "/api/search?q=vaccination", "/api/search.csv?q=vaccination",
                "/api/search.ris?q=vaccination", "/api/facets?q=vaccination"):
        assert client.get(url).status_code == 200, url


def test_markup_holding_control_characters_and_non_characters_is_read_whole(tmp_path):
    """lxml refuses control characters, U+FFFE, U+FFFF and lone surrogates in a tree: they become what the rest
    of the reading makes of them (a space for those that split words, nothing for others, U+FFFD), and the
    page's text after them is read."""
    from docsante.corpus.readers import read_sources
    from docsante.indexer.chunk import chunk
    (tmp_path / "flux.jsonl").write_text(json.dumps({"id": "ctl", "text": "<div><p>Vaccination\x01 des\x0benfants"
                                                     " \ufffe\ud800 en Meuse</p>\x1b<p>Suite du CLS.</p></div>"}), "utf-8")
    (tmp_path / "page.html").write_text("<html><body><h1>CLS\x0cde Bar</h1><p>Texte\x07 lu \uffff.</p></body></html>",
                                        "utf-8", errors="surrogatepass")
    texts = {d.doc_id: [p.text for p in chunk(d)] for d in read_sources([tmp_path])}
    assert texts["ctl"] == ["Vaccination des enfants \ufffd\ufffd en Meuse\nSuite du CLS."]
    assert any("Texte lu \ufffd." in text for doc_id, found in texts.items() if doc_id != "ctl" for text in found)


def test_one_bad_jsonl_line_costs_that_line_only(tmp_path):
    lines = [{"id": "a", "text": "Le CLS de Marseille et la vaccination.", "region": 13},
             {"id": "b", "text": "La CPTS et la vaccination.", "region": True},
             {"id": "c", "text": "Le PTSM et la vaccination.", "title": float("nan")},
             {"id": "d", "text": "Le CLSM et la vaccination.", "region": [{"nom": "PACA"}]},
             {"id": 2.5, "text": "Un identifiant décimal et la vaccination."}]
    path = tmp_path / "r.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for record in lines[:3]:
            f.write(json.dumps(record) + "\n")
        f.write("[" * 100_000 + "]" * 100_000 + "\n")  # nested past any parser's recursion limit
        for record in lines[3:]:
            f.write(json.dumps(record) + "\n")
        f.write(json.dumps({"id": "z", "text": "Après tout cela, la vaccination en Bretagne."}) + "\n")
    report = docsante.build_index([path], tmp_path / "ix")
    assert report.documents == 2
    reasons = {str(f).split(" : ", 1)[0].rsplit(":", 1)[1]: str(f) for f in report.failures}
    assert sorted(reasons, key=int) == ["2", "3", "4", "5", "6"]
    assert "« region »" in reasons["2"] and "« title »" in reasons["3"] and "imbriquée" in reasons["4"]
    with docsante.open_index(tmp_path / "ix") as ix:
        hits = ix.search("vaccination").hits
        assert {h.doc_id for h in hits} == {"a", "z"}
        assert next(h for h in hits if h.doc_id == "a").region == ("Provence-Alpes-Côte d'Azur",)


def docx_variant(path: Path, document_xml: bytes | None = None, member: tuple[str, bytes] | None = None) -> Path:
    """A real python-docx document whose word/document.xml (or another member) is replaced."""
    import zipfile

    import docx

    d = docx.Document()
    d.add_paragraph("Le CLS soutient la vaccination.")
    table = d.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "Pilote"
    base = path.with_suffix(".base")
    d.save(base)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml" and document_xml is not None:
                data = document_xml(data) if callable(document_xml) else document_xml
            out.writestr(info.filename, data)
        if member:
            out.writestr(*member)
    base.unlink()
    return path


def test_hostile_office_files_are_named_or_read_and_never_stop_the_run(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    laughs = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(9))
              + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
              b"<w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>")
    deep = lambda xml: xml.replace(b"<w:body>", b"<w:body>" + b"<w:customXml>" * 300, 1).replace(
        b"</w:body>", b"</w:customXml>" * 300 + b"</w:body>", 1)
    span = lambda value: (lambda xml: xml.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="%s"/>' % value, 1))
    variants = {
        "malformed.docx": b"<w:document><w:body><w:p>",
        "entities.docx": laughs,
        "deep.docx": deep,
        "span-text.docx": span(b"abc"),
        "span-huge.docx": span(b"2000000"),
        "vmerge-first-row.docx": lambda xml: xml.replace(b"<w:tcPr>", b'<w:tcPr><w:vMerge w:val="continue"/>', 1),
        "wrong-root.docx": b'<?xml version="1.0"?><racine>texte</racine>',
    }
    for name, xml in variants.items():
        docx_variant(folder / name, xml)
    docx_variant(folder / "bomb.docx", member=("word/media/vide.bin", b"\0" * 300_000_000))
    assert (folder / "bomb.docx").stat().st_size < 1_000_000
    (folder / "bonne.txt").write_text("La CPTS soutient la vaccination des adolescents.", "utf-8")
    (folder / "zero.txt").symlink_to("/dev/zero")
    started = time.monotonic()
    report = docsante.build_index([folder], tmp_path / "ix")
    assert time.monotonic() - started < 60
    failed = {Path(str(f).split(" : ")[0]).name: str(f) for f in report.failures}
    assert "trop volumineux une fois décompressé" in failed.pop("bomb.docx")
    assert "fichier spécial" in failed.pop("zero.txt")
    read = set(variants) - set(failed)
    assert {"span-text.docx", "span-huge.docx", "vmerge-first-row.docx"} <= read
    assert report.documents == len(read) + 1
    assert all(name in variants for name in failed)
    with docsante.open_index(tmp_path / "ix") as ix:
        assert any(h.doc_id.endswith("bonne.txt") for h in ix.search("adolescents").hits)
        assert ix.search("aaaaaaaaaa").total == 0  # entities never expanded


@pytest.mark.parametrize("shape, make", [
    ("one long line", lambda n: "mot " * (n // 4)),
    ("Unicode space runs", lambda n: ("Fin. " + "\u1680\u2028\u2029 " * 40 + "Début ") * (n // 130)),
    ("many short lines", lambda n: "Titre court\n" * (n // 12)),
    ("many blank lines", lambda n: "Un mot\n" + "\n" * n + "Fin.\n"),
    ("hyphenated line ends", lambda n: "la promo-\ntion de la santé et le bien-\nêtre\n" * (n // 40)),
    ("one line of dots", lambda n: "Sommaire " + "." * n),
    ("table of contents lines", lambda n: ("2. Priorités " + "." * 300 + " 3\n") * (n // 316)),
])
@pytest.mark.slow
def test_chunking_time_grows_linearly(tmp_path, shape, make):
    """Four times the text must not take much more than four times as long (a quadratic
    term gives sixteen), and every shape goes at 250 KB/s at least (bench/hostile.py: ≥ 1 MB/s)."""
    from docsante.corpus.readers import read_sources
    from docsante.indexer.chunk import chunk

    def seconds(n):
        path = tmp_path / f"{n}.txt"
        path.write_text(make(n), "utf-8")
        best = float("inf")
        # the objects the test session holds are frozen out of the garbage collector's full passes: what is
        # measured is how reading grows with its input, not how long a collection of the whole session takes
        gc.collect()
        gc.freeze()
        try:
            for _ in range(3):  # the best of three, in CPU time: the machine's other work does not count
                started = time.process_time()
                for doc in read_sources([path]):
                    chunk(doc)
                best = min(best, time.process_time() - started)
        finally:
            gc.unfreeze()
        return best

    small, large = seconds(100_000), seconds(400_000)
    assert large < 8 * max(small, 0.01), (small, large)
    assert large < 1.6, large


HOSTILE_QUERIES = [
    "(" * 400 + "santé",
    "santé" + ")" * 400,
    "SAUF " * 150 + "santé",
    "-" * 900 + "santé",
    "CLS " * 240,
    "contrat local de santé " * 40,
    "a* " * 300,
    '"santé mentale"~50 ' * 40,
    "PACA " * 200,
    "x" * 1000,
    " OU ".join(["CPTS", "PRS", "CLSM", "PTSM"] * 30),
    "region:PACA " * 20,
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=lambda q: q[:20])
def test_every_query_within_the_limits_answers_within_a_second(sample, query):
    from docsante.search.engine import MAX_QUERY_CHARS
    assert len(query) <= MAX_QUERY_CHARS
    started = time.perf_counter()
    results = sample.search(query)
    assert time.perf_counter() - started < 1.0
    assert set(results.facets) == set(NAMES)


def test_queries_over_the_limits_are_refused_in_french(sample):
    from docsante.search.engine import MAX_FILTERS, MAX_QUERY_CHARS
    with pytest.raises(docsante.QueryError, match="Trop de filtres"):
        sample.search("santé", region=["PACA"] * (MAX_FILTERS + 1))
    with pytest.raises(docsante.QueryError, match="Trop de filtres"):
        sample.search("santé " + "region:PACA " * (MAX_FILTERS + 1))
    with pytest.raises(docsante.QueryError, match="trop longue"):
        sample.search("x" * (MAX_QUERY_CHARS + 1))


def test_facets_take_any_query(sample_index):
    for query in ("le", "de la", "?", "(", '"'):
        r = CliRunner().invoke(cli, ["facets", query, "--index", str(sample_index), "--format", "json"])
        assert r.exit_code == 0 and set(json.loads(r.output)) == set(NAMES), query


def test_one_bad_query_in_a_run_loses_its_own_lines_only(tmp_path, sample_index):
    queries = tmp_path / "q.tsv"
    queries.write_text(f"1\tcontrat local de santé\n2\t{'(' * 400}santé\n3\t{'x' * 5000}\n4\tpsychosociales\n", "utf-8")
    r = CliRunner().invoke(cli, ["run", str(queries), "--index", str(sample_index)])
    assert r.exit_code == 3
    assert {line.split()[0] for line in r.stdout.splitlines()} == {"1", "2", "4"}
    assert r.stderr.startswith("Erreur (requête 3) : Requête trop longue")


def test_exports_cannot_carry_formulas_or_extra_records(tmp_path):
    records = tmp_path / "r.jsonl"
    records.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "=HYPERLINK(\"http://x\")", "title": "+cmd|' /C calc'!A0", "text": "-2+3 la vaccination en Bretagne.",
         "source": "@SUM(1)\nER  - \nTY  - JOUR\nTI  - Faux", "url": "\thttps://example.org\r"},
    ]) + "\n", "utf-8")
    index_dir = tmp_path / "ix"
    docsante.build_index([records], index_dir)
    from fastapi.testclient import TestClient

    from docsante.web import create_app
    client = TestClient(create_app(index_dir))
    import csv
    import io
    rows = list(csv.reader(io.StringIO(client.get("/api/search.csv", params={"q": "vaccination"}).content
                                       .decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == 2
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert "'=HYPERLINK(\"http://x\")#p0" in rows[1] and "'+cmd|' /C calc'!A0" in rows[1]
    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(client.get("/api/search.xlsx", params={"q": "vaccination"}).content))
    cells = {c.value: c.data_type for c in book.active[2] if c.value}
    # written as text, as typed: a spreadsheet shows them and never runs them
    assert cells['=HYPERLINK("http://x")#p0'] == cells["+cmd|' /C calc'!A0"] == cells["-2+3 la vaccination en Bretagne."] == "s"
    ris = client.get("/api/search.ris", params={"q": "vaccination"}).text
    assert ris.count("TY  - ") == 1 and ris.count("ER  - ") == 1
    assert all(line[:2].isupper() and line[2:6] == "  - " for line in ris.splitlines() if line), ris


@pytest.mark.parametrize("args, message", [
    (["serch", "x"], "Erreur : commande inconnue : « serch » ; vouliez-vous dire « search » ?"),
    (["search"], "Erreur : argument manquant : REQUÊTE"),
    (["search", "x", "--limit", "beaucoup"], "Erreur : valeur invalide pour --limit : un nombre entier de 0 à"),
    (["search", "x", "--format", "xml"], "Erreur : valeur invalide pour --format : choisir parmi text, json, jsonl, csv, xlsx, ris, table"),
    (["search", "x", "--limit"], "Erreur : l'option --limit demande une valeur"),
    (["--bogus"], "Erreur : option inconnue : --bogus"),
    (["index", "x", "--rebuilt"], "Erreur : option inconnue : --rebuilt (vouliez-vous dire "),
])
def test_usage_errors_are_in_french(args, message):
    r = CliRunner().invoke(cli, args, prog_name="docsante")
    assert r.exit_code == 2
    assert r.stderr.startswith(message) and "\nAide : docsante" in r.stderr, r.stderr
    assert not any(word in r.stderr for word in ("Usage:", "Error:", "Try ", "No such"))


def test_help_is_in_french():
    r = CliRunner().invoke(cli, ["search", "--help"], prog_name="docsante")
    assert r.output.startswith("Utilisation : docsante search") and "Afficher cette aide et quitter." in r.output
    assert "Commandes" in CliRunner().invoke(cli, ["--help"]).output


def test_a_word_after_a_dash_is_an_exclusion_not_an_option(sample_index):
    r = CliRunner().invoke(cli, ["search", "CPTS", "-formation", "--format", "json", "-n", "3",
                                 "--index", str(sample_index)])
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["interpreted"] == "CPTS SAUF formation" and len(data["hits"]) <= 3
    assert all("formation" not in h["text"].lower() for h in data["hits"])


def test_no_library_warning_reaches_the_terminal_and_the_dtd_does_not_leak(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<!DOCTYPE html [<!ENTITY x "y">]><html><body><p>Le CLS de Lille et la vaccination.</p>'
                    "</body></html>", "utf-8")
    url_like = tmp_path / "lien.html"
    url_like.write_text("https://www.ars.sante.fr/contrats-locaux-de-sante", "utf-8")
    run = subprocess.run(docsante_cmd("index", page, url_like, "--index", tmp_path / "ix", "--quiet"),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    query = os.fsencode("vaccination caf") + b"\xe9"
    run = subprocess.run([os.fsencode(a) for a in docsante_cmd("search", "--index", tmp_path / "ix")] + [query],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    with docsante.open_index(tmp_path / "ix") as ix:
        texts = {h.doc_id.rsplit("/", 1)[1]: h.text for h in ix.search("CLS").hits}
    assert texts["page.html"] == "Le CLS de Lille et la vaccination."  # no "]>" before it
