"""Writing the index: add, skip unchanged, replace changed, survive bad files and kill -9."""

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

import docsante
from conftest import short
from docsante.errors import IndexDamaged, IndexNotFound
from docsante.location import recorded_sources


def passage_ids(index_dir):
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher() as s:
        return sorted(f["id"] for f in s.all_stored_fields() if f["kind"] == "passage")


def test_corpus_is_indexed_and_every_format_is_searchable(corpus_index, corpus):
    with docsante.open_index(corpus_index) as ix:
        stats = ix.stats()
        assert stats["documents"] == 11
        for query, doc_id in [("radon", "rapport-prse.pdf"), ("Besançon", "clsm.docx"),
                              ("Roubaix", "rec-1"), ("trente-deux CPTS", "page-cpts.html"),
                              ("Triple P", "cp1252-meuse.txt"), ("suicide", "notes-ptsm.md")]:
            assert doc_id in {short(h.doc_id, corpus) for h in ix.search(query).hits}, query


def test_known_documents_are_numbered_as_a_look_up_finds_them(tmp_path, corpus):
    """The documents a run starts with, read from the doc_id and doc_hash columns, have the entries a
    look-up of their id finds and the content hash their entries were written with, across segments
    and deletions."""
    from whoosh.index import open_dir
    from docsante.indexer.write import KnownDocuments, _entries
    folder = tmp_path / "corpus"
    shutil.copytree(corpus, folder)
    docsante.build_index([folder], tmp_path / "ix")
    (folder / "notes-ptsm.md").write_text("# PTSM\n\nUn passage.\n\n## Suite\n\nUn autre.\n", encoding="utf-8")
    docsante.build_index([folder], tmp_path / "ix")  # a second segment, and deletions in the first
    with open_dir(str(tmp_path / "ix")).reader() as reader:
        assert len(reader.leaf_readers()) == 2 and reader.has_deletions()
        known, hashes = KnownDocuments(reader), reader.column_reader("doc_hash")
        assert len(list(known)) == 11
        for doc_id in known:
            numbers = sorted(_entries(reader, doc_id))
            assert known.entries(doc_id) == numbers and len(numbers) >= 1
            assert {hashes[n].hex() for n in numbers} == {known.digest(doc_id)}
        assert max(len(known.entries(doc_id)) for doc_id in known) > 2  # a document's passages and its whole
    assert known.digest("absent") is None


def test_stamps_read_an_index_written_before_the_doc_hash_column():
    """A rebuild of an index whose content hashes are stored fields (schema 16 and before; here 9) keeps
    its documents' stamps under their hash, as it does from the column."""
    from docsante.index.schema import DOCUMENT
    from docsante.index.store import open_whoosh
    from docsante.indexer.write import _entries, _stamps
    with open_whoosh(Path(__file__).parent / "golden" / "index-v9").reader() as reader:
        first = next(f for f in reader.all_stored_fields() if f.get("kind") == "passage")
        stamps = _stamps(reader, _entries(reader, first["doc_id"]))
    assert stamps[(DOCUMENT, first["doc_hash"])][0] == stamps[DOCUMENT] == first["first_indexed"]


def test_reindexing_skips_unchanged_and_replaces_changed(tmp_path, corpus):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus, folder)
    index_dir = tmp_path / "ix"
    first = docsante.build_index([folder], index_dir)
    assert (first.documents, first.unchanged) == (11, 0)
    before = passage_ids(index_dir)

    again = docsante.build_index([folder], index_dir)
    assert (again.documents, again.unchanged, again.passages) == (0, 11, 0)
    assert passage_ids(index_dir) == before

    (folder / "notes-ptsm.md").write_text("# PTSM\n\nUn seul passage sur la pair-aidance désormais.\n", encoding="utf-8")
    changed = docsante.build_index([folder], index_dir)
    assert (changed.documents, changed.unchanged) == (1, 10)
    ids = passage_ids(index_dir)
    assert len(ids) == len(set(ids))
    notes = (folder / "notes-ptsm.md").resolve().as_posix()
    assert [i for i in ids if i.startswith(notes)] == [notes + "#p0"]
    with docsante.open_index(index_dir) as ix:
        assert notes not in {h.doc_id for h in ix.search("suicide").hits}
        assert ix.search("pair-aidance").hits[0].doc_id == notes
    alone = docsante.build_index([folder / "notes-ptsm.md"], index_dir)  # the same file, reached on its own
    assert (alone.documents, alone.unchanged) == (0, 1)


