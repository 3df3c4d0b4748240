"""The command line, through click's CliRunner and once through the installed script."""

import json
import os
import re
import shutil
import subprocess
import sys

import click
from click.testing import CliRunner

import docsante
from conftest import sample_id, short
from docsante.cli import cli
from docsante.index.store import SCHEMA_VERSION


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_index_then_search_json(tmp_path, corpus):
    r = CliRunner().invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert r.exit_code == 3  # the fixture's four bad JSONL lines are skipped and named
    assert [line.split(":")[-2].split()[0] for line in r.stderr.splitlines()] == ["3", "4", "5", "6"]
    assert "11 document(s) indexé(s)" in r.output
    r = CliRunner().invoke(cli, ["index", str(corpus / "page-cpts.html"), "--index", str(tmp_path / "ix")])
    assert r.exit_code == 0 and "0 document(s) indexé(s)" in r.output and "1 inchangé(s)" in r.output
    r = run("search", "radon", "--index", str(tmp_path / "ix"), "--format", "json")
    data = json.loads(r.output)
    assert short(data["hits"][0]["doc_id"], corpus) == "rapport-prse.pdf"


def test_exit_codes_for_partial_and_failed_runs(tmp_path, hostile):
    r = CliRunner().invoke(cli, ["index", str(hostile), "--index", str(tmp_path / "ix")])
    assert r.exit_code == 3
    assert "Traceback" not in r.output
    for name in ("tronque.pdf", "faux.docx", "binaire.txt"):
        assert any(line.startswith("ignoré : ") and name in line for line in r.stderr.splitlines()), name
    bad = tmp_path / "seul.pdf"
    bad.write_text("rien")
    r = CliRunner().invoke(cli, ["index", str(bad), "--index", str(tmp_path / "ix2")])
    assert r.exit_code == 1


def test_search_table_fits_80_columns_and_is_french(sample_index):
    import docsante
    with docsante.open_index(sample_index) as ix:
        found = ix.search("contrat local de santé")
    every, rest = found.total_all_words, found.total - found.total_all_words
    assert every and rest  # « santé » is in most passages: the count line tells them apart
    r = run("search", "contrat local de santé", "--index", str(sample_index), "--limit", "3")
    assert r.exit_code == 0
    assert " ".join(r.output.split()).startswith(f"« contrat local de santé » : {every} passages contiennent tous "
                                                 f"les mots, {rest} autres en contiennent une partie — résultats 1 à 3")
    assert "[contrats] [locaux] de [santé]" in r.output
    assert max(len(line) for line in r.output.splitlines()) <= 80
    assert "Régions : Hauts-de-France" in r.output
    assert "    réf. hauts-de-france-zoom-politiques-dispositifs.txt#p8" in r.output


def test_filters_and_jsonl(sample_index):
    r = run("search", "santé", "--index", str(sample_index), "--region", "PACA", "--format", "jsonl")
    lines = [json.loads(line) for line in r.output.splitlines()]
    assert len(lines) == 2 and all(h["region"] == ["Provence-Alpes-Côte d'Azur"] for h in lines)


def test_errors_are_one_french_line_with_exit_1(tmp_path, sample_index):
    r = CliRunner().invoke(cli, ["search", "santé", "--index", str(sample_index), "--region", "Narnia"])
    assert r.exit_code == 1 and r.stderr.startswith("Erreur : Région inconnue : « Narnia ».")
    assert len(r.stderr.strip().splitlines()) == 1
    r = CliRunner().invoke(cli, ["search", "santé", "--index", str(tmp_path / "nowhere")])
    assert r.exit_code == 1 and "Aucun index" in r.stderr
    r = CliRunner().invoke(cli, ["show", "nope#p0", "--index", str(sample_index)])
    assert r.exit_code == 1 and "Aucun passage" in r.stderr
    r = CliRunner().invoke(cli, ["search", "x" * 20_000, "--index", str(sample_index)])
    assert r.exit_code == 1 and "trop longue" in r.stderr


