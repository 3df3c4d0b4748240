"""Documents made ready for the index and written by worker processes: finished, chunked, tagged,
analysed, then added to a segment of each worker's own, with its search arrays.

The indexing process reads the documents, hands them out, and commits the workers' segments
with its own deletions (write.py): the French work and Whoosh's writing, which used to run in
the indexing process alone, run on every core. Text fields are analysed once, into postings
(`Indexed`) that the field passes to Whoosh as they are.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import threading
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from ..corpus.document import Document
from ..corpus.finish import finish
from ..errors import DocsanteError
from ..facets import DOCUMENT_FACETS
from ..index.fingerprint import BATCH_PASSAGES, fingerprints
from ..index.frequent import SegmentArrays
from ..index.schema import DOCUMENT, FOCUSED_REGIONS, PASSAGE, WORDS, place_term
from ..index.store import open_whoosh
from ..index.whoosh_adapter import Indexed, SegmentOfItsOwn
from .chunk import chunk
from .tag import Tagger

WORKERS = os.cpu_count() or 1  # one per core: the indexing process only reads and hands out documents
TASK_DOCUMENTS = 32  # documents sent to a worker at once
TASKS_PER_WORKER = 4  # tasks queued ahead of the indexing process, per worker
WORKER_GC_OBJECTS = 50_000  # objects a worker makes between two collections (Python's default: 700)
START_METHOD_VAR = "DOCSANTE_START_METHOD"  # "fork" or "spawn": how worker processes start (see start_method)


@dataclass
class DocumentEntries:
    doc_id: str
    passages: int
    entries: list[dict]  # keyword arguments of writer.add_document
    words: list[set[str]]  # each passage's unstemmed words, for « Vouliez-vous dire »


def document_entries(doc: Document, digest: str, tagger: Tagger, schema) -> DocumentEntries:
    """A document as read (corpus/readers.py), finished, chunked and tagged: its passages (and its
    whole-document entry when it has several) as index entries, but for the passages' fingerprints,
    made many passages at a time (see _Segment.write)."""
    doc = finish(doc)
    passages = chunk(doc)
    tagger.tag(passages, doc)
    analyzer = schema["text"].analyzer

    @lru_cache(maxsize=None)  # a document's title and a section's heading repeat on its passages
    def postings(name: str, value: str) -> tuple[Indexed, set[str]]:
        """A text's postings in field `name`, and its unstemmed words."""
        positions, unstemmed = analyzer.positions_and_words(value)
        return schema[name].postings(positions), unstemmed

    def analysed(**texts) -> dict:  # an empty text is left out: no postings, nothing stored
        return ({name: postings(name, value)[0] for name, value in texts.items() if value}
                | {f"_stored_{name}": value for name, value in texts.items() if value})

    entries, words = [], []
    group = {"group": doc.group.encode("utf-8", "surrogatepass")} if doc.group and doc.group != doc.doc_id else {}
    # what the document has, stored on each passage (readers take a missing one as empty)
    given = {name: value for name, value in (("url", doc.url), ("date", doc.date), ("year", doc.date[:4]),
                                             ("date_source", doc.date_source), ("issuer", doc.issuer),
                                             ("withdrawn", doc.withdrawn)) if value}
    doc_tags = {f.name: doc.tags[f.name] for f in DOCUMENT_FACETS if doc.tags.get(f.name)}
    for p in passages:
        entries.append(dict(
            id=p.id, kind=PASSAGE, doc_id=p.doc_id, **group, position=p.position, page=p.page, doc_hash=bytes.fromhex(digest),
            source=doc.source, origin=doc.origin, **given,
            **({"doc_tags": doc_tags} if doc_tags and p is passages[0] else {}),
            # a facet without a value is left out, rather than indexed empty: the writer's time goes by field
            **{name: ",".join(values) for name, values in p.tags.items() if values},
            **({"places": ",".join(place_term(f, v) for f in ("region", "departement") for v in p.tags[f])}
               if 0 < len(p.tags["region"]) <= FOCUSED_REGIONS else {}),
            **analysed(title=p.title, section=p.section, text=p.text)))
        words.append(set().union(*(postings(name, value)[1] for name, value in
                                   (("title", p.title), ("section", p.section), ("text", p.text)) if value)))
    if len(passages) > 1:  # the whole document, scored as one text when documents are ranked
        whole = "\n".join([passages[0].title] + [f"{p.section}\n{p.text}" for p in passages])
        entries.append(dict(id=f"{doc.doc_id}#document", kind=DOCUMENT, doc_id=doc.doc_id, **group,
                            position=-1, doc_hash=bytes.fromhex(digest), source=doc.source,
                            **analysed(doctext=whole)))
    return DocumentEntries(doc.doc_id, len(passages), entries, words)


