"""Every place where docsante subclasses Whoosh or reaches past its public API, in one module.

A Whoosh upgrade that changes one of these fails in tests/test_whoosh_adapter.py, which
has a test per dependency:

1. `FieldType.index(value)` yields (bytes, frequency, weight, encoded value) postings;
   `FrenchText` lets postings made by an indexing worker (`Indexed`) pass through, and
   `WordCounts` posts {word: passages} for « vouliez-vous dire ».
2. `whoosh.codec.whoosh3`: `W3Codec.new_segment` / `per_document_reader` / `per_document_writer` /
   `postings_writer`, `W3Segment`, `W3PerDocWriter._create_column` and `W3PerDocReader._cached_reader`
   (`DocsanteCodec` stores fields in a `DictionaryBytesColumn`, a `VarBytesColumn` whose `Writer` and
   `Reader` it extends); `W3PostingsWriter`'s `written()`, `_terminfo` and buffered postings, and
   `W3TermInfo.add_block` / `set_inlined` / `to_bytes` / `_struct` (`_InliningPostingsWriter`, whose term
   infos become `_InlinedTermInfo`s); `W3PerDocReader.has_column` and `doc_field_length`, which a segment
   writer asks once per posting (`WriteCodec`'s reader remembers the one and reads each field's lengths
   whole, from `_doccount` and `_cached_reader`, for the other). `W3PostingsWriter`'s block buffer
   (`_ids`, `_weights`, `_values`, `_maxweight`, `_minlength`, `_maxlength`, `_blocklimit`) and
   `_write_block()`: `_InliningPostingsWriter.add_postings` fills a block at once. `SegmentWriter(ix,
   _lk=False)`, its `perdocwriter` (`start_doc`, `add_field`, `add_column_value`, `finish_doc`,
   `cancel_doc`), `fieldwriter` (`start_field`, `start_term`, `_postwriter`, `finish_term`,
   `finish_field`), `_check_fields()`, `docnum`, `_added`, `_flush_segment()` (which
   `_finalize_segment()` calls), `_close_segment()`, `_assemble_segment()`, `_merge_segments()`,
   `_commit_toc()`, `_finish()` and `_check_state()`: an indexing worker writes a segment of its own
   (`SegmentOfItsOwn`, its own `add_document` keeping postings by word) that the indexing process's
   writer commits with its own changes (`commit_with`), as Whoosh's MpWriter does.
3. `Prefix._btexts(reader)`: the indexed words a prefix expands to (`prefix_words`).
4. `matching.ListMatcher(ids, all_weights=…)`: `ConstantPrefix`'s matcher; `SpanNear2(…, ordered=False)`
   and `matching.WrappingMatcher(m, boost=…)`: `Near`'s, as `Phrase.matcher` builds its ordered one.
5. `highlight.Formatter._text(text)`: how a formatter writes the text between matches
   (`MarkFormatter` escapes it).
6. `BM25F.B`, `.K1`, `._field_B`, and how `BM25FScorer.__init__` takes idf and the average field
   length: read to score with numpy exactly as Whoosh does (`bm25_parameters`, checked against the
   scorer), and `avgfl` set by `DocsanteBM25F`, whose `idf` (the weighting model's, which
   `Searcher.idf` calls and caches) is BM25's own.
7. `highlight.Highlighter._merge_matched_tokens(tokens)`: consecutive matched tokens become
   one (`merge_matched_tokens`; search/highlight.py does the rest with public functions).
8. `RegexTokenizer.expression`: the compiled pattern `FrenchAnalyzer` runs itself (vocab/analysis.py,
   which the vocabulary's matching shares, below this layer).
9. `whoosh.index.clean_files(storage, indexname, generation, segments)` and
   `FileIndex._segments()`: files of a failed batch are removed (`clean_unreferenced`).
10. `formats.Positions`' methods (`encode`, `decode_positions`, `decode_frequency`, `decode_weight`):
   `CompactPositions` writes a posting's positions as varint deltas (Whoosh pickles a list of them
   after a 4-byte count: four times the bytes); `position_keys` decodes a word's in bulk.
11. `W3LeafMatcher`'s blocks: `_read_data()` sets `_data` to (id deltas from 0, weights as None,
   one float or a sequence, values); `_lastblock`, `_goto(_nextoffset)` walk them; a segment's
   postings with deletions come wrapped in a `FilterMatcher` (`child`); an inlined word's are a
   `ListMatcher`, `reset()` to its first posting. `posting_arrays` and
   `position_keys` read a segment's blocks whole instead of one posting at a time.
12. `FixedBytesColumn.Reader`'s `_dbfile`, `_basepos` and `_count`: its values lie one after the other
   from `_basepos`, the documents after the `_count` first having the default (zeros);
   `fixed_column` reads a segment's whole column at once, and `field_lengths` a field's lengths, one
   byte a document in the column `_<field>_len` of `W3PerDocReader._cached_reader` (`byte_to_length`).
13. `VarBytesColumn.Reader`'s `_offsets` and `_lengths` (from `_basepos`): `varbytes_column` reads a
   segment's whole column at once.

Import paths of `FrenchText`, `CompactPositions`, `WordCounts` and `DocsanteCodec` are pickled into every index
schema: never rename them; indexes written before they moved here read them through docsante/whoosh_adapter.py.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from html import escape
from itertools import chain
from math import log

import numpy as np

from whoosh import highlight, matching, scoring
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.codec.whoosh3 import (LENGTHS_COLUMN, W3Codec, W3LeafMatcher, W3PerDocReader, W3PerDocWriter,
                                   W3PostingsWriter, W3Segment, W3TermInfo, _lenfield)
from whoosh.columns import PickleColumn, VarBytesColumn
from whoosh.fields import TEXT, FieldType
from whoosh.formats import Frequency, Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter


# -- 1. fields -----------------------------------------------------------------------------
class Indexed(list):
    """A text field's postings, made by `field.index(text)` in an indexing worker process."""


