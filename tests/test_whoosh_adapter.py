"""One test per Whoosh internal docsante depends on (see whoosh_adapter.py): a Whoosh upgrade
that changes one of them fails here, in one place."""

from __future__ import annotations

import math

import pytest
from whoosh import highlight, scoring
from whoosh.analysis import RegexTokenizer
from whoosh.codec.whoosh3 import STORED_COLUMN

import docsante
from docsante.location import sample_corpus
from docsante.vocab.analysis import TOKEN_PATTERN, french_analyzer
from docsante.index.whoosh_adapter import (INLINE_POSTINGS, STORED, STORED_DICTIONARY_VALUES, ConstantPrefix,
                                           DocsanteBM25F, DocsanteCodec, FrenchText, Indexed, MarkFormatter, WordCounts,
                                           WriteCodec, bm25_parameters, clean_unreferenced, merge_matched_tokens,
                                           prefix_words)


@pytest.fixture()
def searcher(sample_index):
    with docsante.open_index(sample_index) as ix:
        yield ix.generation.searcher


def test_1_field_index_yields_postings_and_indexed_values_pass_through():
    field = FrenchText(analyzer=french_analyzer())
    postings = list(field.index("Les contrats locaux de santé"))
    assert [(word, freq) for word, freq, _, _ in postings] == [(b"contrat", 1), (b"local", 1), (b"sant", 1)]
    made = Indexed(postings)
    assert field.index(made) is made
    assert [p[:3] for p in WordCounts().index({"santé": 3})] == [("santé".encode(), 3, 3.0)]


def test_1_french_postings_are_whoosh_postings():
    """A text's postings, made in one pass through the analyzer's memos, are those Whoosh's TEXT field
    makes from the analyzer's tokens (words, frequencies, weights, positions); its unstemmed words are
    the chain's without stemming."""
    from whoosh.fields import TEXT
    from docsante.index.whoosh_adapter import CompactPositions
    analyzer = french_analyzer()
    ours, whoosh = FrenchText(analyzer=analyzer), TEXT(analyzer=analyzer)
    whoosh.format = CompactPositions()
    texts = [p.read_text("utf-8") for p in sorted(sample_corpus().glob("*.txt"))]
    texts += ["", "de la et", "L’ARS et l'ARS : la santé, la santé ; les santés " * 60]
    for text in texts:
        assert list(ours.index(text)) == list(TEXT.index(whoosh, text))
        assert analyzer.positions_and_words(text)[1] == {t.text for t in analyzer(text, no_morph=True)}
    assert sum(len(text) for text in texts) > 20_000


@pytest.mark.parametrize("option", [{"spelling": True}, {"vector": True}])
def test_1_french_text_refuses_what_would_break_it(option):
    with pytest.raises(ValueError, match="ni spelling ni vector"):
        FrenchText(analyzer=french_analyzer(), **option)


def test_2_write_codec_makes_docsante_segments_and_lengths_reader(tmp_path):
    codec = WriteCodec()
    assert isinstance(codec, DocsanteCodec)
    segment = codec.new_segment(None, "MAIN")
    assert type(segment.codec()) is DocsanteCodec  # what a reader opens later never names WriteCodec
    docsante.build_index([tmp_path], tmp_path / "ix")  # nothing to read: an empty but valid index
    (tmp_path / "note.txt").write_text("Le CLS soutient la vaccination.", "utf-8")
    assert docsante.build_index([tmp_path / "note.txt"], tmp_path / "ix").passages == 1


def test_2_lengths_reader_gives_whooshs_lengths(sample_index):
    """The lengths a segment writer asks for each posting, read whole once, are Whoosh's own, one at a time."""
    from whoosh.codec.whoosh3 import W3PerDocReader
    from docsante.index.store import open_whoosh
    from docsante.index.whoosh_adapter import _LengthsReader
    checked = 0
    for reader, _ in open_whoosh(sample_index).reader().leaf_readers():
        segment, files = reader.segment(), reader._storage  # a compound segment's files
        ours, whoosh = _LengthsReader(files, segment), W3PerDocReader(files, segment)
        for field in ("text", "title", "section", "doctext", "region"):
            for docnum in range(segment.doc_count_all()):
                assert ours.doc_field_length(docnum, field) == (whoosh.doc_field_length(docnum, field) or 0)
                checked += ours.doc_field_length(docnum, field) > 0
    assert checked > 100