def test_hostile_folder_keeps_every_valid_file(tmp_path, hostile):
    report = docsante.build_index([hostile], tmp_path / "ix")
    names = {str(f).split(" : ")[0].rsplit("/", 1)[-1] for f in report.failures}
    assert {"tronque.pdf", "faux.pdf", "faux.docx", "vide.docx", "vide.txt", "binaire.txt", "lien-casse.txt"} <= names
    with docsante.open_index(tmp_path / "ix") as ix:
        assert short(ix.search("Texte profond vaccination").hits[0].doc_id, hostile) == "profond.html"
        assert short(ix.search("radon").hits[0].doc_id, hostile) == "rapport-prse.pdf"
        assert ix.stats()["documents"] == 13
        assert short(ix.search("conseil local de santé mentale").hits[0].doc_id, hostile) == "synth\\xe8se-clsm.txt"


def test_a_file_whose_name_is_not_utf8_stays_through_the_next_runs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / os.fsdecode(b"synth\xe8se.txt")).write_text("Synthèse du contrat local de santé.\n", "utf-8")
    (folder / "autre.txt").write_text("Atelier santé ville.\n", "utf-8")
    docsante.build_index([folder], tmp_path / "ix")
    report = docsante.build_index([folder], tmp_path / "ix")
    assert (report.documents, report.unchanged, report.pruned) == (0, 2, 0)
    (folder / "autre.txt").unlink()
    assert docsante.build_index([folder], tmp_path / "ix").pruned == 1  # a file that is gone still goes
    with docsante.open_index(tmp_path / "ix") as ix:
        assert [d.title for d in ix.documents()] == ["Synth\\xe8se"]
    assert recorded_sources(tmp_path / "ix") == [folder / os.fsdecode(b"synth\xe8se.txt")]  # what a rebuild reads


def test_a_jsonl_file_read_again_drops_the_records_it_no_longer_holds(tmp_path):
    folder, ix_dir = tmp_path / "docs", tmp_path / "ix"
    folder.mkdir()

    def write(name, *records, bad_line=False):
        lines = [json.dumps({"id": r, "text": f"Contrat local de santé, fiche {r}.", "source": "base documentaire"})
                 for r in records]
        (folder / name).write_text("\n".join(lines + (["{pas du JSON"] if bad_line else [])) + "\n", "utf-8")

    def indexed():
        with docsante.open_index(ix_dir) as ix:
            return sorted(d.doc_id for d in ix.documents())

    write("export.jsonl", "a", "b", "c")
    write("autre.jsonl", "d")
    docsante.build_index([folder], ix_dir)
    write("export.jsonl", "a", "c", bad_line=True)  # b may be on the line that cannot be read: it stays
    assert docsante.build_index([folder], ix_dir).pruned == 0 and indexed() == ["a", "b", "c", "d"]
    write("export.jsonl", "a")
    write("autre.jsonl", "c", "d")  # c moves to another file: it stays
    assert docsante.build_index([folder / "export.jsonl", folder / "autre.jsonl"], ix_dir).pruned == 1
    assert indexed() == ["a", "c", "d"]
    (folder / "export.jsonl").unlink()  # whatever their `source` says, records go with their file
    assert docsante.build_index([folder], ix_dir).pruned == 1 and indexed() == ["c", "d"]
    assert docsante.remove_documents(ix_dir, [folder / "autre.jsonl"]) == 2 and indexed() == []


@pytest.mark.slow
def test_big_text_file_is_indexed(tmp_path):
    big = tmp_path / "gros.txt"
    paragraph = "Le contrat local de santé de la commune réunit les acteurs du territoire. " * 12 + "\n\n"
    with big.open("w", encoding="utf-8") as f:
        while f.tell() < 20_000_000:
            f.write(paragraph)
    report = docsante.build_index([big], tmp_path / "ix", batch_size=50_000)
    assert report.failed == 0 and report.passages > 20_000


def test_missing_and_damaged_index_raise_clear_errors(tmp_path, sample_index):
    with pytest.raises(IndexNotFound, match="Aucun index"):
        docsante.open_index(tmp_path / "nothing")
    damaged = tmp_path / "damaged"
    shutil.copytree(sample_index, damaged)
    for seg in damaged.glob("*.seg"):
        seg.write_bytes(b"garbage")
    with pytest.raises(IndexDamaged, match="endommagé.*--rebuild"):
        with docsante.open_index(damaged) as ix:
            ix.search("santé")