_ONE_BYTE = [bytes((n,)) for n in range(0x80)]


class CompactPositions(Positions):
    """Whoosh's Positions format, a posting's positions written as varint deltas (LEB128: seven bits
    a byte, the high bit set on all but a number's last byte): one byte for most positions."""

    def encode(self, poslist):
        if len(poslist) == 1 and poslist[0] < 0x80:  # most words of a passage: once, in its first 128 words
            return _ONE_BYTE[poslist[0]]
        out, base = bytearray(), 0
        for pos in poslist:
            delta, base = pos - base, pos
            while delta >= 0x80:
                out.append(delta & 0x7F | 0x80)
                delta >>= 7
            out.append(delta)
        return bytes(out)

    def decode_positions(self, valuestring):
        positions, number, shift, position = [], 0, 0, 0
        for byte in valuestring:
            number |= (byte & 0x7F) << shift
            if byte & 0x80:
                shift += 7
            else:
                position += number
                positions.append(position)
                number = shift = 0
        return positions

    def decode_frequency(self, valuestring):
        return sum(byte < 0x80 for byte in valuestring)


class FrenchText(TEXT):
    """Whoosh's TEXT field, positions in `CompactPositions`; a value already `Indexed` by a worker passes
    through as it is. Spelling and term vectors would need the text itself: they are refused."""

    def __init__(self, *args, spelling: bool = False, vector=None, **kwargs):
        if spelling or vector:
            raise ValueError("FrenchText ne gère ni spelling ni vector : les postings viennent des processus "
                             "d'indexation, pas du texte.")
        super().__init__(*args, **kwargs)
        self.format = CompactPositions(field_boost=self.format.field_boost)

    def index(self, value, **kwargs):
        return value if isinstance(value, Indexed) else self.postings(self.analyzer.positions_and_words(value)[0])

    def postings(self, positions: dict[str, list[int]]) -> Indexed:
        """The postings of a text's words and their positions (FrenchAnalyzer.positions_and_words), as
        Whoosh's Positions.word_values makes them from the analyzer's tokens."""
        boost, encode = self.format.field_boost, self.format.encode
        return Indexed((word.encode("utf-8"), len(found), len(found) * boost, encode(found))
                       for word, found in positions.items())


