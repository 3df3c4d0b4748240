"""Shared fixtures: real files on disk, real Whoosh indexes in temporary folders."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import hide_fcntl

hide_fcntl.install()  # before anything imports filelock: DOCSANTE_TEST_HIDE_FCNTL runs the tests as on Windows

import docx
import pytest
from pypdf import PdfReader, PdfWriter

import docsante
from docsante.indexer.entries import WORKERS
from docsante.location import sample_corpus

FIXTURES = Path(__file__).parent / "fixtures"
# what OCR reads is cached by file content: the tests keep theirs apart from the user's, and remove it
os.environ["DOCSANTE_CACHE"] = tempfile.mkdtemp(prefix="docsante-tests-ocr-")
atexit.register(shutil.rmtree, os.environ["DOCSANTE_CACHE"], ignore_errors=True)


def run(*args, **kwargs):
    """The real CLI, its arguments made strings (paths, numbers); exceptions are not caught, so a trace
    never hides behind an exit code."""
    from click.testing import CliRunner

    from docsante.cli import cli
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)


def folder_indexed_by_cli(tmp_path_factory, name: str, write_folder) -> tuple[Path, Path]:
    """A folder written by `write_folder(path)` and indexed by the CLI: (folder, index)."""
    tmp = tmp_path_factory.mktemp(name)
    folder = write_folder(tmp / "dossier")
    assert run("index", folder, "--index", tmp / "ix", "-q").exit_code == 0
    return folder, tmp / "ix"


def short(doc_id: str, root: Path) -> str:
    """A file's doc_id (its absolute path) relative to `root`; a record id as it is."""
    return Path(doc_id).relative_to(root.resolve()).as_posix() if doc_id.startswith("/") else doc_id


def sample_id(name: str) -> str:
    """The doc_id of a bundled sample document."""
    return (sample_corpus().resolve() / name).as_posix()


def make_pdf(path: Path, lines: list[str], created: str | None = None) -> Path:
    """A real one-page PDF (Helvetica, WinAnsi encoding) with a text layer, and a creation
    date in its metadata when given ("D:20230614093000")."""
    def esc(s):
        return s.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    content = b"BT /F1 11 Tf 50 780 Td 14 TL " + b" ".join(b"(" + esc(l) + b") '" for l in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    if created:
        objects.append(b"<< /CreationDate (%s) >>" % created.encode("ascii"))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    info = b" /Info %d 0 R" % len(objects) if created else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info, xref)
    path.write_bytes(bytes(out))
    return path


def make_docx(path: Path) -> Path:
    d = docx.Document()
    d.add_heading("Conseil local de santé mentale", level=1)
    d.add_paragraph("Le CLSM de Besançon associe élus, psychiatrie et usagers pour la santé mentale.")
    d.add_heading("Franche-Comté", level=2)
    d.add_paragraph("En Franche-Comté, le pôle de compétences accompagne la prévention du suicide.")
    d.save(path)
    return path


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """About ten awkward French documents in every format, all valid."""
    root = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(FIXTURES / "corpus", root)
    make_pdf(root / "rapport-prse.pdf", ["Plan régional santé environnement", "Le PRSE Grand Est réduit l’exposition au radon",
                                         "et améliore la qualité de l'air intérieur."])
    make_docx(root / "clsm.docx")
    return root


@pytest.fixture(scope="session")
def hostile(tmp_path_factory, corpus) -> Path:
    """Valid files plus broken ones: each broken one must be named and skipped."""
    root = tmp_path_factory.mktemp("hostile") / "hostile"
    shutil.copytree(corpus, root)
    good_pdf = (root / "rapport-prse.pdf").read_bytes()
    (root / "tronque.pdf").write_bytes(good_pdf[: len(good_pdf) // 3])
    (root / "faux.pdf").write_text("pas un pdf", encoding="utf-8")
    (root / "faux.docx").write_text("pas un docx", encoding="utf-8")
    (root / "vide.docx").write_bytes(b"")
    (root / "vide.txt").write_bytes(b"")
    (root / "binaire.txt").write_bytes(bytes(range(256)) * 20)
    (root / "profond.html").write_text("<html><body>" + "<div>" * 3000 + "Texte profond sur la vaccination."
                                       + "</div>" * 3000 + "</body></html>", encoding="utf-8")
    locked = PdfWriter(clone_from=PdfReader(root / "rapport-prse.pdf"))
    locked.encrypt("secret")
    locked.write(root / "protege.pdf")
    (root / "boucle").symlink_to(root, target_is_directory=True)
    (root / "lien-casse.txt").symlink_to(root / "n-existe-pas.txt")
    # a name that is not UTF-8, as unzipping an archive made on an old Windows leaves them ("synthèse")
    (root / os.fsdecode(b"synth\xe8se-clsm.txt")).write_text("Synthèse du conseil local de santé mentale.\n", "utf-8")
    return root


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample-index")
    docsante.build_index([sample_corpus()], path)
    return path


@pytest.fixture()
def sample(sample_index):
    with docsante.open_index(sample_index) as ix:
        yield ix


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, corpus) -> Path:
    path = tmp_path_factory.mktemp("corpus-index")
    docsante.build_index([corpus], path)
    return path


@pytest.fixture(scope="session")
def segmented_index(tmp_path_factory) -> Path:
    """Several segments, deleted documents, and words posted in more than one of Whoosh's
    blocks (128 postings) and more than FREQUENT_POSTINGS (256) times in a segment."""
    root = tmp_path_factory.mktemp("segmented")
    folder = root / "docs"
    folder.mkdir()
    for n in range(300 * WORKERS):  # each indexing worker writes a segment of its share
        words = " ".join(["santé publique"] * (1 + n % 4))
        (folder / f"fiche-{n:03}.txt").write_text(f"Fiche {n}. La {words} du quartier {n} et la prévention.\n", "utf-8")
    docsante.build_index([folder], root / "ix")
    for n in (7, 150):
        (folder / f"fiche-{n:03}.txt").unlink()  # indexing again deletes them
    (folder / "fiche-900.txt").write_text("Une dernière fiche de santé mentale et de prévention.\n", "utf-8")
    docsante.build_index([folder], root / "ix")
    return root / "ix"


@pytest.fixture
def small_commits(monkeypatch):
    """Indexing runs that commit after every few documents, whatever `batch_size`: one document per
    task, one task ahead per worker (the indexing process counts passages as the workers answer)."""
    from docsante.indexer import entries, write
    monkeypatch.setattr(write, "TASK_DOCUMENTS", 1)
    monkeypatch.setattr(entries, "TASKS_PER_WORKER", 1)


@contextlib.contextmanager
def indexed_folder(tmp_path_factory, name: str, files: dict[str, str]):
    """A real index of a folder of text files ({file name: text}), open for searching."""
    folder = tmp_path_factory.mktemp(name)
    for file, text in files.items():
        (folder / file).write_text(text, "utf-8")
    docsante.build_index([folder], folder / "ix")
    with docsante.open_index(folder / "ix") as ix:
        yield ix
