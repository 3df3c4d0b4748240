"""Documents made ready for the index by worker processes: finished, chunked, tagged, analysed.

The Whoosh writer stays in the indexing process and only adds what comes back, so
the French work on the next documents runs on the other cores while the writer
adds and flushes the previous ones. Text fields come back as their postings,
made by Whoosh's own `field.index(text)`, with the text to store beside.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import threading
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from ..corpus.document import Document
from ..corpus.finish import finish
from ..errors import DocsanteError
from ..facets import DOCUMENT_FACETS
from ..index.schema import DOCUMENT, FOCUSED_REGIONS, PASSAGE, place_term
from ..index.whoosh_adapter import Indexed
from .chunk import chunk
from ..index.fingerprint import fingerprint
from .tag import Tagger

WORKERS = os.cpu_count() or 1  # one per core: the writing process waits on them much of the time
TASK_DOCUMENTS = 32  # documents sent to a worker at once
TASKS_PER_WORKER = 4  # tasks queued ahead of the writer, per worker
START_METHOD_VAR = "DOCSANTE_START_METHOD"  # "fork" or "spawn": how worker processes start (see start_method)


@dataclass
class DocumentEntries:
    doc_id: str
    passages: int
    entries: list[dict]  # keyword arguments of writer.add_document
    words: Counter[str]  # unstemmed words: how many of the passages hold each, for « Vouliez-vous dire »


def document_entries(doc: Document, digest: str, tagger: Tagger, schema) -> DocumentEntries:
    """A document as read (corpus/readers.py), finished, chunked and tagged: its passages (and its
    whole-document entry when it has several) as index entries."""
    doc = finish(doc)
    passages = chunk(doc)
    tagger.tag(passages, doc)
    analyzer = schema["text"].analyzer

    @lru_cache(maxsize=None)  # a document's title and a section's heading repeat on its passages
    def postings(name: str, value: str) -> Indexed:
        return Indexed(schema[name].index(value))

    @lru_cache(maxsize=None)
    def unstemmed(value: str) -> frozenset[str]:
        return frozenset(t.text for t in analyzer(value, no_morph=True))

    def analysed(**texts) -> dict:
        return ({name: postings(name, value) for name, value in texts.items()}
                | {f"_stored_{name}": value for name, value in texts.items()})

    entries, words = [], Counter()
    for p in passages:
        entries.append(dict(
            id=p.id, kind=PASSAGE, doc_id=p.doc_id, group=doc.parent, position=p.position, page=p.page, doc_hash=digest,
            source=doc.source, origin=doc.origin, url=doc.url, date=doc.date or None, date_source=doc.date_source,
            issuer=doc.issuer, **({"year": doc.date[:4]} if doc.date else {}),
            **({"withdrawn": doc.withdrawn} if doc.withdrawn else {}),
            **({"doc_tags": {f.name: doc.tags[f.name] for f in DOCUMENT_FACETS if doc.tags.get(f.name)}}
               if p is passages[0] else {}),
            # a facet without a value is left out, rather than indexed empty: the writer's time goes by field
            **{name: ",".join(values) for name, values in p.tags.items() if values},
            **({"places": ",".join(place_term(f, v) for f in ("region", "departement") for v in p.tags[f])}
               if 0 < len(p.tags["region"]) <= FOCUSED_REGIONS else {}),
            fingerprint=fingerprint(p.text), **analysed(title=p.title, section=p.section, text=p.text)))
        words.update(unstemmed(p.title) | unstemmed(p.section) | unstemmed(p.text))
    if len(passages) > 1:  # the whole document, scored as one text when documents are ranked
        whole = "\n".join([passages[0].title] + [f"{p.section}\n{p.text}" for p in passages])
        entries.append(dict(id=f"{doc.doc_id}#document", kind=DOCUMENT, doc_id=doc.doc_id, group=doc.parent,
                            position=-1, doc_hash=digest, source=doc.source,
                            **analysed(doctext=whole)))
    return DocumentEntries(doc.doc_id, len(passages), entries, words)


def entries_in_workers(documents: Iterable[tuple[Document, str]], schema) -> Iterator[DocumentEntries]:
    """`document_entries` run by WORKERS processes over (document, content hash) pairs, in input order.
    Close the iterator to stop the workers early."""
    workers = None  # started with the first task: a run where nothing changed builds no tagger
    queued: deque[_Worker] = deque()
    documents = iter(documents)
    done = False
    try:
        for n, task in enumerate(iter(lambda: list(islice(documents, TASK_DOCUMENTS)), [])):
            workers = workers or [_Worker(schema) for _ in range(WORKERS)]
            worker = workers[n % len(workers)]
            worker.tasks.put(task)
            queued.append(worker)
            if len(queued) >= TASKS_PER_WORKER * len(workers):
                yield from queued.popleft().result()
        while queued:
            yield from queued.popleft().result()
        done = True
    finally:
        for worker in workers or []:
            worker.stop(gracefully=done)


class _Worker:
    """One worker process, fed through its own task queue, answering through its own pipe
    whose writing end only the worker holds. A worker that dies, even while it sends a
    result, shows as the end of its pipe: ProcessPoolExecutor instead waits forever for
    the rest of a result its killed worker was sending."""

    def __init__(self, schema):
        context = multiprocessing.get_context(start_method())
        self.tasks = context.Queue()
        self.results, writer = context.Pipe(duplex=False)
        self.process = context.Process(target=_work, args=(self.tasks, writer, schema), daemon=True)
        self.process.start()
        writer.close()  # the worker's end: closed here, so that its death ends the pipe

    def result(self) -> list[DocumentEntries]:
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


def _work(tasks, results, schema) -> None:
    """A worker's life: the entries of each task it is given, until None."""
    global _worker
    _worker = (Tagger(), schema)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the indexing process to handle
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    while (task := tasks.get()) is not None:
        try:
            answer = ("ok", _entries_of_task(task))
        except Exception as e:  # handed to the indexing process, which raises it
            answer = ("error", e)
        try:
            results.send(answer)
        except (pickle.PicklingError, TypeError, AttributeError):
            results.send(("error", RuntimeError(repr(answer[1]))))


_worker: tuple[Tagger, object] | None = None


def _exit_with_parent() -> None:
    """A worker never outlives the indexing process, even one killed with SIGKILL."""
    with contextlib.suppress(Exception):
        multiprocessing.connection.wait([multiprocessing.parent_process().sentinel])
    os._exit(1)


def _entries_of_task(task: list[tuple[Document, str]]) -> list[DocumentEntries]:
    tagger, schema = _worker
    return [document_entries(doc, digest, tagger, schema) for doc, digest in task]