def write_records(path: Path, prefix: str, n: int):
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"{prefix}{i}", "title": f"Fiche {prefix}{i}",
                                "text": f"Le contrat local de santé {prefix}{i} soutient la vaccination en Bretagne."}) + "\n")


def generation(index_dir):
    """The index's last committed generation; -1 before its first commit."""
    if not whoosh_index.exists_in(str(index_dir)):
        return -1
    return whoosh_index.open_dir(str(index_dir)).latest_generation()


def process_group(pgid: int) -> set[int]:
    """Live processes of a process group (Linux /proc)."""
    members = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.add(int(stat.parent.name))
    return members


@pytest.mark.slow
def test_a_dead_worker_stops_the_run_with_one_line_and_keeps_what_was_committed(tmp_path):
    index_dir = tmp_path / "ix"
    write_records(tmp_path / "b.jsonl", "b", 10_000)
    cmd = [sys.executable, "-m", "docsante", "index", str(tmp_path / "b.jsonl"), "--index", str(index_dir),
           "--quiet", "--batch-size", "1000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 120
    while generation(index_dir) < 2 and time.time() < deadline:
        time.sleep(0.05)
    workers = process_group(proc.pid) - {proc.pid}
    assert workers and proc.poll() is None
    os.kill(min(workers), signal.SIGKILL)  # the pool then stops the other workers itself
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.strip().splitlines() == ["Erreur : Un processus d'indexation s'est arrêté (mémoire insuffisante ?) ; "
                                        "ce qui a été validé avant reste dans l'index."]
    with docsante.open_index(index_dir) as ix:
        assert 2000 <= ix.search("contrat local", limit=0).total < 10_000
    assert docsante.build_index([tmp_path / "b.jsonl"], index_dir).failed == 0  # no lock left behind
    assert len(passage_ids(index_dir)) == 10_000


@pytest.mark.slow
def test_ctrl_c_stops_every_process_with_one_french_line(tmp_path):
    index_dir = tmp_path / "ix"
    write_records(tmp_path / "b.jsonl", "b", 10_000)
    cmd = [sys.executable, "-m", "docsante", "index", str(tmp_path / "b.jsonl"), "--index", str(index_dir),
           "--quiet", "--batch-size", "1000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while generation(index_dir) < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (130, "Interrompu.\n")
    time.sleep(0.5)
    assert not process_group(proc.pid)
    with docsante.open_index(index_dir) as ix:
        assert ix.search("contrat local", limit=0).total >= 1000


@pytest.mark.slow
def test_kill_9_loses_nothing_committed_and_leaves_no_lock(tmp_path):
    index_dir = tmp_path / "ix"
    write_records(tmp_path / "a.jsonl", "a", 300)
    write_records(tmp_path / "b.jsonl", "b", 10_000)
    docsante.build_index([tmp_path / "a.jsonl"], index_dir)
    start_gen = generation(index_dir)
    cmd = [sys.executable, "-m", "docsante", "index", str(tmp_path / "b.jsonl"), "--index", str(index_dir),
           "--quiet", "--batch-size", "1000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.time() + 120
        while generation(index_dir) < start_gen + 2 and time.time() < deadline:
            with docsante.open_index(index_dir) as ix:  # searches answer during indexing
                assert ix.search("contrat local").total >= 300
            time.sleep(0.05)
        assert proc.poll() is None, "indexing ended before it could be killed"
        assert process_group(proc.pid) - {proc.pid}, "no worker process to watch"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.time() + 10
    while process_group(proc.pid) and time.time() < deadline:  # the workers leave with their parent
        time.sleep(0.1)
    assert not process_group(proc.pid)
    with docsante.open_index(index_dir) as ix:
        after_kill = ix.search("contrat local", limit=0).total
    assert 300 + 2000 <= after_kill < 10_300  # both committed batches are there, the rest is not
    report = docsante.build_index([tmp_path / "b.jsonl"], index_dir)  # no lock blocks the next run
    assert report.failed == 0
    ids = passage_ids(index_dir)
    assert len(ids) == len(set(ids)) == 10_300


def test_word_entries_feed_suggestions_and_never_show_as_passages(tmp_path):
    index_dir = tmp_path / "ix"
    write_records(tmp_path / "a.jsonl", "a", 30)
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "b0", "title": "Fiche b0",
                                                  "text": "La parentalité en milieu rural."}) + "\n", "utf-8")
    sentence = "La rougeole se prévient par la vaccination des enfants et des adultes. "
    (tmp_path / "c.txt").write_text("\n\n".join(sentence * 8 for _ in range(3)), "utf-8")  # 3 passages
    docsante.build_index([tmp_path / "a.jsonl"], index_dir, batch_size=10)
    docsante.build_index([tmp_path / "b.jsonl", tmp_path / "c.txt"], index_dir)  # a later run adds its own words
    with docsante.open_index(index_dir) as ix:
        assert ix.stats()["passages"] == ix.search("").total == ix.search("contrat OU parentalité").total + 3 == 34
        assert ix.generation.searcher.reader().frequency("words", "rougeole") == 3  # passages that hold the word
        assert ix.search("parentalitée").did_you_mean == "parentalite"
        assert ix.search("vacination").did_you_mean == "vaccination"


