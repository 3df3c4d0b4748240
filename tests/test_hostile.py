"""Faults and hostile input: concurrent writers, rebuilds, damaged indexes, full disks, read-only
folders, poisoned text, files that explode or hang, pathological queries, injections in exports."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

import docsante
from docsante import IndexDamaged
from docsante.cli import cli
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
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(index_dir)!r}, os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX)\n"
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
    assert r.exit_code == 0 and "passages pour" in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]  # nothing left beside it


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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix", "r.jsonl"]


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