class WordCounts(FieldType):
    """Unstemmed words, each with the number of passages that hold it, for « Vouliez-vous
    dire ». The indexer adds one entry per batch, given a {word: passages} mapping: one
    posting per word and batch, where Whoosh's spelling fields post every word of every
    passage (half of all postings)."""

    def __init__(self):
        self.format = Frequency()

    def index(self, value, **kwargs):
        return ((word.encode("utf-8"), n, float(n), pack_uint(n)) for word, n in value.items())


# -- 2. codecs ----------------------------------------------------------------------------
STORED_DICTIONARY_VALUES = 64  # a segment's first stored values make its dictionary
STORED_WINDOW_BITS = 14  # deflate's window, which the dictionary fills: 16 KB
STORED_DICTIONARY_BYTES = 1 << STORED_WINDOW_BITS
STORED_LEVEL = 3  # level 6 saves 4 % more for 37 % more time
STORED_MEMORY = 4  # deflate's memLevel: a legal passage's stored fields deflate in 29 µs and 194 bytes;
# a 32 KB window and memLevel 8 (zlib's default): 84 µs and 185 bytes (setting deflate up costs the most)


def _packer(dictionary: bytes):
    """Deflate set up with the dictionary, to be copied for each value: setting the dictionary up
    costs more than deflating a passage's fields (copied, 17 µs a legal passage; set up each time, 33)."""
    return zlib.compressobj(STORED_LEVEL, zlib.DEFLATED, -STORED_WINDOW_BITS, STORED_MEMORY, zdict=dictionary)


def _deflate(value: bytes, packer) -> bytes:
    packer = packer.copy()
    return packer.compress(value) + packer.flush()


def _inflate(value: bytes, dictionary: bytes) -> bytes:  # any window up to 32 KB (segments of 0.5.0: 32 KB)
    return zlib.decompressobj(-zlib.MAX_WBITS, zdict=dictionary).decompress(value)


class DictionaryBytesColumn(VarBytesColumn):
    """Values deflated one by one with a dictionary: the segment's first STORED_DICTIONARY_VALUES
    values, written after Whoosh's VarBytes column with its length (4 bytes) last. Whoosh deflates each
    passage's stored fields alone, so that its field names, its source and its domain's words are written
    again for every passage (545 bytes a legal passage); with the dictionary, 286, read as quickly."""

    def writer(self, dbfile):
        return self.Writer(dbfile, self.allow_offsets, self.write_offsets_cutoff)

    def reader(self, dbfile, basepos, length, doccount):
        return self.Reader(dbfile, basepos, length, doccount)

    class Writer(VarBytesColumn.Writer):
        def __init__(self, *args):
            super().__init__(*args)
            self._waiting: list[tuple[int, bytes]] = []  # values added before the dictionary is chosen
            self._dictionary: bytes | None = None
            self._packer = None

        def add(self, docnum, v):
            if self._dictionary is None:
                self._waiting.append((docnum, v))
                if len(self._waiting) >= STORED_DICTIONARY_VALUES:
                    self._choose()
            else:
                super().add(docnum, _deflate(v, self._packer) if v else v)

        def _choose(self) -> None:
            self._dictionary = b"".join(v for _, v in self._waiting)[-STORED_DICTIONARY_BYTES:]
            self._packer = _packer(self._dictionary)
            for docnum, v in self._waiting:
                self.add(docnum, v)
            self._waiting = []

        def finish(self, doccount):
            if self._dictionary is None:
                self._choose()
            super().finish(doccount)
            self._dbfile.write(self._dictionary)
            self._dbfile.write_uint(len(self._dictionary))

    class Reader(VarBytesColumn.Reader):
        def __init__(self, dbfile, basepos, length, doccount):
            size = dbfile.get_uint(basepos + length - 4)
            self._dictionary = dbfile.get(basepos + length - 4 - size, size)
            super().__init__(dbfile, basepos, length - 4 - size, doccount)

        def __getitem__(self, docnum):
            v = super().__getitem__(docnum)
            return _inflate(v, self._dictionary) if v else v

        def __iter__(self):
            return (_inflate(v, self._dictionary) if v else v for v in super().__iter__())


