"""Write documents into the Whoosh index: add, replace changed ones, skip unchanged ones."""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import shutil
import time
from datetime import datetime, timezone
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout
from whoosh.index import LockError
from whoosh.reading import SegmentReader

from ..corpus.document import Document, file_of, path_text
from ..corpus.readers import Failure, documents_as_read
from ..corpus.seen import FileRead, SeenFiles, UnchangedFile
from ..corpus.web import Unchanged, WebOptions, archive_path, state_path
from ..errors import DocsanteError, IndexBusy, IndexNotFound
from ..index.frequent import write_missing
from ..index.schema import DIGEST_BYTES, DOCUMENT, PASSAGE
from ..index.store import SOURCES_FILE, index_exists, open_or_create, open_whoosh
from ..index.whoosh_adapter import WriteCodec, clean_unreferenced, commit_with, fixed_column, varbytes_column
from .entries import TASK_DOCUMENTS, WORKERS, SegmentWorkers, Task, Written

SEGMENT_PASSAGES = 50_000  # passages per worker's segment: fewer segments, fewer look-ups a word and fewer
# copies of each segment's words; a worker keeps its segment's postings in memory (docs/measures.md)
BATCH_PASSAGES = SEGMENT_PASSAGES * WORKERS  # passages per commit: a segment per worker
LOCK_WAIT = 600.0  # seconds a second indexing run waits for the first one
LOCK_POLL = 0.2
MERGED_SEGMENT_PASSAGES = 20_000  # no merge makes a larger segment (a merge runs in the indexing process alone):
# a worker's full segment is never rewritten
MERGE_AT = 5  # segments merged together at once, at least
WRITER_MB = 128  # postings the indexing process's writer keeps in memory (merges of small segments)


@dataclass
class IndexReport:
    documents: int = 0          # documents (files or records) added or replaced
    passages: int = 0           # passages written (committed once the run ends)
    unchanged: int = 0          # documents skipped because their content did not change
    pruned: int = 0             # documents dropped: their file, under a folder indexed again, is gone,
                                # or a JSONL file read whole no longer holds their record
    pruned_ids: list[str] = field(default_factory=list)  # their ids
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)

    def to_dict(self) -> dict:
        return {"documents": self.documents, "passages": self.passages, "unchanged": self.unchanged,
                "pruned": self.pruned, "pruned_ids": self.pruned_ids,
                "failed": self.failed, "failures": [str(f) for f in self.failures], "seconds": round(self.seconds, 3)}


