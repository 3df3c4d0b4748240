"""Find source files and read them into Documents.

Each reader raises SourceError with a French reason; `read_sources` turns those
into items of its output so that one bad file never stops a run.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import partial
from itertools import chain
from pathlib import Path

import yaml
from unidecode import unidecode

from ..errors import SourceError
from .dates import iso_date
from .document import HEADING, LINE, PARAGRAPH, Block, Document, path_text, valid_text
from .finish import finish
from .normalise import repaired
from .ocr import unread_reason
from .convert import read_converted
from .corrections import Corrections, is_table, read_table, tables_beside
from .office import read_docx, read_odp, read_odt, read_pptx
from .pdf import read_pdf
from .seen import FileRead, SeenFiles, UnchangedFile, file_key, line_digest
from .web import FetchError, Unchanged, WebOptions, Withdrawn, crawl, is_url, written

SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".doc", ".rtf", ".odt", ".pptx", ".ppt", ".odp", ".jsonl"}
SNIFF = 8192
MAX_FILE_BYTES = 256 * 1024 * 1024
NOT_READ = {  # why a file of a known but unsupported kind is left out
    ".xls": "tableur non indexé", ".xlsx": "tableur non indexé", ".ods": "tableur non indexé", ".csv": "tableur non indexé",
    ".png": "image non indexée (pas de reconnaissance de caractères)",
    ".jpg": "image non indexée (pas de reconnaissance de caractères)",
    ".jpeg": "image non indexée (pas de reconnaissance de caractères)",
    ".zip": "archive non ouverte : décompressez-la d'abord",
}
class Failure:
    """A source (file, one JSONL line, one page) that could not be read; `origin`: the file of a line or page."""

    def __init__(self, where: str, reason: str, origin: str = ""):
        self.where, self.reason, self.origin = valid_text(where), reason, origin

    def __str__(self):
        return f"{self.where} : {self.reason}"


def read_sources(paths: Iterable[str | os.PathLike]) -> Iterator[Document | Failure]:
    """Finished documents (finish.py) from files and folders (recursively), in a stable order."""
    for item in documents_as_read(paths):
        yield item if isinstance(item, Failure) else finish(item)


def documents_as_read(paths: Iterable[str | os.PathLike], web: WebOptions | None = None,
                      seen: SeenFiles | None = None) -> Iterator[Document | Failure | Unchanged | UnchangedFile | FileRead]:
    """The documents of files and folders as their readers read them, to finish (finish.py).
    The indexer finishes them in its worker processes: finishing costs about as much as
    chunking and tagging (half a millisecond a record), which the reading process cannot spare.

    A file's doc_id is its absolute resolved path, so the same file keeps the same
    id whether it is reached through its folder, on its own or through a link; a
    JSONL record's doc_id is its `id`. Every text is made encodable here, at the door
    (see valid_text), so nothing the index holds can fail on output.

    A path may be a URL (http or https): its page, the pages it links to on its host within
    `web.depth` and the documents they link to are fetched (web.py); a web document's doc_id is its
    URL, normalised; a page that has not changed since the last run is Unchanged, not read again.

    With `seen` (seen.py), a file as it was when last indexed is an UnchangedFile, not read again,
    and a JSONL line read before is Unchanged; each file read ends with its FileRead."""
    paths = list(paths)
    urls = [p for p in paths if is_url(p)]
    for item in _read_paths([p for p in paths if not is_url(p)], seen):
        yield item.valid() if isinstance(item, Document) else item
    if urls:
        for item in _read_web(urls, web or WebOptions()):
            yield item if isinstance(item, (Failure, Unchanged)) else item.valid()


def _read_web(urls: list[str], options: WebOptions) -> Iterator[Document | Failure | Unchanged]:
    """The documents of a crawl from `urls`, each read from its answer as the file it is."""
    with tempfile.TemporaryDirectory(prefix="docsante-web-") as folder:
        for fetched in crawl(urls, options):
            if isinstance(fetched, FetchError):
                url, _, reason = str(fetched).partition(" : ")
                yield Failure(url, reason)
                continue
            if isinstance(fetched, Unchanged):
                yield fetched
                continue
            withdrawn = ""
            if isinstance(fetched, Withdrawn):
                if fetched.archived is None:
                    yield Failure(fetched.doc_id, "page retirée du site, sans copie archivée : laissée dans l'index telle quelle")
                    yield Unchanged(fetched.doc_id)
                    continue
                fetched, withdrawn = fetched.archived, fetched.day
            path = written(fetched, folder)
            try:
                for item in _read_file(path, {}):
                    if isinstance(item, Failure):
                        yield Failure(fetched.url + item.where[len(path_text(path)):], item.reason)
                    else:
                        yield replace(item, doc_id=fetched.url, source=fetched.url, origin=fetched.url,
                                      url=item.url or fetched.final, withdrawn=withdrawn)
            finally:
                path.unlink(missing_ok=True)


def _read_paths(paths: Iterable[str | os.PathLike], seen: SeenFiles | None = None):
    for root in paths:
        root = Path(root)
        if not root.exists():
            yield Failure(path_text(root), "chemin introuvable")
            continue
        # the documentalist's metadata tables (corrections.py): a folder's come before its files
        corrections: dict[Path, Corrections] = {}
        items = _walk(root) if root.is_dir() else [root] if is_table(root) else [*tables_beside(root), root]
        for item in items:
            if isinstance(item, Failure):
                yield item
            elif is_table(item):
                found, errors = read_table(item, decode)
                corrections.update(found)
                yield from (Failure(where, reason) for where, reason in errors)
            else:
                yield from _read_file(item, corrections, seen)


# the folder a browser saves beside a complete web page ("page.html" and "page_files/")
SAVED_PAGE_ASSETS = ("_files", "_fichiers")


def _walk(root: Path) -> Iterator[Path | Failure]:
    """Every file below root, following links but never the same folder twice, a folder's
    metadata table before its other files; a file or folder that will not be read comes out
    as a Failure saying why."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(folder.iterdir(), key=lambda p: (not is_table(p), p.name))
        except OSError as e:
            yield Failure(path_text(folder), f"dossier illisible ({e.strerror or e})")
            continue
        subfolders = []
        page_assets = {f"{p.stem}{end}" for p in entries if p.suffix.lower() in (".html", ".htm") for end in SAVED_PAGE_ASSETS}
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError as e:
                yield Failure(path_text(entry), f"lecture impossible ({e.strerror or e})")
                continue
            if entry.name.startswith("."):
                yield Failure(path_text(entry), "dossier caché, non parcouru" if is_dir else "fichier caché, ignoré")
            elif is_dir and entry.name in page_assets:
                continue  # a saved web page's scripts, styles and images: part of the page, not documents
            elif is_dir:
                subfolders.append(entry)
            else:
                yield entry
        stack.extend(reversed(subfolders))