STORED = PickleColumn(DictionaryBytesColumn())


class DocsanteCodec(W3Codec):
    """Whoosh's codec, stored fields in a `DictionaryBytesColumn`. Pickled into every segment that
    docsante writes (schema 16 on): never rename it."""

    def per_document_writer(self, storage, segment):
        return _PerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return _PerDocReader(storage, segment)


class _PerDocWriter(W3PerDocWriter):
    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, STORED if fieldname == "_stored" else column)


class _PerDocReader(W3PerDocReader):
    def stored_fields(self, docnum):
        return self._cached_reader("_stored", STORED)[docnum] or {}


class _InliningPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, a word of at most INLINE_POSTINGS postings kept in its entry in the
    terms file rather than in a block of its own (about 60 bytes, most of them the block's header).
    Whoosh's own inlining calls a method its term info lacks (`set_inline`): it cannot be turned on."""

    def add_postings(self, documents: list[int], weights: list[float], values: list, lengths: list[int]) -> None:
        """A word's postings, in document order, added a block at a time: the blocks `add_posting`
        would make, one posting at a time."""
        limit = self._blocklimit
        for start in range(0, len(documents), limit):
            if start:
                self._write_block()
            end = start + limit
            self._ids = array("I", documents[start:end])
            self._weights = array("f", weights[start:end])
            self._values = [v for v in values[start:end] if v]
            self._maxweight = max(0, *weights[start:end])
            block_lengths = [n for n in lengths[start:end] if n]
            self._minlength = min(block_lengths, default=None)
            self._maxlength = max(block_lengths, default=0)

    def finish_postings(self):
        if self.written() or len(self) > INLINE_POSTINGS:
            return super().finish_postings()
        terminfo, self._terminfo = self._terminfo, None
        terminfo.add_block(self)
        terminfo.__class__ = _InlinedTermInfo
        # a format without values (ids, facets) gets empty ones: Whoosh would give "" for bytes when merging
        terminfo.set_inlined(self._ids, [int(w) if w.is_integer() else w for w in self._weights],
                             self._values or [b""] * len(self))
        return terminfo

    def single(self, document: int, weight: float, value: bytes, length: int) -> bytes:
        """The term info of a word with one posting, inlined, as `add_postings`, `finish_postings` and its
        `to_bytes` write it, without them: most words of a segment have one posting (each document's
        doc_id, each word a WORDS entry counts; 85 % of a legal segment's), for which a block and a term
        info were made: writing a segment took 106 µs a legal passage with them, 84 without."""
        weight32 = array("f", (weight,))[0]
        head = W3TermInfo._struct.pack(True, weight, 1, length_to_byte(length) if length else 0,
                                       length_to_byte(length), max(0, weight), document, document)
        inlined = ((document,), (int(weight32) if weight32.is_integer() else weight32,), (value or b"",))
        return head + pickle.dumps(inlined, INLINED_PROTOCOL)


INLINE_POSTINGS = 1  # 2 and 4 weigh as much in all; 16 more
INLINED_PROTOCOL = 5  # pickle's, read by every Python docsante runs on (3.8 and later)


class _InlinedTermInfo(W3TermInfo):
    """A term info written with its postings pickled in protocol 5: Whoosh's (2) writes
    a bytes value as a call to `_codecs.encode` (71 bytes a posting, 25 here); any protocol reads back."""

    def to_bytes(self):
        return super().to_bytes()[:self._struct.size] + pickle.dumps(self._inlined, INLINED_PROTOCOL)


class _LengthsReader(_PerDocReader):
    """Whoosh's reader of a new segment's field lengths, which a segment writer asks for every
    posting: it remembers which fields have none (Whoosh asks the file system again each time) and
    reads a field's lengths whole, once (Whoosh reads a byte from the file each time)."""

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._columns: dict[str, bool] = {}
        self._lengths: dict[str, list[int]] = {}

    def has_column(self, fieldname):
        if fieldname not in self._columns:
            self._columns[fieldname] = super().has_column(fieldname)
        return self._columns[fieldname]

    def doc_field_length(self, docnum, fieldname, default=0):
        return self.field_lengths(fieldname)[docnum] or default

    def field_lengths(self, fieldname) -> list[int]:
        """Every document's length in the field (0 for none), read once."""
        if (lengths := self._lengths.get(fieldname)) is None:
            lengths = self._lengths[fieldname] = _read_lengths(self, fieldname, self._doccount).astype(int).tolist()
        return lengths


class WriteCodec(DocsanteCodec):
    """docsante's codec with the lengths reader above and words inlined, for writing only: the
    segments it makes name `DocsanteCodec`, so the index never depends on this class."""

    def new_segment(self, storage, indexname):
        return W3Segment(DocsanteCodec(), indexname)

    def postings_writer(self, dbfile, byteids=False):
        return _InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                       compression=self._compression)

    def per_document_reader(self, storage, segment):
        return _LengthsReader(storage, segment)