def build_index(paths: Iterable[str | Path], index_dir: str | Path, *, rebuild: bool = False,
                batch_size: int = BATCH_PASSAGES,
                on_progress: Callable[[IndexReport, str], None] | None = None,
                on_wait: Callable[[], None] | None = None, wait: float = LOCK_WAIT,
                on_arrays: Callable[[int, int], None] | None = None, web: WebOptions | None = None) -> IndexReport:
    """Index files and folders into `index_dir` (created if needed).

    A document whose content hash is unchanged is skipped; a changed one has its
    passages replaced. Documents are read here; worker processes (entries.py) chunk,
    tag and analyse them and write them into segments of their own, which are committed
    here with the deletions, every `batch_size` passages: an interrupted run keeps what
    it committed.

    Each worker writes its segment's search arrays beside it (frequent.py); at the end of the run,
    those of the segments merged in the run are written, with `on_arrays(segments done, segments)`
    called as they are.

    One run writes an index at a time: a second one calls `on_wait` and waits up to
    `wait` seconds. `rebuild=True` builds a new index beside the old one and puts it
    in its place only when the run has read at least one document: until then, and
    if nothing could be read, searches see the old index.
    A path may be a URL: `web` says how far and how politely its site is read (corpus/web.py), and
    what it fetches is archived in `<index>.archive/` beside the index.
    Raises DocsanteError when the index cannot be opened, locked or written."""
    index_dir = Path(index_dir)
    paths = list(paths)
    web = replace(web or WebOptions(), archive=(web and web.archive) or archive_path(index_dir),
                  state=(web and web.state) or state_path(index_dir))
    with _io_errors(index_dir), write_lock(index_dir, wait, on_wait):
        if not rebuild:
            return _update(paths, index_dir, batch_size, on_progress, on_arrays, web=web)
        for leftover in _siblings(index_dir):  # of a rebuild that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        staging = index_dir.with_name(f".{index_dir.name}.rebuild-{os.getpid()}")
        try:
            with _earlier(index_dir) as earlier:
                report = _update(paths, staging, batch_size, on_progress, on_arrays, earlier=earlier, web=web)
            if report.documents or report.unchanged:
                _replace(index_dir, staging)
            return report
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _update(paths, index_dir: Path, batch_size: int, on_progress, on_arrays, earlier=None, web=None) -> IndexReport:
    """Index `paths` into `index_dir`; `earlier`: for a rebuild (a new index), a reader of the index it
    replaces, whose passages keep their stamps in the new one."""
    ix = open_or_create(index_dir, rebuild=earlier is not None)
    report = IndexReport()
    started = time.perf_counter()
    writer = _writer(ix)
    found = writer.reader()  # the index as the run finds it
    known = KnownDocuments(found)
    workers = SegmentWorkers(index_dir)
    now = _stamp()
    pending = 0
    task: list[Task] = []
    # what the passages of a changed document were: the index this run replaces, or this one's, whose entries
    # `known` has numbered until the first commit (then each is looked up)
    indexed = earlier if earlier is not None else found
    if earlier is not None:
        found.close()

    def written(done: Iterable[Written]) -> None:
        nonlocal pending
        for doc_id, passages in done:
            pending += passages
            report.passages += passages
            report.documents += 1
            if on_progress:
                on_progress(report, doc_id)

    try:
        read = ReadSoFar()
        seen = SeenFiles(index_dir / SOURCES_FILE)
        for doc, digest in _changed_documents(paths, known, report, on_progress, read, web, seen):
            before = {}
            if earlier is not None or doc.doc_id in known:
                if indexed is None:  # one reader for the batch: opening one reads every segment
                    indexed = writer.reader()
                numbers = (known.entries(doc.doc_id) if indexed is found else None) or _entries(indexed, doc.doc_id)
                before = _stamps(indexed, numbers)
                if indexed is not earlier:  # this index's own entries: deleted when its new passages are committed
                    for number in numbers:
                        writer.delete_document(number)
            task.append(Task(doc, digest, before, now))
            if len(task) >= TASK_DOCUMENTS:
                written(workers.submit(task))
                task = []
            if pending >= batch_size:
                written(workers.drain())
                indexed = _closed(indexed, earlier)
                commit_with(writer, workers.flush(), merge_small_segments)
                pending = 0
                writer, now = _writer(ix), _stamp()
        _closed(indexed, earlier)
        if task:
            written(workers.submit(task))
        written(workers.drain())
        report.pruned_ids = _prune(writer, paths, known, read)
        report.pruned = len(report.pruned_ids)
        commit_with(writer, workers.flush(), merge_small_segments)
        seen.save(read.files, read.incomplete)
        workers.close(gracefully=True)
        write_missing(ix, on_arrays)
    except BaseException:
        # best effort: Ctrl-C may land inside a commit and leave the writer closed; the error being
        # raised is what the caller must see. Files of the batch that was being written go.
        workers.close()
        with contextlib.suppress(Exception):
            writer.cancel()
        _clean_after_failure(index_dir)
        raise
    report.seconds = time.perf_counter() - started
    return report


def _closed(reader, earlier):
    """`earlier`, after closing `reader` if it is this run's own."""
    if reader is not None and reader is not earlier:
        reader.close()
    return earlier


def _entries(reader, doc_id: str) -> list[int]:
    """The document numbers of a document's entries in `reader`, looked up once (a look-up reads every
    segment): none when it has none, or when the index is another version's, or damaged."""
    try:
        return list(reader.postings("doc_id", doc_id).all_ids())
    except Exception:  # the word is absent (TermNotFound), or the index unreadable: whoosh raises many types
        return []