def test_merges_never_rewrite_a_large_segment(tmp_path, monkeypatch, small_commits):
    """Small segments merge (MERGE_AT at a time) into segments of at most MERGED_SEGMENT_PASSAGES
    entries; those are never merged again: Whoosh's own policy would end with one segment."""
    from docsante.indexer import write
    monkeypatch.setattr(write, "MERGED_SEGMENT_PASSAGES", 40)  # the cap, scaled down to a test's size
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(150):
        (folder / f"fiche-{n:03}.txt").write_text(f"Fiche {n} du contrat local de santé.\n", "utf-8")
    docsante.build_index([folder], tmp_path / "ix", batch_size=5)  # about 30 commits
    with docsante.open_index(tmp_path / "ix") as ix:
        sizes = [s.doc_count_all() for s, _ in ix.generation.searcher.reader().leaf_readers()]
        assert ix.search("contrat").total == 150
    assert max(sizes) <= 40 and 150 // 40 <= len(sizes) < 30  # merged, never past the cap


def test_a_file_as_it_was_is_not_read_again_and_an_edit_always_is(tmp_path):
    """A second run skips the files whose bytes did not change, and the lines of a JSONL file read before;
    an edit that keeps the file's size and modification time is still seen; removed documents come back
    when their file is indexed again."""
    folder, ix_dir = tmp_path / "docs", tmp_path / "ix"
    folder.mkdir()
    (folder / "a.txt").write_text("Contrat local de santé : tabagisme.\n", "utf-8")
    (folder / "b.txt").write_text("Atelier santé ville de Nancy.\n", "utf-8")
    records = [{"id": f"r{n}", "text": f"Fiche {n} du projet territorial de santé mentale."} for n in range(3)]

    def write_records():
        (folder / "export.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")

    def counts():
        report = docsante.build_index([folder], ix_dir)
        return report.documents, report.unchanged, report.pruned

    write_records()
    assert counts() == (5, 0, 0)
    seen = json.loads(gzip.decompress((ix_dir / "sources.json.gz").read_bytes()))["files"]
    assert sorted(Path(p).name for p in seen) == ["a.txt", "b.txt", "export.jsonl"]
    assert len(seen[next(p for p in seen if p.endswith("export.jsonl"))]["lines"]) == 3
    assert counts() == (0, 5, 0)

    a = folder / "a.txt"
    st = a.stat()
    a.write_text("Contrat local de santé : addiction.\n", "utf-8")  # same size
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns))  # same modification time
    assert counts() == (1, 4, 0)
    with docsante.open_index(ix_dir) as ix:
        assert ix.search("addiction").total == 1 and ix.search("tabagisme").total == 0

    records[1]["text"] = "Fiche 1 du conseil local de santé mentale."
    del records[2]
    write_records()
    assert counts() == (1, 3, 1)  # the changed line's record; the record gone from the file goes
    with docsante.open_index(ix_dir) as ix:
        assert ix.search("conseil").total == 1 and len(list(ix.documents())) == 4
        assert (ix.stats()["documents"], ix.stats()["passages"]) == (4, 4)  # deleted entries are not counted

    assert docsante.remove_documents(ix_dir, [folder / "b.txt"]) == 1
    assert counts() == (1, 3, 0)  # b.txt is back
    with docsante.open_index(ix_dir) as ix:
        assert ix.search("Nancy").total == 1