def _read_file(path: Path, corrections: dict[Path, Corrections], seen: SeenFiles | None = None):
    """The documents of one file, with the corrections a metadata table gives for it; anything
    that goes wrong is a Failure naming the file. With `seen`, a file as it was is an UnchangedFile,
    and a file read ends with its FileRead."""
    suffix = path.suffix.lower()
    where = path_text(path)
    try:
        if suffix not in SUFFIXES:
            raise SourceError(NOT_READ.get(suffix, f"format non pris en charge ({valid_text(suffix) or 'sans extension'})"))
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise SourceError("fichier spécial (tube, périphérique ou socket), ignoré")
        if suffix != ".jsonl" and st.st_size > MAX_FILE_BYTES:  # a JSONL file is read a line at a time
            raise SourceError(f"fichier trop volumineux ({st.st_size / 2**20:.0f} Mo ; {MAX_FILE_BYTES // 2**20} au plus)")
        resolved = path.resolve()
        source = path_text(resolved) if suffix == ".jsonl" else path_text(resolved.as_posix())  # its documents' origin
        key = file_key(path, corrections.get(resolved, {})) if seen else []
        if seen and (documents := seen.unchanged(source, key)) is not None:
            yield UnchangedFile(source, documents)
            return
        if suffix == ".jsonl":  # read a line at a time: only a line's size is bounded
            lines: dict[str, str] = {}
            yield from _read_jsonl(path, seen.lines(source) if seen else {}, lines)
            if seen:
                yield FileRead(source, key, len(lines), lines)
            return
        document = READERS.get(suffix, _read_text)(path)
        if not any(b.text.strip() for b in document.blocks):
            raise SourceError("aucun texte à indexer (fichier vide ?)")
        yield replace(document, doc_id=source, source=source, origin=source, format=suffix.lstrip("."),
                      corrections=corrections.get(resolved, {}))
        for page in document.unread_pages:
            yield Failure(f"{where} (page {page})", unread_reason("page scannée sans texte, non indexée"), origin=source)
        if seen:
            yield FileRead(source, key, 1, None)
    except SourceError as e:
        yield Failure(where, str(e))
    except OSError as e:
        yield Failure(where, f"lecture impossible ({e.strerror or e})")
    except RecursionError:
        yield Failure(where, "structure trop profonde pour être lue")
    except MemoryError:
        yield Failure(where, "mémoire insuffisante pour lire ce fichier")
    except Exception as e:  # a reader's library failing on this file must not stop the run
        yield Failure(where, f"fichier illisible ({type(e).__name__})")


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    _check_text(data)
    return data