UNSCORED_VALUES = 10_000  # unscored values whose postings a worker's segment keeps (see SegmentOfItsOwn)


class SegmentOfItsOwn(SegmentWriter):
    """A writer of one new segment, in an indexing worker process: it neither locks the index
    (the indexing process holds the lock) nor commits; `finish()` writes the segment and returns
    it, for the indexing process to commit (`commit_with`).

    Its postings are kept by field and word as documents are added, each word's in document order
    (three items a posting: document, weight, value): writing the segment sorts the words only, and
    hands each word's postings to the postings writer a block at a time. Whoosh's own pool keeps a
    tuple a posting, sorts them all, spills sorted runs to disk and merges them back, then adds them
    to the segment one by one. Boosts given as `_boost` or `_<field>_boost` are not applied (docsante
    boosts fields in its schema), and fields with spelling or vectors are refused."""

    def __init__(self, ix):
        super().__init__(ix, _lk=False, codec=WriteCodec())
        if refused := [name for name in self.schema.names()
                       if self.schema[name].vector or self.schema[name].separate_spelling()]:
            raise ValueError(f"SegmentOfItsOwn n'écrit ni vectors ni spelling : {', '.join(refused)}")
        self.words: dict[str, dict[bytes, list]] = {}  # field -> word -> [document, weight, value, ...]
        self._on_word = None  # what `finish` gives each word's postings to
        # the postings of the last unscored values (an ID's, a keyword's): an entry's kind, its stamps and
        # its facets repeat from one entry to the next; Whoosh makes each one's in 3.4 µs
        self._unscored: dict[tuple[str, str], tuple] = {}

    def add_document(self, **fields):
        self._check_state()
        schema, perdoc, docnum = self.schema, self.perdocwriter, self.docnum
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field, length = schema[name], 0
                if field.indexed:
                    words, scorable = self.words.setdefault(name, {}), field.scorable
                    for word, frequency, weight, encoded in self._postings(name, field, value):
                        if scorable:
                            length += frequency
                        if (postings := words.get(word)) is None:
                            words[word] = postings = []
                        postings += (docnum, weight, encoded)
                stored = fields.get(f"_stored_{name}", value)
                perdoc.add_field(name, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _postings(self, name: str, field, value):
        if field.scorable or not isinstance(value, str):
            return field.index(value)
        if (found := self._unscored.get((name, value))) is None:
            if len(self._unscored) >= UNSCORED_VALUES:
                self._unscored.clear()
            found = self._unscored[name, value] = tuple(field.index(value))
        return found

    def finish(self, on_word=None) -> W3Segment:
        """Write the segment; each word's postings, in field and word order, are also given to
        `on_word(field, word, documents, weights, values)`, lists in document order."""
        self._on_word = on_word
        return self._finalize_segment()

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths, fields = self.per_document_reader(), self.fieldwriter
        for name in sorted(self.words):
            field, words, field_lengths = self.schema[name], self.words.pop(name), lengths.field_lengths(name)
            fields.start_field(name, field)
            prefix, terms = pack_ushort(fields._fieldid), fields._tindex
            for word in sorted(words):
                postings = words.pop(word)
                documents, weights, values = postings[0::3], postings[1::3], postings[2::3]
                if len(documents) == 1:  # inlined (INLINE_POSTINGS)
                    terms.add(prefix + word, fields._postwriter.single(*postings, field_lengths[documents[0]]))
                else:
                    fields.start_term(word)
                    fields._postwriter.add_postings(documents, weights, values, [field_lengths[d] for d in documents])
                    fields.finish_term()
                if self._on_word is not None:
                    self._on_word(name, word, documents, weights, values)
            fields.finish_field()
        fields.close()
        lengths.close()

    def cancel(self) -> None:
        if not self.is_closed:
            self._close_segment()
            self.words = {}
            self.is_closed = True


def commit_with(writer: SegmentWriter, segments: list, mergetype) -> None:
    """Commit `writer` (its deletions, its merges, its own documents) with `segments`, written by
    other writers (`SegmentOfItsOwn`), added to the index in the same table of contents."""
    writer._check_state()
    final = writer._merge_segments(mergetype, None, None)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final + segments)
    writer._finish()


