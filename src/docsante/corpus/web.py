"""Sites as sources: pages and the documents they link to, fetched politely, bounded, archived.

`crawl` starts from URLs (a page, a sitemap or a sitemap index, an RSS or Atom feed) and follows
links on the same host, `depth` levels from a page; the documents a page links to (PDF, DOCX,
ODT, PPTX…) are fetched whatever the depth. robots.txt is obeyed, the User-Agent names docsante
and its version, two requests to one host are `delay` seconds apart (a `Retry-After` is honoured,
up to MAX_RETRY_WAIT), and every run stops after `max_pages` requests. Each answer is bounded:
connect and read timeouts, at most MAX_REDIRECTS redirects (a loop is named), http and https
only (a redirect elsewhere is refused), at most `max_bytes` once inflated (a compressed answer
that inflates past it is refused), and its bytes must be what its type says (a "PDF" that is a
web page is named). URLs are normalised (fragment and `utm_*` parameters dropped), so that none
is fetched twice. Every answer read is kept in a WARC file (warcio) in `archive`, the format web
archives and replay tools read. What cannot be fetched is a Failure, and the crawl goes on.

Re-runs: what each URL answered (its ETag, Last-Modified, links and where its answer lies in the
archive) is kept in `state`, a JSON file; the next request for it is conditional, and a page that
has not changed (304) is not read again: it is Unchanged, and the links it had are followed as
before. A page the index holds that has gone (404, 410) is Withdrawn: it is read from its archived
copy, marked with the day it was found gone, and stays searchable.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import tempfile
import time
import urllib.robotparser
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

from ..errors import SourceError

MAX_REDIRECTS = 5
MAX_RETRY_WAIT = 30.0  # seconds a Retry-After is waited for, at most
TIMEOUTS = (10.0, 30.0)  # connect, read (seconds)
MAX_BYTES = 64 * 2**20  # an answer, once inflated
# what a document linked from a page is, by the end of its path; its bytes must agree (SIGNATURES)
DOCUMENT_SUFFIXES = {".pdf", ".docx", ".doc", ".odt", ".pptx", ".ppt", ".odp", ".rtf", ".txt", ".md"}
TYPES = {"application/pdf": ".pdf", "text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt",
         "text/markdown": ".md", "application/msword": ".doc", "application/rtf": ".rtf",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
         "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
         "application/vnd.oasis.opendocument.text": ".odt", "application/vnd.oasis.opendocument.presentation": ".odp",
         "application/vnd.ms-powerpoint": ".ppt"}
LISTS = {"application/xml", "text/xml", "application/rss+xml", "application/atom+xml"}  # sitemaps and feeds
SIGNATURES = {".pdf": (b"%PDF",), ".docx": (b"PK\x03\x04",), ".pptx": (b"PK\x03\x04",), ".odt": (b"PK\x03\x04",),
              ".odp": (b"PK\x03\x04",), ".doc": (b"\xd0\xcf\x11\xe0",), ".ppt": (b"\xd0\xcf\x11\xe0",), ".rtf": (b"{\\rtf",)}
NAMES = {".pdf": "un PDF", ".docx": "un DOCX", ".pptx": "un PPTX", ".odt": "un ODT", ".odp": "un ODP",
         ".doc": "un fichier Word", ".ppt": "un fichier PowerPoint", ".rtf": "un RTF"}


def archive_path(index_dir: Path) -> Path:
    """Where the web answers read into an index are kept (WARC files): beside it, so a rebuild keeps them."""
    return index_dir.parent / f"{index_dir.name}.archive"


def state_path(index_dir: Path) -> Path:
    """What each URL read into an index answered last time (WebState), beside it."""
    return index_dir.parent / f"{index_dir.name}.web.json"


def is_url(source) -> bool:
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def normalise(url: str) -> str:
    """The URL without its fragment and its `utm_*` parameters, scheme and host in small letters,
    default port dropped: one page, one URL."""
    parts = urlsplit(urldefrag(url.strip())[0])
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (parts.scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith("utm_")])
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


@dataclass
class WebOptions:
    depth: int = 0              # link levels followed from a page, on its host
    max_pages: int = 1000       # requests in a run, at most
    delay: float = 1.0          # seconds between two requests to one host
    max_bytes: int = MAX_BYTES
    timeouts: tuple[float, float] = TIMEOUTS
    archive: Path | None = None  # where the WARC files go
    state: Path | None = None    # what each URL answered last time (conditional requests)
    indexed: frozenset[str] = frozenset()  # the URLs whose documents the index holds: only they may be
    # asked conditionally (a document removed, or an index rebuilt, is read again)


@dataclass
class Fetched:
    url: str           # as asked for, normalised (the document's id)
    final: str         # after redirects
    suffix: str        # what it is: ".html", ".pdf"…
    body: bytes
    headers: dict = field(default_factory=dict)


class FetchError(SourceError):
    """A URL that could not be fetched, with its reason in French (and the HTTP status that said so)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