def _check_text(head: bytes) -> None:
    """Raise SourceError when a file's first bytes hold a NUL outside UTF-16: a binary file."""
    if b"\x00" in head[:SNIFF] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SourceError("fichier binaire, pas du texte")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else CP1252, else Latin-1; then text that was
    already read with the wrong encoding before it was saved (« rÃ©gionale ») repaired."""
    if data.startswith(codecs.BOM_UTF8):
        return repaired(data[3:].decode("utf-8", errors="replace"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return repaired(data.decode("utf-16", errors="replace"))
    for encoding in ("utf-8", "cp1252"):
        try:
            return repaired(data.decode(encoding))
        except UnicodeDecodeError:
            pass
    return repaired(data.decode("latin-1"))


def _read_text(path: Path) -> Document:
    """A plain text file, line by line; a Markdown file read by a Markdown parser (markdown-it-py:
    CommonMark and tables), its HTML then read as a page's, after its YAML header."""
    markdown = path.suffix.lower() == ".md"
    lines = decode(read_bytes(path)).splitlines()
    meta, lines = _front_matter(lines) if markdown else ({}, lines)
    if markdown:
        from markdown_it import MarkdownIt

        blocks = _html_blocks(_page(MarkdownIt("commonmark").enable("table").render("\n".join(lines))))
    else:
        blocks = []
        for line in lines:
            if not line.strip() and blocks and not blocks[-1].text.strip():
                continue  # one blank line separates paragraphs as well as a thousand
            blocks.append(Block(line, LINE))
    date = iso_date(meta.get("date")) or ""
    region = meta.get("region")
    return Document(blocks=blocks, title=_meta_text(meta.get("title")), date=date,
                    date_source="en-tête Markdown" if date else "",
                    regions=[r for r in map(_meta_text, region if isinstance(region, list) else [region]) if r])


FRONT_MATTER_LINES = 100  # how far the closing "---" of a Markdown header may be
FRONT_MATTER_KEYS = {"title", "date", "region"}  # what docsante reads from it


def _front_matter(lines: list[str]) -> tuple[dict, list[str]]:
    """A Markdown file's YAML header ("---" lines around "title: …", "date: …") and the
    lines after it; none when the first lines are not a YAML mapping with one of the keys read
    (a rule, a table, "Note : …" between two rules stay text)."""
    if not lines or lines[0].strip() != "---":
        return {}, lines
    end = next((i for i, line in enumerate(lines[1:FRONT_MATTER_LINES], 1) if line.strip() in ("---", "...")), None)
    if end is None:
        return {}, lines
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return {}, lines
    return (meta, lines[end + 1:]) if isinstance(meta, dict) and FRONT_MATTER_KEYS & set(meta) else ({}, lines)


