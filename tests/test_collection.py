"""Managing the collection: listing documents, removing them, dropping the ones whose file is
gone, and the bundled sample leaving the user's own index."""

from __future__ import annotations

import json
import os
import time

from click.testing import CliRunner

import docsante
from docsante.cli import cli
from docsante.location import sample_corpus


def write(path, text):
    path.write_text(text, "utf-8")
    return path


def run(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def test_documents_are_listed_with_their_pages_passages_and_dates(tmp_path, corpus_index):
    r = run("documents", "--index", corpus_index, "--format", "json")
    assert r.exit_code == 0
    docs = {d["doc_id"].rsplit("/", 1)[-1]: d for d in json.loads(r.stdout)}
    assert docs["rapport-prse.pdf"]["pages"] == 1 and docs["rapport-prse.pdf"]["passages"] == 1
    assert all(d["first_indexed"] and d["changed"] for d in docs.values())
    assert set(next(iter(docs.values()))) == {"doc_id", "title", "source", "url", "passages", "date", "pages",
                                               "first_indexed", "changed", "issuer", "date_source", "region",
                                               "departement", "type", "withdrawn"}
    table = run("documents", "--index", corpus_index).stdout
    assert table.rstrip().endswith(f"{len(docs)} document(s)") and "Plan régional santé environnement" in table


def test_a_changed_document_keeps_when_it_was_first_indexed(tmp_path):
    note = write(tmp_path / "note.txt", "Le CLS de Lille soutient la vaccination.")
    index_dir = tmp_path / "ix"
    docsante.build_index([note], index_dir)
    with docsante.open_index(index_dir) as ix:
        (before,) = ix.documents()
    time.sleep(1.1)  # timestamps are to the second
    write(note, "Le CLS de Lille soutient la vaccination des adolescents.")
    docsante.build_index([note], index_dir)
    with docsante.open_index(index_dir) as ix:
        (after,) = ix.documents()
    assert after.first_indexed == before.first_indexed and after.changed > before.changed


def test_remove_by_id_file_jsonl_or_folder(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sous").mkdir(parents=True)
    write(folder / "a.txt", "Le CLS de Lille et la vaccination.")
    write(folder / "sous" / "b.txt", "La CPTS de Roubaix et la vaccination.")
    records = write(tmp_path / "r.jsonl", '{"id": "r1", "text": "Le PTSM et la vaccination."}\n'
                                          '{"id": "r2", "text": "Le CLSM et la vaccination."}\n')
    index_dir = tmp_path / "ix"
    docsante.build_index([folder, records], index_dir)
    assert run("remove", "r1", "--index", index_dir).stdout.startswith("1 document(s) retiré(s)")
    assert run("remove", folder / "sous", "--index", index_dir).stdout.startswith("1 document(s) retiré(s)")
    assert run("remove", records, "--index", index_dir).stdout.startswith("1 document(s) retiré(s)")  # r2
    r = run("remove", "nulle-part", "--index", index_dir)
    assert r.exit_code == 1 and r.stdout.startswith("0 document(s) retiré(s)")
    r = CliRunner().invoke(cli, ["remove", "r1", "--index", str(tmp_path / "pas-d-index")])
    assert r.exit_code == 1 and r.stderr.startswith("Erreur : Aucun index dans")
    assert not (tmp_path / "pas-d-index").exists()
    with docsante.open_index(index_dir) as ix:
        assert [d.doc_id.rsplit("/", 1)[-1] for d in ix.documents()] == ["a.txt"]
        assert ix.search("vaccination").total == 1


def test_reindexing_a_folder_drops_the_documents_whose_file_is_gone(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    write(folder / "a.txt", "Le CLS de Lille et la vaccination.")
    gone = write(folder / "b.txt", "La CPTS de Roubaix et la vaccination.")
    elsewhere = write(tmp_path / "c.txt", "Le PTSM de Douai et la vaccination.")
    index_dir = tmp_path / "ix"
    docsante.build_index([folder, elsewhere], index_dir)
    gone.unlink()
    os.unlink(elsewhere)  # not under the folder indexed again: stays until removed
    r = run("index", folder, "--index", index_dir)
    assert r.exit_code == 0 and "1 document(s) retiré(s) de l'index : leur fichier n'existe plus ou ne les contient plus." in r.stderr
    assert f"  retiré : {gone.resolve().as_posix()}" in r.stderr.splitlines()  # named, not only counted
    with docsante.open_index(index_dir) as ix:
        assert sorted(d.doc_id.rsplit("/", 1)[-1] for d in ix.documents()) == ["a.txt", "c.txt"]
        assert ix.search("Roubaix").total == 0


def test_the_sample_leaves_the_default_index_when_users_index_their_own(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "DOCSANTE_INDEX": "", "HOME": str(tmp_path)}
    r = run("search", "psychosociales", env=env)  # first use: the sample index is built
    assert r.exit_code == 0 and r.stdout.startswith("« psychosociales » : ")
    mine = tmp_path / "mes-documents"
    mine.mkdir()
    write(mine / "note.txt", "Notre CPTS organise la vaccination des adolescents à Lens.")
    r = run("index", mine, env=env)
    assert r.exit_code == 0
    assert "Le corpus d'exemple a quitté l'index" in r.stderr and str(sample_corpus().resolve()) in r.stderr
    r = run("documents", "--format", "json", env=env)
    assert [d["doc_id"].rsplit("/", 1)[-1] for d in json.loads(r.stdout)] == ["note.txt"]
    r = run("index", sample_corpus(), env=env)  # brought back on request, and kept there
    assert r.exit_code == 0 and "quitté" not in r.stderr
    assert len(json.loads(run("documents", "--format", "json", env=env).stdout)) == 6