def test_2_a_workers_segment_is_the_one_whoosh_writes(tmp_path, sample_index):
    """A worker's segment (`SegmentOfItsOwn`: postings kept by word, written a block at a time by
    `add_postings`) holds what Whoosh's own segment writer writes from the same documents, through
    `_flush_segment` and `_finalize_segment`: the same term entries byte for byte (statistics, inlined
    postings, those of words of one posting written without a term info: `single`), postings (words of
    several blocks among them), stored fields and lengths. `on_word` sees each word's postings as written."""
    from whoosh.reading import SegmentReader
    from whoosh.writing import SegmentWriter
    from docsante.index.store import open_or_create
    from docsante.index.whoosh_adapter import SegmentOfItsOwn, WriteCodec
    with docsante.open_index(sample_index) as ix:
        entries = [f for f in ix.generation.searcher.all_stored_fields() if f.get("kind") == "passage"]
    written = {}
    for name in ("whoosh", "worker"):
        target = open_or_create(tmp_path / name)
        writer = SegmentWriter(target, _lk=False, codec=WriteCodec()) if name == "whoosh" else SegmentOfItsOwn(target)
        for _ in range(8):  # some words in more than two blocks of 128 postings
            for f in entries:
                writer.add_document(kind="passage", doc_id=f["doc_id"], text=f["text"], title=f.get("title", ""),
                                    region=f.get("region", ""), position=f["position"])
        for n, f in enumerate(entries):  # words of one posting: a doc_id each, a word each, lengths of all sizes
            writer.add_document(kind="passage", doc_id=f"seul-{n}", text=f"{f['text'][:n * 40]} mot{n}unique",
                                position=n)
        watched = []
        segment = writer._finalize_segment() if name == "whoosh" else writer.finish(
            lambda *posting_lists: watched.append(posting_lists))
        with SegmentReader(target.storage, target.schema, segment) as reader:
            terms = reader._terms
            written[name] = ([(field, word, terms._tindex[terms._keycoder(field, word)],
                               list(reader.postings(field, word).all_items())) for field, word in reader.all_terms()],
                             [reader.stored_fields(n) for n in range(reader.doc_count_all())],
                             [reader.doc_field_length(n, "text") for n in range(reader.doc_count_all())])
    assert written["worker"] == written["whoosh"]
    terms = written["whoosh"][0]
    assert len(terms) > 500 and max(len(postings) for *_, postings in terms) > 2 * 128  # several blocks
    assert {field for field, _, _, postings in terms if len(postings) == 1} >= {"doc_id", "text"}
    assert [(field, word, [(d, v or b"") for d, v in postings]) for field, word, _, postings in terms] == \
        [(field, word, list(zip(documents, [v or b"" for v in values]))) for field, word, documents, _, values in watched]


@pytest.mark.parametrize("count", [0, 3, STORED_DICTIONARY_VALUES, 150])
def test_2_stored_values_read_back_around_their_dictionary(tmp_path, count):
    """Values before, at and after the dictionary is chosen (and none, and empty ones) read back,
    one by one and in order; repeated field names cost a fraction of Whoosh's own column."""
    from whoosh.filedb.filestore import RamStorage
    values = [None if i % 7 == 3 else {"source": "/corpus/ars-grand-est/cls.pdf", "kind": "passage",
                                         "text": f"Passage {i} du contrat local de santé de Metz."} for i in range(count)]
    sizes = {}
    for name, column in (("whoosh", STORED_COLUMN), ("docsante", STORED)):
        storage = RamStorage()
        with storage.create_file(name) as f:
            writer = column.writer(f)
            for docnum, value in enumerate(values):
                if value is not None:
                    writer.add(docnum, value)
            writer.finish(count)
        sizes[name] = storage.file_length(name)
        reader = column.reader(storage.open_file(name), 0, sizes[name], count)
        assert [reader[i] for i in range(count)] == values
    assert list(reader) == values  # docsante's in order (Whoosh's own fails on an empty value)
    if count == 150:
        assert sizes["docsante"] < 0.7 * sizes["whoosh"]


def test_2_words_of_few_postings_are_inlined(sample_index):
    with docsante.open_index(sample_index) as ix:
        segment, _ = ix.generation.searcher.reader().leaf_readers()[0]
        infos = {w: segment.term_info("text", w) for w in segment.lexicon("text")}
    assert all(info.is_inlined() == (info.doc_frequency() <= INLINE_POSTINGS) for info in infos.values())
    assert any(info.is_inlined() for info in infos.values())


def test_3_4_prefix_words_and_constant_prefix(searcher):
    q = ConstantPrefix("text", "psycho")
    words = prefix_words(q, searcher.reader())
    assert words and all(w.startswith(b"psycho") for w in words)
    matcher = q.matcher(searcher)
    ids = []
    while matcher.is_active():
        ids.append(matcher.id())
        assert matcher.score() == q.boost
        matcher.next()
    assert ids == sorted(ids) and ids


def test_5_formatter_text_between_matches_goes_through_text():
    assert MarkFormatter()._text("<b> & ") == "&lt;b&gt; &amp; "
    assert "_text" in vars(highlight.Formatter)  # the hook MarkFormatter overrides


