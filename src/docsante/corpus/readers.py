"""Find source files and read them into Documents.

Each reader raises SourceError with a French reason; `read_sources` turns those
into items of its output so that one bad file never stops a run.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import SourceError
from .document import HEADING, LINE, PARAGRAPH, Block, Document

SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".jsonl"}
SNIFF = 8192

logging.getLogger("pypdf").setLevel(logging.CRITICAL)


class Failure:
    """A source (file, or one JSONL line) that could not be read."""

    def __init__(self, where: str, reason: str):
        self.where, self.reason = where, reason

    def __str__(self):
        return f"{self.where} : {self.reason}"


def read_sources(paths: Iterable[str | os.PathLike]) -> Iterator[Document | Failure]:
    """Documents from files and folders (recursively), in a stable order.

    A file's doc_id is its absolute resolved path, so the same file keeps the same
    id whether it is reached through its folder, on its own or through a link; a
    JSONL record's doc_id is its `id`."""
    for root in paths:
        root = Path(root)
        if not root.exists():
            yield Failure(str(root), "chemin introuvable")
        elif root.is_dir():
            for file in _walk(root):
                yield from _read_file(file)
        elif root.suffix.lower() not in SUFFIXES:
            yield Failure(str(root), f"format non pris en charge ({root.suffix or 'sans extension'})")
        else:
            yield from _read_file(root)


def _walk(root: Path) -> Iterator[Path]:
    """Supported files below root, following links but never the same folder twice."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir():
                    subfolders.append(entry)
                elif entry.suffix.lower() in SUFFIXES:
                    yield entry
            except OSError:
                continue
        stack.extend(reversed(subfolders))


def _read_file(path: Path) -> Iterator[Document | Failure]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            yield from _read_jsonl(path)
            return
        reader = {".pdf": _read_pdf, ".docx": _read_docx, ".html": _read_html, ".htm": _read_html}.get(suffix, _read_text)
        title, blocks, *meta = reader(path)
        if not any(b.text.strip() for b in blocks):
            raise SourceError("aucun texte à indexer (fichier vide ?)")
        source = path.resolve().as_posix()
        yield Document(doc_id=source, source=source, blocks=blocks, title=title, regions=meta[0] if meta else [])
    except SourceError as e:
        yield Failure(str(path), str(e))
    except OSError as e:
        yield Failure(str(path), f"lecture impossible ({e.strerror or e})")
    except RecursionError:
        yield Failure(str(path), "structure trop profonde pour être lue")


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if b"\x00" in data[:SNIFF] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SourceError("fichier binaire, pas du texte")
    return data


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else CP1252, else Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def _read_text(path: Path) -> tuple[str, list[Block]]:
    text = decode(read_bytes(path))
    blocks = []
    for line in text.splitlines():
        if path.suffix.lower() == ".md" and line.lstrip().startswith("#"):
            blocks.append(Block(line.strip().lstrip("#").strip(), HEADING))
        else:
            blocks.append(Block(line, LINE))
    return "", blocks


HTML_DROP = ["script", "style", "nav", "header", "footer", "aside", "noscript", "form", "template", "svg", "iframe"]
HTML_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
HTML_BLOCKS = HTML_HEADINGS | {"p", "li", "dt", "dd", "blockquote", "pre", "td", "th", "caption", "figcaption", "div", "section", "article", "main", "tr", "br"}


def _read_html(path: Path) -> tuple[str, list[Block], list[str]]:
    """Title, blocks, and regions from <meta name="region" content="…">."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode(read_bytes(path)), "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    regions = [m.get("content", "").strip() for m in soup.find_all("meta", attrs={"name": "region"}) if m.get("content")]
    for tag in soup.find_all(HTML_DROP):
        tag.extract()
    for tag in soup.find_all(attrs={"role": ["navigation", "banner", "contentinfo", "search"]}):
        tag.extract()
    blocks: list[Block] = []
    current: list[str] = []

    def flush(kind=PARAGRAPH):
        text = " ".join("".join(current).split())
        if text:
            blocks.append(Block(text, kind))
        current.clear()

    body = soup.body or soup
    for node in body.descendants:  # iterative: deep nesting is fine
        name = getattr(node, "name", None)
        if name is None:
            parent = node.parent
            if parent is not None and parent.name in HTML_HEADINGS:
                continue  # collected with its heading
            if type(node).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction", "CData"):
                continue
            current.append(str(node))
        elif name in HTML_HEADINGS:
            flush()
            current.append(node.get_text(" "))
            flush(HEADING)
        elif name in HTML_BLOCKS:
            flush()
    flush()
    if not title:
        title = next((b.text for b in blocks if b.kind == HEADING), "")
    return title, blocks, regions


def _read_pdf(path: Path) -> tuple[str, list[Block]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    with path.open("rb") as f:
        if f.read(5) != b"%PDF-":
            raise SourceError("ce n'est pas un PDF (en-tête absent)")
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and reader.decrypt("") == 0:
            raise SourceError("PDF protégé par un mot de passe")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except SourceError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, AssertionError, zipfile.BadZipFile) as e:
        raise SourceError(f"PDF illisible ou tronqué ({type(e).__name__})") from e
    if not any(p.strip() for p in pages):
        raise SourceError("PDF sans texte extractible (document scanné ?)")
    blocks = [Block(line, LINE) for page in pages for line in page.splitlines()]
    return str(meta_title).strip(), blocks


def _read_docx(path: Path) -> tuple[str, list[Block]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise SourceError("DOCX invalide ou endommagé") from e
    blocks = []
    for para in document.paragraphs:
        style = (para.style.name if para.style is not None else "") or ""
        kind = HEADING if style.lower().startswith(("heading", "titre", "title")) else PARAGRAPH
        blocks.append(Block(para.text, kind))
    for table in document.tables:
        for row in table.rows:
            blocks.append(Block(" | ".join(c.text.strip() for c in row.cells if c.text.strip()), PARAGRAPH))
    title = document.core_properties.title or next((b.text for b in blocks if b.kind == HEADING and b.text.strip()), "")
    return title, blocks


def _read_jsonl(path: Path) -> Iterator[Document | Failure]:
    data = read_bytes(path)
    source = str(path.resolve())
    for number, line in enumerate(decode(data).splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            yield Failure(where, "ligne JSON invalide")
            continue
        if not isinstance(record, dict):
            yield Failure(where, "la ligne n'est pas un objet JSON")
            continue
        rid, text = record.get("id"), record.get("text")
        if not isinstance(rid, (str, int)) or str(rid).strip() == "":
            yield Failure(where, "champ « id » manquant")
            continue
        if not isinstance(text, str) or not text.strip():
            yield Failure(where, "champ « text » manquant ou vide")
            continue
        region = record.get("region") or []
        regions = [region] if isinstance(region, str) else [str(r) for r in region if r]
        yield Document(
            doc_id=str(rid).strip(),
            source=str(record.get("source") or source),
            blocks=[Block(line, LINE) for line in text.splitlines()],
            title=_str(record.get("title")),
            url=_str(record.get("url")),
            date=_str(record.get("date")),
            regions=regions,
            section=_str(record.get("section") or record.get("path")),
            is_record=True,
            group=_str(record.get("document")),
        )


def _str(value) -> str:
    return "" if value is None else str(value).strip()