GONE = (404, 410)  # what a page that has gone from its site answers


@dataclass
class Withdrawn:
    """A page the index holds that has gone from its site: the day it was found gone, and its last
    answer as the archive keeps it (None when there is none)."""
    doc_id: str
    day: str
    archived: Fetched | None


@dataclass
class Unchanged:
    """A URL whose answer has not changed since the last run (304)."""
    doc_id: str


class WebState:
    """What each URL answered last time: {url: {"etag", "last_modified", "links"}}, in a JSON file
    written whole and atomically at the end of a crawl (an unreadable one is started again)."""

    def __init__(self, path: Path | None):
        self.path = path
        try:
            self.urls = json.loads(path.read_text("utf-8"))["urls"] if path and path.exists() else {}
        except (OSError, ValueError, KeyError, TypeError):
            self.urls = {}

    def conditions(self, url: str) -> dict:
        known = self.urls.get(url) or {}
        return {k: v for k, v in (("If-None-Match", known.get("etag")),
                                  ("If-Modified-Since", known.get("last_modified"))) if v}

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        hidden = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        hidden.write_text(json.dumps({"version": 1, "urls": self.urls}, ensure_ascii=False), "utf-8")
        os.replace(hidden, self.path)


class Fetcher:
    """One HTTP client for a crawl: polite, bounded, archiving (see the module's docstring)."""

    def __init__(self, options: WebOptions):
        import httpx

        self.options = options
        self.client = httpx.Client(follow_redirects=False, headers={"User-Agent": user_agent()},
                                   timeout=httpx.Timeout(options.timeouts[1], connect=options.timeouts[0]))
        self.last: dict[str, float] = {}  # host -> when it was last asked
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.requests = 0
        self.archive = _Archive(options.archive) if options.archive else None

    def close(self) -> None:
        self.client.close()
        if self.archive:
            self.archive.close()

    def allowed(self, url: str) -> bool:
        """Whether the host's robots.txt lets docsante fetch the URL (none: yes; one behind 401 or 403: no,
        as Python's robotparser reads it)."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self.robots:
            parser = urllib.robotparser.RobotFileParser()
            try:
                _, status, body, _ = self.fetch(key + "/robots.txt")
                parser.parse(body.decode("utf-8", "replace").splitlines() if status == 200 else [])
            except FetchError as e:  # none: everything allowed; one that refuses to be read (401, 403): nothing
                parser.parse([])
                parser.disallow_all = e.status in (401, 403)
            self.robots[key] = parser
        return self.robots[key].can_fetch(user_agent(), url)

    def fetch(self, url: str, conditions: dict | None = None) -> tuple[str, int, bytes, dict]:
        """(final URL, status, body, headers) of a URL, redirects followed; `conditions`: the headers of
        a conditional request, which a 304 answers. Raises FetchError."""
        seen = [url]
        for _ in range(MAX_REDIRECTS + 1):
            status, reason, body, headers = self._get(seen[-1], conditions if len(seen) == 1 else None)
            if status in (301, 302, 303, 307, 308):
                target = normalise(urljoin(seen[-1], headers.get("location", "")))
                if not is_url(target):
                    raise FetchError(f"redirection refusée vers « {target[:80]} » (seuls http et https sont suivis)")
                if target in seen:
                    raise FetchError("boucle de redirections (" + " → ".join(seen[-2:] + [target]) + ")")
                seen.append(target)
                continue
            if status >= 400:
                raise FetchError(f"erreur HTTP {status} {reason}".rstrip(), status)
            return seen[-1], status, body, headers
        raise FetchError(f"plus de {MAX_REDIRECTS} redirections")

    def _get(self, url: str, conditions: dict | None = None) -> tuple[int, str, bytes, dict]:
        """One request, after the host's delay; a 429 or 503 with Retry-After is asked again once."""
        import httpx

        if self.requests >= self.options.max_pages:
            raise FetchError(f"limite de {self.options.max_pages} requêtes atteinte (--max-pages)")
        for attempt in (1, 2):
            self._wait(url)
            self.requests += 1
            try:
                with self.client.stream("GET", url, headers=conditions) as response:
                    body = self._read(response)
                    headers = {k.lower(): v for k, v in response.headers.items()}
                    status, reason = response.status_code, response.reason_phrase
            except httpx.TimeoutException:
                raise FetchError("délai dépassé (le serveur ne répond pas)") from None
            except httpx.HTTPError as e:
                raise FetchError(f"connexion impossible ({type(e).__name__})") from None
            retry = _seconds(headers.get("retry-after")) if status in (429, 503) else None
            if retry is None or attempt == 2 or retry > MAX_RETRY_WAIT:
                break
            self.last[urlsplit(url).netloc] = time.monotonic() + retry - self.options.delay
        if self.archive and status < 300:
            headers["x-docsante-archive"] = self.archive.write(url, status, reason, headers, body)
        return status, reason, body, headers

    def _read(self, response) -> bytes:
        """The body, inflated, refused past max_bytes (a compressed answer that inflates past it too)."""
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.options.max_bytes:
                raise FetchError(f"réponse trop volumineuse (plus de {self.options.max_bytes // 2**20} Mo)")
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        if host in self.last:
            pause = self.last[host] + self.options.delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        self.last[host] = time.monotonic()