@dataclass
class Task:
    """A document for a worker: as read, its content hash, and its passages' stamps: `before` (what
    write.py's `_stamps` gives for its passages as indexed before) and `now` (the batch's)."""
    doc: Document
    digest: str
    before: dict
    now: str


class Written(NamedTuple):
    doc_id: str
    passages: int


FLUSH = "flush"  # a worker's task: finish its segment and answer with it


class SegmentWorkers:
    """WORKERS processes, each making the entries of the documents it is given (`document_entries`)
    and adding them to a segment of its own (`SegmentOfItsOwn`), with its search arrays: the French
    work and Whoosh's writing both run on every core, and the indexing process only reads the
    documents and commits the workers' segments. Started with the first task; close to stop them."""

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        self._workers: list[_Worker] = []
        self._queued: deque[_Worker] = deque()
        self._sent = 0

    def submit(self, task: list[Task]) -> Iterator[Written]:
        """Send a task; yield what the oldest tasks wrote once TASKS_PER_WORKER per worker are waiting."""
        self._workers = self._workers or [_Worker(self.index_dir) for _ in range(WORKERS)]
        worker = self._workers[self._sent % len(self._workers)]
        self._sent += 1
        worker.tasks.put(task)
        self._queued.append(worker)
        if len(self._queued) >= TASKS_PER_WORKER * len(self._workers):
            yield from self._queued.popleft().result()

    def drain(self) -> Iterator[Written]:
        """What every task sent wrote."""
        while self._queued:
            yield from self._queued.popleft().result()

    def flush(self) -> list:
        """Each worker's segment, finished (call once drained); a worker that wrote nothing has none.
        A worker starts its next segment with its next task, once the caller has committed these."""
        for worker in self._workers:
            worker.tasks.put(FLUSH)
        return [segment for worker in self._workers if (segment := worker.result()) is not None]

    def close(self, gracefully: bool = False) -> None:
        for worker in self._workers:
            worker.stop(gracefully=gracefully)


class _Worker:
    """One worker process, fed through its own task queue, answering through its own pipe
    whose writing end only the worker holds. A worker that dies, even while it sends a
    result, shows as the end of its pipe: ProcessPoolExecutor instead waits forever for
    the rest of a result its killed worker was sending."""

    def __init__(self, index_dir: Path):
        context = multiprocessing.get_context(start_method())
        self.tasks = context.Queue()
        self.results, writer = context.Pipe(duplex=False)
        self.process = context.Process(target=_work, args=(self.tasks, writer, str(index_dir)), daemon=True)
        self.process.start()
        writer.close()  # the worker's end: closed here, so that its death ends the pipe

    def result(self):
        try:
            kind, value = self.results.recv()
        except (EOFError, OSError) as e:
            raise DocsanteError("Un processus d'indexation s'est arrêté (mémoire insuffisante ?) ; "
                                "ce qui a été validé avant reste dans l'index.") from e
        if kind == "error":
            raise value
        return value

    def stop(self, gracefully: bool) -> None:
        if gracefully:
            self.tasks.put(None)
            self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.tasks.cancel_join_thread()  # what is still queued for a dead worker is dropped
        self.tasks.close()
        self.results.close()