def test_6_bm25_parameters_and_document_average(searcher):
    params = bm25_parameters(searcher, "text", b"sant")
    assert params is not None and all(isinstance(v, float) for v in params)
    idf, avgfl, b, k1 = params
    assert idf > 0 and avgfl > 0 and (b, k1) == (scoring.BM25F().B, scoring.BM25F().K1)
    for field in ("text", "title", "doctext"):  # what Whoosh's own scorer holds, read without making it
        scorer = searcher.weighting.scorer(searcher, field, b"sant")
        assert bm25_parameters(searcher, field, b"sant") == (scorer.idf, scorer.avgfl, scorer.B, scorer.K1)
    weighting = DocsanteBM25F("doctext", ("kind", "document"))
    scorer = weighting.scorer(searcher, "doctext", b"sant")
    documents = searcher.doc_frequency("kind", "document")
    assert scorer.avgfl == pytest.approx(searcher.field_length("doctext") / documents)
    # BM25's idf, through the searcher that Whoosh's scorers ask (and cache)
    n, entries = searcher.doc_frequency("text", b"sant"), searcher.doc_count_all()
    assert 0 < n < entries and idf == pytest.approx(math.log(1 + (entries - n + 0.5) / (n + 0.5)))


def test_7_merge_matched_tokens_joins_overlapping_matches():
    from whoosh.analysis import Token

    def token(text, start, end, matched):
        t = Token(text=text, startchar=start, endchar=end)
        t.matched = matched
        return t
    tokens = [token("santé", 0, 5, True), token("santé-jeunes", 0, 12, True), token("des", 13, 16, False)]
    merged = list(merge_matched_tokens(iter(tokens)))
    assert [(t.matched, t.startchar, t.endchar) for t in merged] == [(True, 0, 12), (False, 13, 16)]


def test_8_tokenizer_expression_is_the_compiled_pattern():
    expression = RegexTokenizer(TOKEN_PATTERN).expression  # what FrenchAnalyzer runs itself
    assert [m.group() for m in expression.finditer("l’ARS et aujourd'hui")] == ["l’ARS", "et", "aujourd'hui"]


def test_9_unreferenced_segment_files_are_cleaned(tmp_path, sample_index):
    import shutil
    index_dir = tmp_path / "ix"
    shutil.copytree(sample_index, index_dir)
    stray = index_dir / "MAIN_strayfiles00000.seg"
    stray.write_bytes(b"left by a batch that failed")
    clean_unreferenced(str(index_dir))
    assert not stray.exists()
    with docsante.open_index(index_dir) as ix:
        assert ix.search("santé").total > 0


@pytest.fixture(scope="module")
def blocks_index(segmented_index):
    with docsante.open_index(segmented_index) as ix:
        yield ix.generation.searcher


def test_10_11_bulk_decoders_read_postings_as_whoosh_does(blocks_index):
    from docsante.index.whoosh_adapter import position_keys, posting_arrays
    reader = blocks_index.reader()
    segments = list(reader.leaf_readers())
    assert reader.has_deletions() and len(segments) > 1
    assert max(reader.doc_frequency("text", w) for w in reader.lexicon("text")) > 128
    assert any(segment.term_info("text", w).is_inlined() for segment, _ in segments for w in segment.lexicon("text"))
    checked = 0
    for segment, _ in segments:
        deleted = set(range(segment.doc_count_all())) - set(segment.all_doc_ids())
        for word in segment.lexicon("text"):
            m = segment.postings("text", word)
            expected_ids, expected_weights, expected_keys = [], [], []
            while m.is_active():
                expected_ids.append(m.id())
                expected_weights.append(m.weight())
                expected_keys += [(m.id() << 32) | p for p in m.value_as("positions")]
                m.next()
            ids, weights = posting_arrays(segment, "text", word)
            live = [i not in deleted for i in ids.tolist()]
            assert ids[live].tolist() == expected_ids, word
            assert weights[live].tolist() == expected_weights, word
            keys = position_keys(segment, "text", word)
            assert [k for k in keys.tolist() if (k >> 32) not in deleted] == expected_keys, word
            checked += len(expected_ids)
    assert checked > 500


def test_10_compact_positions_past_one_byte(tmp_path):
    """Positions 128 and more apart take several bytes each: Whoosh's matcher and the bulk decoder read them back."""
    from docsante.index.whoosh_adapter import CompactPositions, position_keys
    fmt = CompactPositions()
    for positions in ([0], [5, 6, 200, 70_000, 70_001], [127, 128, 255, 16_384, 2**31]):
        encoded = fmt.encode(positions)
        assert fmt.decode_positions(encoded) == positions and fmt.decode_frequency(encoded) == len(positions)
    assert len(fmt.encode([3, 4, 9])) == 3  # a byte a position: Whoosh's own Positions takes 18
    (tmp_path / "long.txt").write_text("vaccination " + "santé " * 300 + "vaccination rougeole\n", "utf-8")
    docsante.build_index([tmp_path / "long.txt"], tmp_path / "ix")
    with docsante.open_index(tmp_path / "ix") as ix:
        assert ix.search('"vaccination rougeole"').total == 1
        segment, _ = ix.generation.searcher.reader().leaf_readers()[0]
        word = next(w for w in segment.lexicon("text") if w.startswith(b"vaccin"))
        m = segment.postings("text", word)
        assert m.value_as("positions") == [0, 301] and m.weight() == 2
        assert position_keys(segment, "text", word).tolist() == [0, 301]