def user_agent() -> str:
    return f"docsante/{version('docsante')} (indexation de documents de sante publique)"  # ASCII: an HTTP header


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class _Archive:
    """The answers of a run, in a WARC file of its own (gzip records, warcio)."""

    def __init__(self, folder: Path):
        from warcio.warcwriter import WARCWriter

        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self.name = f"docsante-{stamp}-{os.getpid()}-{id(self):x}.warc.gz"
        self.file = open(folder / self.name, "ab")
        self.writer = WARCWriter(self.file, gzip=True)

    def write(self, url: str, status: int, reason: str, headers: dict, body: bytes) -> str:
        """Archive an answer; where it lies: "file.warc.gz:offset"."""
        from warcio.statusandheaders import StatusAndHeaders

        kept = [(k, v) for k, v in headers.items() if k not in ("content-encoding", "transfer-encoding", "content-length")]
        http = StatusAndHeaders(f"{status} {reason}", kept, protocol="HTTP/1.1")
        offset = self.file.tell()
        self.writer.write_record(self.writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                                http_headers=http))
        self.file.flush()
        return f"{self.name}:{offset}"

    def close(self) -> None:
        self.file.close()


def crawl(starts: list[str], options: WebOptions) -> Iterator[Fetched | Unchanged | FetchError]:
    """What `starts` and the links followed from them give, page after page (see the module's docstring);
    a URL that cannot be fetched is a FetchError whose message names it, and the crawl goes on."""
    fetcher, state = Fetcher(options), WebState(options.state)
    hosts = {urlsplit(normalise(u)).netloc for u in starts}
    queue = deque((normalise(u), 0, None) for u in starts)  # (url, depth, what a link says it is)
    seen = {u for u, _, _ in queue}
    try:
        while queue:
            url, depth, expected = queue.popleft()
            known = state.urls.get(url) or {}
            try:
                if not fetcher.allowed(url):
                    raise FetchError("interdit par robots.txt")
                asked = state.conditions(url) if url in options.indexed or known.get("suffix") == "list" else None
                final, status, body, headers = fetcher.fetch(url, asked)
                suffix = known.get("suffix") if status == 304 else _kind(url, final, headers, body, expected)
            except FetchError as e:
                if e.status in GONE and url in options.indexed and known.get("suffix") not in (None, "list"):
                    day = known.get("withdrawn") or datetime.now().date().isoformat()
                    state.urls[url] = {**known, "withdrawn": day}
                    yield Withdrawn(url, day, archived(options.archive, url, known))
                    continue
                yield FetchError(f"{url} : {e}")
                if "--max-pages" in str(e):
                    return
                continue
            if status == 304:
                found = known.get("links", [])
                if suffix != "list":
                    yield Unchanged(url)
            else:
                found = (_listed(body) if suffix == "list" else _links(body, final) if suffix == ".html" else [])
                state.urls[url] = {"etag": headers.get("etag"), "last_modified": headers.get("last-modified"),
                                   "suffix": suffix, "links": found, "archive": headers.get("x-docsante-archive")}
                if suffix != "list":
                    yield Fetched(url, final, suffix, body, headers)
            links = [(link, 0, None) if suffix == "list" else (link, depth + 1, _suffix(link)) for link in found]
            for link, level, kind in links:
                link = normalise(link)
                if link in seen or urlsplit(link).netloc not in hosts or not is_url(link):
                    continue
                if kind in DOCUMENT_SUFFIXES or level <= options.depth or suffix == "list":
                    seen.add(link)
                    queue.append((link, level, kind))
    finally:
        fetcher.close()
        state.save()