# -- 3, 4. prefixes --------------------------------------------------------------------------
def prefix_words(q: wq.Prefix, reader) -> list[bytes]:
    """The indexed words a prefix query expands to."""
    return list(q._btexts(reader))


class ConstantPrefix(wq.Prefix):
    """A prefix query scored like Lucene's constant-score rewrite: every passage holding one
    of the expanded words gets the query's boost. Whoosh's own Prefix ORs one matcher per
    word, which its block-quality pruning makes quadratic in the number of words expanded to."""

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        ids: set[int] = set()
        for word in prefix_words(self, reader):
            ids.update(reader.postings(self.field(), word).all_ids())
        if not ids:
            return matching.NullMatcher()
        return matching.ListMatcher(sorted(ids), all_weights=self.boost)


class Near(wq.Phrase):
    """A sloppy phrase, Lucene's `"a b"~N`: the words in any order, each at most `slop` positions
    from the span the others already cover (Whoosh's unordered SpanNear2). Scored as a phrase is:
    the sum of its words' scores, times its boost."""

    def matcher(self, searcher, context=None):
        if self.fieldname not in searcher.schema:
            return matching.NullMatcher()
        terms = [wq.Term(self.fieldname, word) for word in self.words]
        m = wq.SpanNear2(terms, slop=self.slop, ordered=False, mindist=1).matcher(searcher, context)
        return matching.WrappingMatcher(m, boost=self.boost) if self.boost != 1.0 else m