def test_show_stats_facets_run(tmp_path, sample_index):
    zoom = sample_id("hauts-de-france-zoom-politiques-dispositifs.txt") + "#p8"
    r = run("show", zoom, "--index", str(sample_index))
    assert f">>> [{zoom}] Contrats Locaux de Santé" in r.output
    short_ref = run("show", "hauts-de-france-zoom-politiques-dispositifs.txt#p8", "--index", str(sample_index))
    assert short_ref.output == r.output
    whole = run("show", "hauts-de-france-zoom-politiques-dispositifs.txt", "--index", str(sample_index))
    assert f">>> [{zoom[:-1]}0]" in whole.output  # a document: its first passage
    r = run("stats", "--index", str(sample_index), "--format", "json")
    assert json.loads(r.output)["passages"] == 42
    r = run("facets", "--index", str(sample_index), "--facet", "region")
    assert r.output.splitlines()[1].split() == ["19", "Hauts-de-France", "[hauts-de-france]"]
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tcompétences psychosociales en région Paca\nq2\tcontrat local de santé\n", encoding="utf-8")
    r = run("run", str(queries), "--index", str(sample_index), "--limit", "2")
    rows = [line.split() for line in r.output.splitlines()]
    assert rows[0][:4] == ["q1", "Q0", sample_id("paca-ars-competences-psychosociales.txt"), "1"]
    assert [row[0] for row in rows] == ["q1", "q1", "q2", "q2"] and all(row[5] == "docsante" for row in rows)


ENGLISH_PLACEHOLDERS = re.compile(r"\b(INTEGER|RANGE|DIRECTORY|PATH|FILE|TEXT|FLOAT|COMMAND|ARGS|QUERY|QUERIES|PATHS|TARGETS|PASSAGE_ID)\b")


def test_show_a_record_by_its_id(corpus_index):
    r = run("show", "rec-2", "--index", str(corpus_index))
    assert r.exit_code == 0 and ">>> [rec-2#p0]" in r.output and "radon" in r.output


def test_every_command_has_french_help():
    groups = [([], cli)] + [([name], c) for name, c in cli.commands.items() if isinstance(c, click.Group)]
    commands = [(path + [name], c) for path, group in groups for name, c in group.commands.items()]
    assert len(commands) > len(cli.commands)  # the veille subcommands too
    for path, command in [([], cli)] + commands:
        assert command.help and command.help.strip(), path
        r = run(*path, "--help")
        assert r.exit_code == 0 and "Utilisation :" in r.output and "Afficher cette aide et quitter." in r.output
        assert not ENGLISH_PLACEHOLDERS.search(r.output), (path, ENGLISH_PLACEHOLDERS.search(r.output)[0])