def _stamps(reader, numbers: list[int]) -> dict:
    """For each passage text of a document as indexed (its entries `numbers` in `reader`), when it was
    first indexed and when it last changed: a passage whose text is unchanged keeps them, so that saved
    searches and feeds announce only what is new, after an edit and after a rebuild alike. Under (DOCUMENT, its content hash), the
    whole document's: an unchanged document cut otherwise (by a newer docsante) announces nothing
    either. Under DOCUMENT, when the document was first indexed: a new or changed passage's first
    indexing is its document's. An unreadable older index gives none."""
    try:
        passages = [f for n in numbers
                    if (f := reader.stored_fields(n)).get("kind") == PASSAGE and f.get("first_indexed")]
    except Exception:  # an index written by another version, or damaged: whoosh raises many types
        return {}
    stamps = {f.get("text"): (f["first_indexed"], f.get("changed") or f["first_indexed"]) for f in passages}
    if passages:
        first = min(first for first, _ in stamps.values())
        stamps[(DOCUMENT, _digest(reader, numbers[0], passages[0]))] = (first, max(changed for _, changed in stamps.values()))
        stamps[DOCUMENT] = first
    return stamps


def _digest(reader, number: int, stored: dict) -> str:
    """The content hash an entry's document had (hexadecimal): its `doc_hash` column's, or, in an index
    written before that column (schema 16, read by a rebuild), its stored field's."""
    if stored.get("doc_hash"):
        return stored["doc_hash"]
    segment, offset = next((s, o) for s, o in reversed(reader.leaf_readers()) if o <= number)
    return segment.column_reader("doc_hash")[number - offset].hex()


@contextlib.contextmanager
def _earlier(index_dir: Path):
    """A reader of the index a rebuild replaces, if one can be read (None otherwise)."""
    try:
        reader = open_whoosh(index_dir).reader() if index_exists(index_dir) else None
    except Exception:  # damaged, or of another version: rebuilt without its stamps
        reader = None
    try:
        yield reader
    finally:
        if reader is not None:
            reader.close()


def _stamp() -> str:
    """When a batch is written (UTC, to the microsecond): each commit's documents get a later
    stamp than the last commit's, so "changed after the stamp I last saw" misses nothing."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _clean_after_failure(index_dir: Path) -> None:
    """Remove what a failed batch left: segment files no table of contents names, and Whoosh's
    temporary folders (a full disk leaves them, and they would break every later run)."""
    with contextlib.suppress(Exception):
        clean_unreferenced(str(index_dir))
    for temp in index_dir.glob("*.tmp"):
        if temp.is_dir() and not temp.is_symlink():
            shutil.rmtree(temp, ignore_errors=True)
        else:
            temp.unlink(missing_ok=True)


def lock_path(index_dir: Path) -> Path:
    """The index's write lock: a file beside its folder, which a rebuild replaces, not its neighbours."""
    return index_dir.parent / f".{index_dir.name}.lock"