def _meta_text(value) -> str:
    """A header value as text, as a JSONL field's (`_scalar`); any other value is left out."""
    try:
        return _scalar(value, "")
    except SourceError:
        return ""


HTML_DROP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "template", "svg", "iframe",
             "dialog"}
HTML_DROP_ROLES = ["navigation", "banner", "contentinfo", "search", "dialog", "alertdialog"]  # compared with ==
HTML_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCK_REACH = 32  # ancestors looked at for a text node's block
LAYOUT_TAGS = {"p", "div", "ul", "ol", "li", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"}
HTML_BLOCKS = HTML_HEADINGS | {"p", "li", "dt", "dd", "blockquote", "pre", "td", "th", "caption", "figcaption", "div", "section", "article", "main", "tr", "br"}
# ids and classes of cookie and consent banners (and of the consent managers French sites use)
CONSENT_NAMES = re.compile(r"cookie|consent|gdpr|rgpd|tarteaucitron|didomi|onetrust|cookiebot|axeptio|\bcmp\b"
                           r"|privacy-?(?:banner|notice)|cc-(?:banner|window)", re.I)
CONSENT_WRAPPER_MAX_CHARS = 2000  # a wrapper holding more text than a banner is content, whatever its class says


def _is_consent_banner(element) -> bool:
    if element.tag in ("html", "body", "main", "article"):
        return False
    names = " ".join([element.get("id") or "", *(element.get("class") or "").split()])
    modal = (element.get("aria-modal") or "").lower() == "true"
    return bool((modal or CONSENT_NAMES.search(names)) and len(_stripped_text(element)) <= CONSENT_WRAPPER_MAX_CHARS)


def _stripped_text(element) -> str:
    """An element's texts, each stripped, joined by spaces."""
    return " ".join(s.strip() for s in element.itertext() if s.strip())


# a record's text that holds HTML (a feed's or a CMS's export) is read as a page
HTML_MARKUP = re.compile(r"</?(?:p|br|div|span|a|ul|ol|li|strong|b|em|i|h[1-6]|table|tr|td|blockquote)\b[^<>]*>", re.I)
NOT_XML = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # refused in an lxml tree (see _as_xml)
INTERNAL_DTD = re.compile(r"<!DOCTYPE[^>\[]*\[.*?\]\s*>", re.S | re.I)  # lxml's HTML parser leaks its "]>"


def _read_html(path: Path) -> Document:
    """A web page: its blocks that are its main content (trafilatura's, see `_main_content`), the
    <title>, its publication date (htmldate, conservative: what its markup says, <meta>, JSON-LD,
    <time>; never a guess), its address (canonical link or og:url), regions from <meta name="region"
    content="…"> and the site's name from <meta property="og:site_name">."""
    markup = decode(read_bytes(path))
    page = _page(markup)
    title = next((_stripped_text(e) for e in page.iter("title")), "")
    regions = [m.get("content").strip() for m in page.iter("meta") if m.get("name") == "region" and m.get("content")]
    html_date = _published(markup)
    site = _meta(page, "og:site_name")
    return Document(blocks=_main_content(_html_blocks(page), markup), title=title, regions=regions, date=html_date,
                    date_source="métadonnées HTML" if html_date else "", url=_address(page), site=" ".join(site.split()))


def _published(markup: str) -> str:
    """The date a page's markup gives it (htmldate, conservative mode), ISO; "" when none."""
    import logging

    from htmldate import find_date

    logging.getLogger("htmldate").setLevel(logging.CRITICAL)  # it logs what it could not parse
    try:
        return iso_date(find_date(markup, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")) or ""
    except Exception:  # a page htmldate cannot parse has no date, like a page without one
        return ""


def _meta(page, name: str) -> str:
    """The content of a page's first <meta property="`name`">, "" when it has none."""
    return next((m.get("content") or "" for m in page.iter("meta") if m.get("property") == name), "")


def _address(page) -> str:
    """The page's own address: its canonical link, else its og:url (http or https only)."""
    canonical = next((link.get("href") for link in page.iter("link") if "canonical" in (link.get("rel") or "").split()),
                     None)
    for url in (canonical, _meta(page, "og:url")):
        url = " ".join(str(url or "").split())
        if url.lower().startswith(("http://", "https://")):
            return url
    return ""


def _main_content(blocks: list[Block], markup: str) -> list[Block]:
    """The page's blocks that trafilatura (favor_recall, tables) reads as its main content: menus,
    sidebars, comment forms and footers built of plain `div`s go, docsante's blocks, headings and
    table rows stay as read. A block is in it when its text is one of trafilatura's lines, or found in
    its text (a block of MAIN_WORDS words or more, or one that goes on from the block before); a
    heading stays when a block it introduces does (the section path). A page where trafilatura finds
    nothing keeps every block."""
    import trafilatura

    try:
        main = trafilatura.extract(markup, favor_recall=True, include_tables=True, include_comments=False,
                                   deduplicate=False)
    except Exception:  # trafilatura failing on a page leaves it as docsante read it
        main = None
    if not main:
        return blocks
    lines, whole = {_compared(line) for line in main.splitlines()}, _compared(main)
    kept, previous = [], ""  # previous: the last block's text, when it was kept
    for b in blocks:
        text = _compared(b.text)
        keep = bool(text) and (text in lines or (len(text.split()) >= MAIN_WORDS and text in whole)
                               or (bool(previous) and f"{previous} {text}" in whole))  # a short block that goes on a kept one
        kept.append(keep)
        previous = text if keep else ""
    introduces = [False] * 7  # by level: a kept block follows, before the next heading of that level or above
    for i in range(len(blocks) - 1, -1, -1):
        level = blocks[i].level if blocks[i].kind == HEADING else None
        if level is None:
            introduces = [seen or kept[i] for seen in introduces]
        else:
            kept[i] = kept[i] or introduces[level]
            introduces[level:] = [False] * (7 - level)
    chosen = [b for b, keep in zip(blocks, kept) if keep]
    return chosen or blocks


MAIN_WORDS = 4  # a block this long found anywhere in the main content is in it; a shorter one as a line of its own


def _compared(text: str) -> str:
    """Text as blocks and trafilatura's lines are compared: folded, words only (its table's pipes and
    list dashes left out)."""
    return " ".join(re.sub(r"[^a-z0-9%€]+", " ", unidecode(text).lower()).split())


def _page(markup: str):
    """A page's tree of elements, built by lxml's TreeBuilder from what lxml's HTML parser reads: bs4 read
    pages with the same parser and built a tree of Python objects from the same events, 585–595 µs a legal
    record holding a table where this takes 178–184. The parser's own tree would stop at 256 levels of
    nesting, and lose the text below them."""
    from lxml import etree

    parser = etree.HTMLParser(target=etree.TreeBuilder(insert_comments=True, insert_pis=True), recover=True)
    markup = INTERNAL_DTD.sub("", markup, count=1)
    parser.feed(NOT_XML.sub(_as_xml, markup) if NOT_XML.search(markup) else markup)
    try:
        return parser.close()
    except etree.XMLSyntaxError:  # nothing but blanks
        return etree.Element("html")


def _as_xml(m: re.Match) -> str:
    """A character lxml refuses in a tree, as the rest of the reading makes it: a control character that
    splits words (vertical tab, form feed, separators) a space, another nothing, a non-character what
    `valid_text` makes it."""
    char = m[0]
    return " " if char.isspace() else "" if char < " " else valid_text(char)


def _drop(element) -> None:
    """An element out of its page, and what it holds; the text after it stays where it was."""
    parent, previous = element.getparent(), element.getprevious()
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _html_blocks(page) -> list[Block]:
    """A page's headings and paragraphs, without its navigation, banners and scripts; a data table's
    row is one block, its cells joined as the PDF and DOCX readers join them (« a | b | c »). The page's
    elements are listed once, then looked at in Python."""
    elements = [e for e in page.iter() if isinstance(e.tag, str)]  # comments and processing instructions aside
    for drop in (lambda e: e.tag in HTML_DROP, lambda e: e.get("role") in HTML_DROP_ROLES, _is_consent_banner):
        for element in elements:  # one of a dropped element's own is dropped with it: dropping it again changes nothing
            if drop(element):
                if element is page:
                    return []
                _drop(element)
    for row in (e for e in elements if e.tag == "tr" and e.getparent() is not None):
        cells = [cell for cell in row if cell.tag in ("td", "th")]
        if cells and not any(inner.tag in LAYOUT_TAGS
                             for cell in cells for inner in cell.iterdescendants()):  # a layout table's cells hold blocks
            line = row.makeelement("p", {})
            line.text = " | ".join(text for cell in cells if (text := " ".join(" ".join(cell.itertext()).split())))
            line.tail = row.tail
            row.getparent().replace(row, line)
    blocks: list[Block] = []
    current: list[str] = []

    def flush(kind=PARAGRAPH, level=0):
        text = " ".join("".join(current).split())
        if text:
            blocks.append(Block(text, kind, level))
        current.clear()

    body = next(page.iter("body"), page)
    last_block = None
    for element, text in _texts(body):  # iterative: deep nesting is fine
        if text is None:
            if element.tag in HTML_HEADINGS:
                flush()
                current.append(" ".join(element.itertext()))
                flush(HEADING, int(element.tag[1]))  # its level: <h3> under <h2> is a subsection
            elif element.tag in HTML_BLOCKS:
                flush()
            continue
        block = _html_block_of(element)
        if block is not None and block.tag in HTML_HEADINGS:
            continue  # collected with its heading, its links' and spans' text too
        if block is not last_block:  # text after a block's end ("</p><a>Je m'inscris</a>") starts a new one
            flush()
            last_block = block
        current.append(text)
    flush()
    return blocks


def _texts(body) -> Iterator[tuple]:
    """The elements under `body` and its texts, in the order a reader meets them: (element, None) where an
    element starts, (parent, text) for a text, `parent` the element it is written in (a comment's tail too)."""
    from lxml import etree

    if body.text:
        yield body, body.text
    for event, element in etree.iterwalk(body, events=("start", "end", "comment", "pi")):
        if element is body:
            continue
        if event == "start":
            yield element, None
            if element.text:
                yield element, element.text
        elif element.tail:  # an element's end, a comment, a processing instruction
            yield element.getparent(), element.tail


def _html_block_of(parent):
    """The block element a text is in, given the element it is written in: that one or its nearest
    block ancestor, looked for up to BLOCK_REACH levels (inline markup nested deeper counts as the same block)."""
    for _, element in zip(range(BLOCK_REACH), chain((parent,), parent.iterancestors())):
        if element.tag in HTML_BLOCKS:
            return element
    return None


READERS = {".pdf": read_pdf, ".docx": read_docx, ".odt": read_odt,
           ".doc": partial(read_converted, read=read_docx), ".rtf": partial(read_converted, read=read_docx),
           ".ppt": partial(read_converted, read=read_pptx), ".pptx": read_pptx, ".odp": read_odp,
           ".html": _read_html, ".htm": _read_html}


def _read_jsonl(path: Path, known: dict[str, str], lines: dict[str, str]) -> Iterator[Document | Failure | Unchanged]:
    """One Document per line, read as a stream (a file of a million records is never held whole); a
    bad line costs that line only, named with its number, as does one over MAX_LINE_BYTES. A line
    `known` (its digest → its record's id) is Unchanged; `lines` gets the id of each line read."""
    source = path_text(path.resolve())
    for number, raw in _jsonl_lines(path):
        digest = line_digest(raw) if raw is not None else ""
        if digest in known:  # decoded no more than parsed
            lines[digest] = known[digest]
            yield Unchanged(known[digest])
            continue
        if raw is None:
            yield Failure(f"{path_text(path)}:{number}", f"ligne trop longue ({MAX_LINE_BYTES // 2**20} Mo au plus)",
                          origin=source)
            continue
        line = decode(raw)
        if not line.strip():
            continue
        try:
            document, unread_date = _record(line, source)
        except SourceError as e:
            yield Failure(f"{path_text(path)}:{number}", str(e), origin=source)
            continue
        except (ValueError, RecursionError, MemoryError):
            yield Failure(f"{path_text(path)}:{number}", "ligne JSON invalide ou trop imbriquée", origin=source)
            continue
        lines[digest] = valid_text(document.doc_id)  # the id it is indexed under (Document.valid)
        yield document
        if unread_date:  # the record is indexed; the user is told what it lost
            yield Failure(f"{path_text(path)}:{number}", f"date « {unread_date[:40]} » illisible "
                          "(attendu : AAAA, AAAA-MM-JJ ou JJ/MM/AAAA) ; enregistrement indexé sans date")


MAX_LINE_BYTES = 64 * 1024 * 1024  # a JSONL line (one record) this long at most


def _jsonl_lines(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """A JSONL file's lines, numbered, as bytes, each to be decoded on its own (UTF-8, else Windows-1252:
    a file joined from several exports may mix them); None for a line over MAX_LINE_BYTES. A file in
    UTF-16 (with its BOM) is decoded whole, within MAX_FILE_BYTES, its lines given in UTF-8."""
    with path.open("rb") as f:
        head = f.read(SNIFF)
        _check_text(head)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            if path.stat().st_size > MAX_FILE_BYTES:
                raise SourceError(f"fichier UTF-16 trop volumineux ({MAX_FILE_BYTES // 2**20} Mo au plus)")
            yield from ((number, line.encode("utf-8", "surrogatepass"))
                        for number, line in enumerate(decode(head + f.read()).splitlines(), 1))
            return
        f.seek(len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0)
        for number, raw in enumerate(iter(lambda: f.readline(MAX_LINE_BYTES + 1), b""), 1):
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while (rest := f.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                    pass  # the rest of the long line
                yield number, None
                continue
            yield number, raw


def _record(line: str, source: str) -> tuple[Document, str]:
    """A record's Document, and its `date` when one was given that reads as no date."""
    record = json.loads(line)
    if not isinstance(record, dict):
        raise SourceError("la ligne n'est pas un objet JSON")
    rid, text = record.get("id"), record.get("text")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or str(rid).strip() == "":
        raise SourceError("champ « id » manquant")
    if not isinstance(text, str) or not text.strip():
        raise SourceError("champ « text » manquant ou vide")
    region = record.get("region")
    given_date = _str(record, "date")
    date = iso_date(given_date) or ""
    return Document(
        doc_id=str(rid).strip(),
        source=_str(record, "source") or source,
        blocks=_html_blocks(_page(text)) if HTML_MARKUP.search(text) else [Block(line, LINE) for line in text.splitlines()],
        title=_str(record, "title"),
        url=_str(record, "url"),
        issuer=_str(record, "issuer"),
        date=date,
        date_source="JSONL" if date else "",
        regions=[_scalar(r, "region") for r in (region if isinstance(region, list) else [region]) if r not in (None, "")],
        section=_str(record, "section") or _str(record, "path"),
        is_record=True,
        group=_str(record, "document"),
        origin=source,
        format="jsonl",
    ), given_date if given_date and not date else ""


def _str(record: dict, name: str) -> str:
    value = record.get(name)
    return "" if value is None else _scalar(value, name)


def _scalar(value, name: str) -> str:
    """A metadata value as text: a string or a whole number ("13" as a department); anything
    else (true, 3.5, NaN, a list or an object) is an error named after its field."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise SourceError(f"champ « {name} » : texte attendu, pas {json.dumps(value)[:40]}")