def test_installed_script_first_search_with_empty_home(tmp_path):
    """The README's promise: a fresh user searches the bundled corpus with no setup."""
    script = shutil.which("docsante", path=os.path.dirname(sys.executable))
    assert script, "the docsante console script is not installed next to this Python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "DOCSANTE"))}
    env.update(HOME=str(tmp_path), DOCSANTE_INDEX="")
    r = subprocess.run([script, "search", "contrat local de santé", "--format", "json"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["total"] >= 1
    assert "index d'exemple" in r.stderr
    assert (tmp_path / ".local/share/docsante/index").is_dir()


def test_explain_and_did_you_mean_in_the_table(sample_index):
    r = CliRunner().invoke(cli, ["search", "CLS", "--explain", "--index", str(sample_index)])
    assert r.stderr.splitlines() == ["Requête comprise : CLS", "  élargie : CLS → « Contrat local de santé »"]
    r = run("search", "adictologie", "--index", str(sample_index))
    assert "Vouliez-vous dire : « addictologie » ?" in r.output.splitlines() and "[addictologie]" in r.output.lower()
    r = run("search", "xqzwvk", "--index", str(sample_index))
    assert r.output.splitlines() == ["Aucun passage ne correspond à « xqzwvk »."]


def test_progress_bar_on_a_terminal(tmp_path, corpus):
    """On a terminal (here a pseudo-terminal on stderr) indexing shows documents and passages per second."""
    import fcntl
    import pty
    import struct
    import termios
    script = shutil.which("docsante", path=os.path.dirname(sys.executable))
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # an 80x24 terminal
    proc = subprocess.run([script, "index", str(corpus / "page-cpts.html"), "--index", str(tmp_path / "ix")],
                          stderr=secondary, stdout=subprocess.PIPE, text=True, timeout=120)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal is closed once everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "passages/s" in shown and "doc" in shown


def test_output_piped_into_a_reader_that_stops_early(sample_index):
    """`docsante search … | head -1`: no error line, no traceback, the SIGPIPE-like exit code."""
    script = shutil.which("docsante", path=os.path.dirname(sys.executable))
    proc = subprocess.Popen([script, "search", "santé", "--limit", "100", "--index", str(sample_index)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read()
    assert (proc.wait(timeout=60), err) == (141, "")


def test_a_default_index_written_by_another_version_is_rebuilt_from_its_files(tmp_path):
    """A user upgrading docsante keeps searching: the default index is rebuilt from the files it recorded."""
    index_dir = tmp_path / ".local/share/docsante/index"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.txt").write_text("Note\n\nLa CPTS du Lunévillois organise les soins non programmés.\n", "utf-8")
    docsante.build_index([docs], index_dir)
    (index_dir / "docsante.json").write_text(json.dumps({"schema_version": 6}), "utf-8")
    env = {"HOME": str(tmp_path), "DOCSANTE_INDEX": "", "XDG_DATA_HOME": None}
    r = CliRunner().invoke(cli, ["search", "CPTS", "--format", "json"], env=env)
    assert r.exit_code == 0, r.output
    assert "vient d'une autre version de docsante : reconstruction à partir de 1 source(s)" in r.stderr
    assert [h["doc_id"] for h in json.loads(r.stdout)["hits"]] == [str(docs / "note.txt")]
    assert json.loads((index_dir / "docsante.json").read_text("utf-8"))["schema_version"] == SCHEMA_VERSION


def test_an_index_written_with_other_facets_is_refused_then_rebuilt(tmp_path):
    """Adding a facet to facets.py is enough for older indexes to be rebuilt: each records its facets."""
    index_dir, docs = tmp_path / "ix", tmp_path / "docs"
    docs.mkdir()
    (docs / "note.txt").write_text("La CPTS du Lunévillois organise les soins non programmés.\n", "utf-8")
    docsante.build_index([docs], index_dir)
    meta = json.loads((index_dir / "docsante.json").read_text("utf-8"))
    (index_dir / "docsante.json").write_text(json.dumps({**meta, "facets": meta["facets"][:-1]}), "utf-8")
    r = CliRunner().invoke(cli, ["search", "CPTS", "--index", str(index_dir)])
    assert r.exit_code == 1 and "créé par une autre version de docsante" in r.stderr
    env = {"DOCSANTE_INDEX": str(index_dir)}
    r = CliRunner().invoke(cli, ["index", str(docs), "--rebuild", "-q"], env=env)
    assert r.exit_code == 0, r.output
    assert CliRunner().invoke(cli, ["search", "CPTS", "--format", "json"], env=env).exit_code == 0


def test_a_slide_deck_is_searched_slide_by_slide(tmp_path):
    from test_corpus import _deck
    _deck(tmp_path / "coter-cps.pptx")
    index_dir = tmp_path / "ix"
    assert CliRunner().invoke(cli, ["index", str(tmp_path / "coter-cps.pptx"), "--index", str(index_dir), "-q"]).exit_code == 0
    r = CliRunner().invoke(cli, ["search", "PSFP", "--index", str(index_dir), "--format", "json"])
    (hit,) = json.loads(r.stdout)["hits"]
    assert (hit["title"], hit["section"], hit["page"]) == (
        "Compétences psychosociales – COTER du 12 mars 2024", "Axe 1 : déployer les programmes", 2)
    assert "Unplugged" in hit["text"] and "Bilan présenté par la DD 13." in hit["text"]
    assert "Programme" not in hit["text"]  # the next slide is the next passage
    assert (hit["date"], hit["year"]) == ("2024", 2024)  # from the title: python-pptx's template date is not the deck's


def test_a_bare_command_helps_and_a_mistyped_one_is_named_with_the_closest():
    for args, usage in (([], "Utilisation : docsante [OPTIONS] COMMANDE"), (["veille"], "Utilisation : docsante veille")):
        r = CliRunner().invoke(cli, args, prog_name="docsante")
        assert r.exit_code == 0 and r.output.startswith(usage), args
    r = CliRunner().invoke(cli, ["serach", "santé"])
    assert r.exit_code == 2 and "commande inconnue : « serach » ; vouliez-vous dire « search » ?" in r.stderr
    r = CliRunner().invoke(cli, ["veille", "rn"])
    assert r.exit_code == 2 and "vouliez-vous dire « run » ?" in r.stderr


def test_french_details_of_the_table(sample_index):
    browse = run("search", "", "--region", "PACA", "--index", str(sample_index)).output
    assert "pour «" not in browse.splitlines()[0] and browse.splitlines()[0].endswith("résultats 1 à 9")
    plain = run("search", "compétences psychosociales", "--index", str(sample_index)).output
    assert "score" not in plain  # a raw score means nothing to a reader
    explained = CliRunner().invoke(cli, ["search", "compétences psychosociales", "--explain", "--index",
                                         str(sample_index)]).stdout
    assert re.search(r"\(score \d+,\d\d\)", explained)  # with --explain, and a decimal comma
    assert re.search(r"^Taille : \d+,\d Mo$", run("stats", "--index", str(sample_index)).output, re.M)
    assert "Vouliez-vous dire : « Addictologie » ?" in run("search", "Adictologie", "--index", str(sample_index)).output
