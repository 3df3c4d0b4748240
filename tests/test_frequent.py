"""Frequent words' postings as arrays beside each segment: the same postings, positions and
search results as Whoosh's blocks, files that follow their segment, old indexes still read."""

import json
import shutil

import numpy as np
import pytest
from whoosh import query as wq

import docsante
from docsante.index.frequent import FORMAT, FREQUENT_POSTINGS, segment_id
from docsante.search.evaluate import Evaluator


@pytest.fixture(scope="module")
def searcher(segmented_index):
    with docsante.open_index(segmented_index) as ix:
        yield ix.generation.searcher


def _segments(index_dir):
    with docsante.open_index(index_dir) as ix:
        return [s for s, _ in ix.generation.searcher.reader().leaf_readers()]


def sidecar_segments(index_dir):
    return {p.name.split(".")[0] for p in index_dir.glob("*.frequent_words.json")}


def test_every_segment_has_its_arrays_and_no_other(segmented_index, searcher):
    segments = {segment_id(s) for s, _ in searcher.reader().leaf_readers()}
    assert len(segments) > 1 and sidecar_segments(segmented_index) == segments
    assert not [p for p in segmented_index.iterdir() if p.name.startswith(".")]  # no half-written file


def test_a_worker_gathers_the_arrays_read_back_from_its_segment_byte_for_byte(tmp_path, segmented_index, searcher):
    """A worker gathers its segment's arrays from the postings on their way to the segment's files; a
    merged segment's are read back from it. Both ways give the same files."""
    from docsante.index.frequent import ARRAYS, SegmentArrays
    compared = 0
    for segment, _ in searcher.reader().leaf_readers():
        name = segment_id(segment)
        SegmentArrays.read_back(segment).write(tmp_path, name)
        for part in (*ARRAYS, "words.json"):
            written = (segmented_index / f"{name}.frequent_{part}").read_bytes()
            assert (tmp_path / f"{name}.frequent_{part}").read_bytes() == written, (name, part)
        fields = json.loads((tmp_path / f"{name}.frequent_words.json").read_text("utf-8"))["fields"]
        compared += bool(fields["text"]["frequent"]) and bool(fields["text"]["rare"])
    assert compared >= 2  # the first run's segments, one per worker, hold frequent and rare words


def test_arrays_are_written_in_their_narrowest_types(segmented_index):
    """A segment's numbers in 8 or 16 bits when they fit (a passage's count of a word, its positions,
    a segment of fewer than 65,536 passages), wider when they do not."""
    from docsante.index.frequent import _narrowest
    for words in segmented_index.glob("*.frequent_words.json"):
        types = {name: np.dtype(code) for name, code in json.loads(words.read_text("utf-8"))["types"].items()}
        assert types["weights"] == np.uint8 and {types[n].itemsize for n in ("ids", "positions", "rare")} <= {1, 2}
        for name, dtype in types.items():
            assert (words.parent / words.name.replace("words.json", name)).stat().st_size % dtype.itemsize == 0
    assert [_narrowest(np.array(v, np.uint32)).dtype for v in ([], [255], [256], [70_000])] == \
        [np.uint8, np.uint8, np.uint16, np.uint32]


def test_arrays_give_what_whoosh_blocks_give(segmented_index, searcher):
    with_arrays, blocks_only = Evaluator(searcher, segmented_index), Evaluator(searcher)
    frequent = [w for w in searcher.reader().lexicon("text")
                if max(s.doc_frequency("text", w) for s, _ in searcher.reader().leaf_readers()) >= FREQUENT_POSTINGS]
    assert frequent  # "sant", "publiqu"… are read from the arrays
    for word in searcher.reader().lexicon("text"):
        ids, weights = with_arrays.decode("text", word)
        expected_ids, expected_weights = blocks_only.decode("text", word)
        assert ids.tolist() == expected_ids.tolist() and weights.tolist() == expected_weights.tolist(), word
        assert with_arrays.positions("text", word).tolist() == blocks_only.positions("text", word).tolist(), word
    for q in [wq.Phrase("text", ["sant", "publiqu"]), wq.Phrase("text", ["publiqu", "sant"], slop=2),
              wq.Or([wq.Term("text", "sant"), wq.Term("text", "prevent")])]:
        a, b = with_arrays.evaluate(q), blocks_only.evaluate(q)
        assert a.ids.tolist() == b.ids.tolist() and a.scores.tolist() == b.scores.tolist()
        assert len(a.ids) > 100


