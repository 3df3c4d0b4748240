"""Documents made ready for the index by worker processes: chunked, tagged, analysed.

The Whoosh writer stays in the indexing process and only adds what comes back, so
the French work on the next documents runs on the other cores while the writer
adds and flushes the previous ones. Text fields come back as their postings,
made by Whoosh's own `field.index(text)`, with the text to store beside.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from ..corpus.document import Document
from ..errors import DocsanteError
from ..schema import DOCUMENT, PASSAGE, Indexed
from .chunk import chunk
from .tag import Tagger

WORKERS = os.cpu_count() or 1  # one per core: the writing process waits on them much of the time
TASK_DOCUMENTS = 32  # documents sent to a worker at once
TASKS_PER_WORKER = 4  # tasks queued ahead of the writer, per worker


@dataclass
class Prepared:
    doc_id: str
    passages: int
    entries: list[dict]  # keyword arguments of writer.add_document
    words: Counter[str]  # unstemmed words: how many of the passages hold each, for « Vouliez-vous dire »


def prepare(doc: Document, digest: str, tagger: Tagger, schema) -> Prepared:
    """A document's passages (and its whole-document entry when it has several) as index entries."""
    passages = chunk(doc)
    tagger.tag(passages, passages[0].title if passages else doc.title, doc.regions)
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
            source=doc.source, url=doc.url, date=doc.date,
            region=",".join(p.regions), dispositif=",".join(p.dispositifs), theme=",".join(p.themes),
            **analysed(title=p.title, section=p.section, text=p.text)))
        words.update(unstemmed(p.title) | unstemmed(p.section) | unstemmed(p.text))
    if len(passages) > 1:  # the whole document, scored as one text when documents are ranked
        whole = "\n".join([passages[0].title] + [f"{p.section}\n{p.text}" for p in passages])
        entries.append(dict(id=f"{doc.doc_id}#document", kind=DOCUMENT, doc_id=doc.doc_id, group=doc.parent,
                            position=-1, doc_hash=digest, source=doc.source,
                            **analysed(doctext=whole)))
    return Prepared(doc.doc_id, len(passages), entries, words)


def prepared(documents: Iterable[tuple[Document, str]], schema) -> Iterator[Prepared]:
    """`prepare` run by WORKERS processes over (document, content hash) pairs, in input order.
    Close the iterator to stop the workers early."""
    pool = None  # started with the first task: a run where nothing changed builds no tagger
    queued: deque = deque()
    documents = iter(documents)
    try:
        while task := list(islice(documents, TASK_DOCUMENTS)):
            pool = pool or ProcessPoolExecutor(WORKERS, initializer=_start_worker, initargs=(Tagger(), schema))
            queued.append(pool.submit(_prepare_all, task))
            if len(queued) >= TASKS_PER_WORKER * WORKERS:
                yield from queued.popleft().result()
        while queued:
            yield from queued.popleft().result()
    except BrokenProcessPool as e:
        raise DocsanteError("Un processus d'indexation s'est arrêté (mémoire insuffisante ?) ; "
                            "ce qui a été validé avant reste dans l'index.") from e
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)


_worker: tuple[Tagger, object] | None = None


def _start_worker(tagger: Tagger, schema) -> None:
    global _worker
    _worker = (tagger, schema)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the indexing process to handle
    threading.Thread(target=_exit_with_parent, daemon=True).start()


def _exit_with_parent() -> None:
    """A worker never outlives the indexing process, even one killed with SIGKILL."""
    with contextlib.suppress(Exception):
        multiprocessing.connection.wait([multiprocessing.parent_process().sentinel])
    os._exit(1)


def _prepare_all(task: list[tuple[Document, str]]) -> list[Prepared]:
    tagger, schema = _worker
    return [prepare(doc, digest, tagger, schema) for doc, digest in task]