@contextlib.contextmanager
def write_lock(index_dir: Path, wait: float, on_wait: Callable[[], None] | None = None):
    """Hold the index's write lock for a whole run, so that no other run reads the list of known
    documents before this one has written: filelock's lock on lock_path (the system's lock, freed
    even after kill -9, on Linux, macOS and Windows alike). A second run calls `on_wait` once,
    waits `wait` seconds at most, then gives up with IndexBusy."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path(index_dir))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait()
        try:
            lock.acquire(timeout=wait, poll_interval=LOCK_POLL)
        except Timeout:
            raise IndexBusy(f"L'index {index_dir} est en cours d'écriture par une autre indexation depuis "
                            f"plus de {wait:.0f} s ; réessayez quand elle sera finie.") from None
    try:
        yield
    finally:
        lock.release()


def _siblings(index_dir: Path) -> list[Path]:
    """Folders left beside the index by rebuilds that did not finish."""
    return [p for p in index_dir.parent.glob(f".{glob.escape(index_dir.name)}.*-*") if p.is_dir()
            and p.name.rsplit("-", 1)[0] in (f".{index_dir.name}.rebuild", f".{index_dir.name}.old")]


def _replace(index_dir: Path, staging: Path) -> None:
    """Put the rebuilt index in place of the old one: two renames, the old index readable until
    the second. Searchers that had the old one open keep reading their open files."""
    old = index_dir.with_name(f".{index_dir.name}.old-{os.getpid()}")
    os.rename(index_dir, old)
    os.rename(staging, index_dir)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _io_errors(index_dir: Path):
    """File-system errors while writing the index, as one French sentence."""
    try:
        yield
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            reason = "disque plein (ou quota atteint)"
        elif e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            reason = "dossier en lecture seule ou droits insuffisants"
        else:
            reason = e.strerror or str(e)
        raise DocsanteError(f"Impossible d'écrire l'index dans {index_dir} : {reason}. Ce qui avait été validé "
                            f"avant reste dans l'index.") from e


@dataclass
class ReadSoFar:
    """What a run has read: every document id, the JSONL files whose records were read, those with
    a line that could not be (their missing records may be on that line), and the files read."""
    ids: set[str] = field(default_factory=set)
    record_files: set[str] = field(default_factory=set)
    incomplete: set[str] = field(default_factory=set)
    files: list[FileRead] = field(default_factory=list)  # each file read whole (seen.py)


def _changed_documents(paths, known: KnownDocuments, report: IndexReport, on_progress, read: ReadSoFar,
                       web: WebOptions | None = None, seen: SeenFiles | None = None) -> Iterator[tuple[Document, str]]:
    """The documents read from `paths` that are new or changed, with their content hash;
    failures, repeated ids and unchanged documents are counted in `report`, what was read in `read`."""
    for item in documents_as_read(paths, web and replace(web, indexed=frozenset(known)), seen):
        if isinstance(item, Failure):
            report.failures.append(item)
            if item.origin:
                read.incomplete.add(item.origin)
        elif isinstance(item, Unchanged):  # a web page the server says has not changed, a JSONL line read before
            read.ids.add(item.doc_id)
            report.unchanged += 1
        elif isinstance(item, UnchangedFile):
            report.unchanged += item.documents
        elif isinstance(item, FileRead):
            read.files.append(item)
            if item.lines is not None:  # a JSONL file read whole, even if every line was read before
                read.record_files.add(item.origin)
            continue
        elif item.doc_id in read.ids:
            report.failures.append(Failure(item.origin, f"identifiant « {item.doc_id} » déjà lu dans ce lot, ignoré"))
        else:
            read.ids.add(item.doc_id)
            if item.is_record:
                read.record_files.add(item.origin)
            digest = item.content_hash
            if known.digest(item.doc_id) != digest:
                yield item, digest
                continue
            report.unchanged += 1
        if on_progress:
            on_progress(report, getattr(item, "doc_id", None) or getattr(item, "where", None) or item.origin)


def merge_small_segments(writer, segments):
    """The merge policy of every commit: once MERGE_AT segments together hold at most
    MERGED_SEGMENT_PASSAGES live entries (the small segments of runs that change a few documents),
    the smallest are merged into one; a larger segment, a full batch's, is never rewritten (unless
    deletions shrink it). Merges cost: Whoosh's own policy ends up merging every segment into one,
    rewriting the whole index, and its memory, at some late commit. Searches pay a little for many
    segments (docs/measures.md, Measured speed, gives both costs)."""
    group, total = [], 0
    for segment in sorted(segments, key=lambda s: s.doc_count()):
        if total + segment.doc_count() > MERGED_SEGMENT_PASSAGES:
            break
        group.append(segment)
        total += segment.doc_count()
    if len(group) < MERGE_AT:
        return segments
    for segment in group:
        with SegmentReader(writer.storage, writer.schema, segment) as reader:
            writer.add_reader(reader)
    return [s for s in segments if s not in group]


def _writer(ix):
    try:
        return ix.writer(timeout=30.0, limitmb=WRITER_MB, codec=WriteCodec())
    except LockError as e:  # another program holds Whoosh's own lock
        raise IndexBusy("L'index est verrouillé par une autre indexation en cours ; réessayez quand elle sera finie.") from e


class KnownDocuments:
    """The documents an index holds, read under the write lock from two columns at once (reading each
    document's stored fields took 9 s at 1,000,000): each one's content hash, and the numbers of its
    entries in the reader they were read from, which follow one another in its segment (a document
    whose entries lie apart, none is known to do so, is left to a look-up)."""

    def __init__(self, reader):
        self._rows: dict[str, int] = {}
        digests, firsts, counts = [], [], []
        for segment, offset in reader.leaf_readers():
            deleted = set(segment.segment().deleted_docs()) if segment.has_deletions() else ()
            starts, previous, row = [], None, None
            for number, raw in enumerate(varbytes_column(segment, "doc_id")):
                if not raw or number in deleted:  # a batch's words, a deleted entry
                    row = None
                    continue
                if row is not None and raw == previous:  # the next entry of the same document
                    if counts[row]:
                        counts[row] += 1
                    continue
                previous, doc_id = raw, raw.decode("utf-8", "surrogatepass")
                if (row := self._rows.get(doc_id)) is not None:
                    counts[row] = 0  # its entries lie apart
                    continue
                row = self._rows[doc_id] = len(firsts)
                starts.append(number)
                firsts.append(offset + number)
                counts.append(1)
            digests.append(fixed_column(segment, "doc_hash", DIGEST_BYTES)[starts])
        self._digests = np.concatenate(digests) if digests else np.zeros((0, DIGEST_BYTES), np.uint8)
        self._firsts, self._counts = np.array(firsts, np.int64), np.array(counts, np.int64)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._rows

    def __iter__(self):
        return iter(self._rows)

    def digest(self, doc_id: str) -> str | None:
        """Its content hash (hexadecimal), None for a document the index does not hold."""
        row = self._rows.get(doc_id)
        return None if row is None else self._digests[row].tobytes().hex()

    def entries(self, doc_id: str) -> list[int]:
        """Its entries' numbers in the reader they were read from (none when left to a look-up)."""
        row = self._rows[doc_id]
        return list(range(self._firsts[row], self._firsts[row] + self._counts[row]))


def _origins(reader, doc_ids: set[str] | None = None) -> dict[str, str]:
    """The file each of these documents (None: every document) was read from (an entry's stored
    `origin`), read only for them: a run that reads its collection again has none to read."""
    origins = {}
    for segment, offset in reader.leaf_readers():
        for number, raw in enumerate(varbytes_column(segment, "doc_id")):
            doc_id = raw.decode("utf-8", "surrogatepass")
            if raw and (doc_ids is None or doc_id in doc_ids) and doc_id not in origins \
                    and not segment.is_deleted(number):
                origins[doc_id] = segment.stored_fields(number).get("origin", "")
    return origins


def _prune(writer, paths, known: KnownDocuments, read: ReadSoFar) -> list[str]:
    """Delete the documents whose file, under a folder being indexed, no longer exists, and the
    records a JSONL file read whole in this run no longer holds (not when one of its lines
    could not be read: nothing indexed is lost to a damaged line)."""
    folders = tuple(path_text(Path(p).resolve()).rstrip("/") + "/" for p in paths if Path(p).is_dir())
    whole_files = read.record_files - read.incomplete
    unread = {doc_id for doc_id in known if doc_id not in read.ids}
    if not unread or not (folders or whole_files):
        return []
    with writer.reader() as reader:
        origins = _origins(reader, unread)
    gone = [doc_id for doc_id, origin in origins.items()
            if (origin.startswith(folders) and not file_of(origin).exists()) or origin in whole_files]
    for doc_id in gone:
        writer.delete_by_term("doc_id", doc_id)
    return gone


def remove_documents(index_dir: str | Path, targets: Iterable[str | Path], *, wait: float = LOCK_WAIT) -> int:
    """Remove documents from the index: each target is a document id, a file (a JSONL file
    removes its records) or a folder (everything under it). Returns how many were removed."""
    index_dir = Path(index_dir)
    if not index_exists(index_dir):
        raise IndexNotFound(f"Aucun index dans {index_dir}.")
    with _io_errors(index_dir), write_lock(index_dir, wait):
        ix = open_or_create(index_dir)
        writer = _writer(ix)
        try:
            with writer.reader() as reader:
                origins = _origins(reader)
            wanted = set()
            for target in targets:
                path = path_text(Path(target).resolve())
                folder = path.rstrip("/") + "/"
                wanted |= {doc_id for doc_id, origin in origins.items()
                           if str(target) == doc_id or path in (doc_id, origin)
                           or doc_id.startswith(folder) or origin.startswith(folder)}
            for doc_id in wanted:
                writer.delete_by_term("doc_id", doc_id)
            writer.commit(mergetype=merge_small_segments)
            (index_dir / SOURCES_FILE).unlink(missing_ok=True)  # indexing their files again brings them back
            write_missing(ix)
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        return len(wanted)