def test_truncations_read_from_the_arrays_find_what_whoosh_finds(segmented_index, searcher):
    """A truncation takes one slice of each segment's frequent and rare words: the same passages
    as expanding it word by word over Whoosh's lexicon, deleted passages left out."""
    from docsante.index.whoosh_adapter import ConstantPrefix
    with_arrays, blocks_only = Evaluator(searcher, segmented_index), Evaluator(searcher)
    reader = searcher.reader()
    prefixes = {(field, word.decode()[:n]) for field in ("text", "title") for word in reader.lexicon(field)
                for n in (0, 1, 2, 3)}  # "": every word
    assert len(prefixes) > 50
    for field, prefix in sorted(prefixes):
        q = ConstantPrefix(field, prefix)
        expected = with_arrays._fallback(q).ids.tolist()  # Whoosh's own matcher
        assert with_arrays.evaluate(q).ids.tolist() == expected, (field, prefix)
        assert blocks_only.evaluate(q).ids.tolist() == expected, (field, prefix)
    both = [prefix for field, prefix in prefixes for _, _, arrays in with_arrays.segments
            if all(len(part) for part in arrays.prefixed(field, prefix))]
    assert both  # a prefix of frequent and rare words alike in one segment


def _remove_arrays(index_dir):
    for p in index_dir.glob("*.frequent_*"):
        p.unlink()


def _write_an_older_format(index_dir):
    for p in index_dir.glob("*.frequent_words.json"):
        p.write_text(json.dumps({"text": {}}), "utf-8")  # format 1: no format number, no rare words


@pytest.mark.parametrize("damage", [_remove_arrays, _write_an_older_format])
def test_an_index_without_current_arrays_answers_the_same_and_gets_them_at_its_next_run(tmp_path, segmented_index,
                                                                                         damage):
    index_dir = tmp_path / "ix"
    shutil.copytree(segmented_index, index_dir)
    query = '"santé publique" OU sant* OU prévention'
    with docsante.open_index(index_dir) as ix:
        before = [(h.id, round(h.score, 9)) for h in ix.search(query, limit=50).hits]
    damage(index_dir)
    with docsante.open_index(index_dir) as ix:
        assert all(f.directory is None for _, _, f in ix.generation.evaluator.segments)
        assert [(h.id, round(h.score, 9)) for h in ix.search(query, limit=50).hits] == before
    (tmp_path / "new.txt").write_text("Une fiche de santé publique.\n", "utf-8")
    docsante.build_index([tmp_path / "new.txt"], index_dir)
    current = {p.name.split(".")[0] for p in index_dir.glob("*.frequent_words.json")
               if json.loads(p.read_text("utf-8")).get("format") == FORMAT}
    with docsante.open_index(index_dir) as ix:
        assert current == sidecar_segments(index_dir) == {segment_id(s) for s, _ in ix.generation.searcher.reader().leaf_readers()}
        assert all(f.directory for _, _, f in ix.generation.evaluator.segments)


def test_a_search_opened_before_the_arrays_were_written_reads_them_once_they_are(tmp_path, segmented_index,
                                                                                  monkeypatch):
    from whoosh import index as whoosh_index

    from docsante.index.frequent import FrequentPostings, write_missing
    index_dir = tmp_path / "ix"
    shutil.copytree(segmented_index, index_dir)
    _remove_arrays(index_dir)
    monkeypatch.setattr(FrequentPostings, "RETRY_SECONDS", 0.0)  # look again at every search
    with docsante.open_index(index_dir) as ix:
        assert ix.search('"santé publique"').total > 0
        segments = [frequent for _, _, frequent in ix.generation.evaluator.segments]
        assert all(f.directory is None for f in segments)
        write_missing(whoosh_index.open_dir(str(index_dir)))  # what the indexing run does at its end
        found = [(h.id, h.score) for h in ix.search("prévention", limit=20).hits]
        assert all(f.directory is not None for f in segments) and any(f.directory for f in segments)
    with docsante.open_index(index_dir) as fresh:
        assert [(h.id, h.score) for h in fresh.search("prévention", limit=20).hits] == found


def test_an_indexing_run_says_how_far_it_is_in_writing_the_arrays(tmp_path, small_commits):
    """The workers write their segments' arrays; the run writes those of the segments it merged, and says so."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(24):
        (folder / f"fiche-{n:02}.txt").write_text(f"Fiche {n} de santé publique.\n", "utf-8")
    calls = []
    docsante.build_index([folder], tmp_path / "ix", batch_size=1, on_arrays=lambda done, total: calls.append((done, total)))
    merged = calls[-1][1]
    assert calls == [(done, merged) for done in range(merged + 1)] and merged >= 1
    assert sidecar_segments(tmp_path / "ix") == {segment_id(s) for s in _segments(tmp_path / "ix")}
    calls.clear()
    docsante.build_index([folder], tmp_path / "ix", on_arrays=lambda done, total: calls.append((done, total)))
    assert calls == []  # nothing changed: every segment has its arrays