def archived(folder: Path | None, url: str, known: dict) -> Fetched | None:
    """A URL's last answer as the archive keeps it (`known`: what the state says of it), or None."""
    where = known.get("archive")
    if folder is None or not where:
        return None
    from warcio.archiveiterator import ArchiveIterator

    name, _, offset = where.rpartition(":")
    try:
        with open(Path(folder) / Path(name).name, "rb") as f:
            f.seek(int(offset))
            record = next(iter(ArchiveIterator(f)), None)
            if record is None or record.rec_headers.get_header("WARC-Target-URI") != url:
                return None
            headers = {k.lower(): v for k, v in record.http_headers.headers} if record.http_headers else {}
            return Fetched(url, url, known.get("suffix") or ".html", record.content_stream().read(), headers)
    except (OSError, ValueError, StopIteration):
        return None


def _suffix(url: str) -> str | None:
    path = urlsplit(url).path.lower()
    return next((s for s in DOCUMENT_SUFFIXES | {".html", ".htm"} if path.endswith(s)), None)


def _kind(url: str, final: str, headers: dict, body: bytes, expected: str | None) -> str:
    """What an answer is (".html", ".pdf"… or "list": a sitemap or a feed), checked against its bytes."""
    mime = headers.get("content-type", "").split(";")[0].strip().lower()
    head = body[:2048].lstrip()
    if mime in LISTS or (mime in ("", "application/octet-stream") and head.startswith(b"<?xml")):
        if re.search(rb"<(urlset|sitemapindex|rss|feed)\b", body[:4096]):
            return "list"
    suffix = TYPES.get(mime) or (_suffix(final) if mime in ("", "application/octet-stream") else None)
    if suffix is None:
        raise FetchError(f"type de contenu non pris en charge ({mime or 'inconnu'})")
    wanted = expected if expected in SIGNATURES else suffix
    if wanted in SIGNATURES and not head.startswith(SIGNATURES[wanted]):
        raise FetchError(f"ce n'est pas {NAMES[wanted]} (contenu {mime or 'inconnu'})")
    if suffix in (".html", ".txt", ".md") and b"\x00" in head:
        raise FetchError(f"contenu binaire annoncé comme texte ({mime})")
    return wanted if wanted in SIGNATURES else suffix


def _links(body: bytes, base: str) -> list[str]:
    """The links of a page, absolute, in their order (its <base> honoured)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "lxml")
    tag = soup.find("base", href=True)
    base = urljoin(base, tag["href"]) if tag else base
    return [urljoin(base, a["href"]) for a in soup.find_all("a", href=True)]


def _listed(body: bytes) -> list[str]:
    """The pages a sitemap, a sitemap index, an RSS or an Atom feed lists."""
    from bs4 import BeautifulSoup

    if body[:2] == b"\x1f\x8b":  # a sitemap.xml.gz
        body = gzip.decompress(body)
    soup = BeautifulSoup(body, "xml")
    found = [loc.get_text(strip=True) for loc in soup.find_all("loc")]
    found += [link.get_text(strip=True) for item in soup.find_all("item") for link in item.find_all("link")]
    found += [link.get("href", "") for entry in soup.find_all("entry") for link in entry.find_all("link")
              if link.get("rel", "alternate") == "alternate"]
    return [u for u in found if is_url(u)]


def written(fetched: Fetched, folder: str) -> Path:
    """The answer's body in a file of its kind in `folder`, for the readers of files."""
    fd, name = tempfile.mkstemp(suffix=fetched.suffix, dir=folder)
    with os.fdopen(fd, "wb") as f:
        f.write(fetched.body)
    return Path(name)