def start_method() -> str:
    """How worker processes start: by fork where the system has it (they start at once, the vocabularies
    already read), else by spawn (Windows); DOCSANTE_START_METHOD chooses (the tests run both)."""
    return os.environ.get(START_METHOD_VAR) or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def _work(tasks, results, index_dir: str) -> None:
    """A worker's life: each task it is given written into its segment, until None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the indexing process to handle
    # A worker makes millions of objects and keeps few: Python's default collector, which scans every
    # object already kept (the indexing process's, inherited; the segment's postings) each time 700 more
    # are made, took 7.5 s of each worker's 90 s at 140,000 passages. The objects a worker starts with
    # are never collected, and it collects every WORKER_GC_OBJECTS objects made: 1.0–1.2 s.
    gc.freeze()
    gc.set_threshold(WORKER_GC_OBJECTS, *gc.get_threshold()[1:])
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    segment = _Segment(open_whoosh(index_dir))
    while (task := tasks.get()) is not None:
        try:
            answer = ("ok", segment.finish() if task == FLUSH else segment.write(task))
        except Exception as e:  # handed to the indexing process, which raises it
            answer = ("error", e)
        try:
            results.send(answer)
        except (pickle.PicklingError, TypeError, AttributeError):
            results.send(("error", RuntimeError(repr(answer[1]))))
    segment.cancel()


def _exit_with_parent() -> None:
    """A worker never outlives the indexing process, even one killed with SIGKILL."""
    with contextlib.suppress(Exception):
        multiprocessing.connection.wait([multiprocessing.parent_process().sentinel])
    os._exit(1)


class _Segment:
    """A worker's segment being written; its writer starts with the first document after a flush
    (the indexing process has committed the last segment by then: a commit removes the files no
    committed segment names)."""

    def __init__(self, ix):
        self.ix, self.tagger = ix, Tagger()
        self.schema = ix.schema  # read once: the index's property reads its table of contents again, analyzers afresh
        self.writer: SegmentOfItsOwn | None = None
        self.words: Counter[str] = Counter()

    def write(self, task: list[Task]) -> list[Written]:
        """The task's documents added to the segment, BATCH_PASSAGES passages or more at a time: their
        passages are fingerprinted together."""
        self.writer = self.writer or SegmentOfItsOwn(self.ix)
        written, made = [], []
        for t in task:
            made.append((t, document_entries(t.doc, t.digest, self.tagger, self.schema)))
            if sum(entries.passages for _, entries in made) >= BATCH_PASSAGES:
                written += self._add(made)
                made = []
        return written + self._add(made)

    def _add(self, made: list[tuple[Task, DocumentEntries]]) -> list[Written]:
        passages = [fields for _, entries in made for fields in entries.entries if fields["kind"] == PASSAGE]
        for fields, found in zip(passages, fingerprints([fields.get("_stored_text", "") for fields in passages])):
            fields["fingerprint"] = found
        for t, entries in made:
            for fields in entries.entries:
                first, changed = (t.before.get(fields.get("_stored_text"))
                                  or t.before.get((DOCUMENT, t.digest))
                                  or (t.before.get(DOCUMENT, t.now), t.now))
                self.writer.add_document(**fields, first_indexed=first, changed=changed)
            for words in entries.words:  # a set at a time: Counter counts an iterable in C, a Counter's items in Python
                self.words.update(words)
        return [Written(entries.doc_id, entries.passages) for _, entries in made]

    def finish(self):
        """The segment written since the last flush, with one WORDS entry holding how many of its
        passages hold each word, and its search arrays (None when nothing was written)."""
        if self.writer is None:
            return None
        if self.words:
            self.writer.add_document(id=f"#words-{uuid.uuid4().hex}", kind=WORDS, words=dict(self.words))
            self.words.clear()
        arrays = SegmentArrays(self.schema)
        segment, self.writer = self.writer.finish(arrays.written), None
        arrays.write(Path(self.ix.storage.folder), segment.segment_id())
        return segment

    def cancel(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