# -- 5, 7. highlighting ----------------------------------------------------------------------
class MarkFormatter(highlight.Formatter):
    """Whoosh formatter that wraps matches in plain <mark> tags and escapes the rest."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace), quote=False)}</mark>"

    def _text(self, text):
        return escape(text, quote=False)


def merge_matched_tokens(tokens):
    """Consecutive matched tokens joined into one, highlighted as one (Whoosh's Highlighter does it)."""
    return highlight.Highlighter._merge_matched_tokens(tokens)


# -- 6. scoring ------------------------------------------------------------------------------
class DocsanteBM25F(scoring.BM25F):
    """BM25F with BM25's own idf and a correct average length for the whole-document field:
    Whoosh divides a field's total length by the number of all index entries, while only the
    entries matching `documents` (a (field, term) pair) fill `document_field`."""

    def __init__(self, document_field: str, documents: tuple[str, str], **kwargs):
        super().__init__(**kwargs)
        self.document_field, self.documents = document_field, documents

    def idf(self, searcher, fieldname, text):
        """Robertson–Spärck Jones idf, as Lucene's BM25 has it: log(1 + (N − n + 0.5) / (n + 0.5)),
        N all index entries as Whoosh counts them. Whoosh's own, log(N / (n + 1)) + 1, weighs a
        word found in half the passages a sixth of a word found once; this one, a thirteenth, which
        ranks better on both halves of the spf passages (docs/measures.md, Measured quality)."""
        parent = searcher.get_parent()
        n, entries = parent.doc_frequency(fieldname, text), parent.doc_count_all()
        return log(1 + (entries - n + 0.5) / (n + 0.5))

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if fieldname == self.document_field and isinstance(scorer, scoring.BM25FScorer):
            entries = searcher.doc_frequency(*self.documents) or 1
            scorer.avgfl = (searcher.field_length(self.document_field) / entries) or 1
        return scorer


def bm25_parameters(searcher, field: str, text: bytes) -> tuple[float, float, float, float] | None:
    """(idf, average field length, B, K1) of a word as Whoosh's BM25F scorer holds them, or None
    when the weighting is not BM25F. Read as `BM25F.scorer` and `BM25FScorer.__init__` set them, without
    making the scorer: its `setup` reads the word's entry in every segment, for block quality only."""
    weighting = searcher.weighting
    if not isinstance(weighting, scoring.BM25F):
        return None
    parent = searcher.get_parent()
    idf = parent.idf(field, text)
    if isinstance(weighting, DocsanteBM25F) and field == weighting.document_field:
        avgfl = (searcher.field_length(field) / (searcher.doc_frequency(*weighting.documents) or 1)) or 1
    else:
        avgfl = parent.avg_field_length(field) or 1
    return idf, avgfl, weighting._field_B.get(field, weighting.B), weighting.K1


# -- 9. cleaning -----------------------------------------------------------------------------
def clean_unreferenced(index_dir: str) -> None:
    """Remove the segment files that the index's table of contents does not name."""
    ix = whoosh_index.open_dir(index_dir)
    whoosh_index.clean_files(ix.storage, ix.indexname, ix.latest_generation(), ix._segments())


# -- 10, 11. postings in bulk ------------------------------------------------------------------
def _blocks(segment, field: str, text: bytes):
    """A word's postings in one segment's reader, block by block: (id deltas, weights, values).
    Deleted documents are included: the caller drops them."""
    if (field, text) not in segment:
        return
    m = segment.postings(field, text)
    if isinstance(m, FilterMatcher):
        m = m.child
    if isinstance(m, W3LeafMatcher):
        while True:
            m._read_data()
            yield m._data
            if m._lastblock:
                return
            m._goto(m._nextoffset)
    ids, weights, values = [], [], []  # postings kept in the term's entry (_InliningPostingsWriter)
    m.reset()  # its filter of deleted documents moved it past them
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        values.append(m.value())
        m.next()
    yield tuple(np.diff(ids, prepend=0).tolist()), tuple(weights), tuple(values)


def _restarting_sums(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Running sums of `values` that start again at each run of `lengths` values (delta decoding)."""
    sums = np.cumsum(values)
    ends = np.cumsum(lengths)
    return sums - np.repeat(np.concatenate(([0], sums[ends[:-1] - 1])), lengths)


def _documents(deltas: list) -> np.ndarray:
    """Document numbers from each block's id deltas."""
    lengths = np.fromiter(map(len, deltas), np.int64, count=len(deltas))
    return _restarting_sums(np.fromiter(chain.from_iterable(deltas), np.int64, count=int(lengths.sum())), lengths)


def posting_arrays(segment, field: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A word's postings in one segment as arrays of document numbers (from 0 in the segment,
    deleted ones included) and weights."""
    deltas, weights = [], []
    for ids, block_weights, _ in _blocks(segment, field, text):
        deltas.append(ids)
        if block_weights is None or isinstance(block_weights, float):
            weights.append(np.full(len(ids), 1.0 if block_weights is None else block_weights))
        else:
            weights.append(np.asarray(block_weights, np.float64))
    if not deltas:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    return _documents(deltas), np.concatenate(weights)


def position_keys(segment, field: str, text: bytes) -> np.ndarray:
    """A word's positions in one segment as sorted keys `document << 32 | position` (deleted
    documents included): every posting's varints (CompactPositions) decoded at once."""
    deltas, values = [], []
    for ids, _, block_values in _blocks(segment, field, text):
        deltas.append(ids)
        values += block_values
    if not deltas:
        return np.empty(0, np.int64)
    return value_keys(_documents(deltas), values)


def value_keys(documents: np.ndarray, values: list[bytes]) -> np.ndarray:
    """The keys `document << 32 | position` of postings (their documents, their CompactPositions
    values), every value's varints decoded at once."""
    data = np.frombuffer(b"".join(values), np.uint8)
    last = data < 0x80  # a number's last byte
    firsts = np.flatnonzero(np.concatenate(([True], last[:-1])))  # where each number starts
    which = np.cumsum(np.concatenate(([0], last[:-1])))  # the number each byte belongs to
    shifts = 7 * (np.arange(len(data)) - firsts[which])
    numbers = np.add.reduceat((data & 0x7F).astype(np.int64) << shifts, firsts)
    starts = np.cumsum([0, *map(len, values)])[:-1]
    counts = np.add.reduceat(last.astype(np.int64), starts)  # numbers per posting (no value is empty)
    return (np.repeat(documents, counts) << 32) | _restarting_sums(numbers, counts)


# -- 12. fixed-length columns ------------------------------------------------------------------
def fixed_column(segment, field: str, width: int) -> np.ndarray:
    """A segment's fixed-length byte column (FixedBytesColumn) as a (documents, width) array of
    bytes, read at once; documents without a value have zeros."""
    out = np.zeros((segment.doc_count_all(), width), np.uint8)
    if not segment.has_column(field):
        return out
    column = segment.column_reader(field, translate=False)
    count = min(column._count, len(out))
    if count:
        out[:count] = np.frombuffer(column._dbfile.get(column._basepos, count * width), np.uint8).reshape(count, width)
    return out


_LENGTH_OF_BYTE = np.array([byte_to_length(b) if b else 0 for b in range(256)], np.float64)


def field_lengths(segment, field: str) -> np.ndarray:
    """A segment's lengths of a field, one per document, as `doc_field_length` gives them, read at once."""
    documents = segment.doc_count_all()  # an empty index's reader has no columns
    return _read_lengths(segment._perdoc, field, documents) if documents else np.zeros(0, np.float64)


def _read_lengths(perdoc, field: str, documents: int) -> np.ndarray:
    out = np.zeros(documents, np.float64)
    column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    count = min(column._count, len(out)) if column is not None else 0
    if count:
        out[:count] = _LENGTH_OF_BYTE[np.frombuffer(column._dbfile.get(column._basepos, count), np.uint8)]
    return out


# -- 13. variable-length columns -----------------------------------------------------------------
def varbytes_column(segment, field: str) -> list[bytes]:
    """A segment's variable-length byte column (VarBytesColumn), a value per document (b"" for none),
    read at once."""
    count = segment.doc_count_all()
    if not count or not segment.has_column(field):
        return [b""] * count
    column = segment.column_reader(field, translate=False)
    offsets, lengths = column._offsets, column._lengths
    data = column._dbfile.get(column._basepos, offsets[-1] + lengths[-1]) if len(lengths) else b""
    values = [data[start:start + length] for start, length in zip(offsets, lengths)]
    return values + [b""] * (count - len(values))
