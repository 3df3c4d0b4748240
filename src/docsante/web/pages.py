"""The HTML pages: search, passage and document, and a document's original."""

from __future__ import annotations

import mimetypes
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from ..errors import DocsanteError, QueryError
from ..facets import FACETS
from ..render.files import to_ris
from ..render.text import citation, copies_line, count_line, french_date, moment
from ..search.dates import period
from ..search.engine import MAX_OFFSET, Index
from .state import DATE_PARAMS, GROUPS, SearchState, chips, document_url, http_url, page_url, params, passage_url, search_state

PAGE_SIZE = 10
# originals shown as they are: documents that run no script in the page's origin; anything else (HTML, SVG,
# XML, unknown types) is served in a sandbox: no script, no form, no plugin, a unique origin
READ_AS_IS = {"application/pdf", "text/plain", "text/markdown", "text/csv", "image/png", "image/jpeg", "image/gif",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.presentationml.presentation",
              "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.presentation",
              "application/msword", "application/vnd.ms-powerpoint", "application/rtf", "application/octet-stream"}
ORIGINAL_SANDBOX = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
SORTS_FR = {"pertinence": "pertinence", "date": "date du document", "ajout": "date d'ajout"}

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.autoescape = True
templates.env.filters["date_fr"] = french_date
templates.env.filters["moment"] = moment
templates.env.globals["count_line"] = count_line
templates.env.globals["copies_line"] = copies_line


class BadRequest(DocsanteError):
    """A parameter out of bounds: 400."""


def index_of(request: Request) -> Index:
    """The index the application serves (web/app.py)."""
    return request.app.state.index


router = APIRouter(include_in_schema=False)


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def search_page(request: Request, state: SearchState = Depends(search_state), page: int = 1,
                index: Index = Depends(index_of)):
    if page < 1 or (page - 1) * PAGE_SIZE > MAX_OFFSET:
        raise BadRequest(f"« page » doit être entre 1 et {MAX_OFFSET // PAGE_SIZE + 1}.")
    current = state.as_dict()
    date_errors = {}  # a date that reads as none: said beside its field, the search run without it
    for name, value in state.dates.items():
        try:
            period(**{name: value or None})
        except QueryError as e:
            date_errors[name] = str(e)
    scope = {**state.scope(), **{name: None for name in date_errors}}
    results = index.search(state.q, **scope, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    last_page = max(1, -(-(results.total_documents if state.group == "document" else results.total) // PAGE_SIZE))
    return templates.TemplateResponse(request, "search.html", {
        "results": results, "state": current, "page": page, "last_page": last_page,
        "facets": FACETS, "url": lambda **change: page_url(current, **change),
        "passage_url": passage_url, "document_url": document_url, "groups": GROUPS, "safe": Markup, "export": urlencode(params(current)),
        "feed": urlencode(params({**current, "sort": "pertinence"})), "sorts": SORTS_FR,
        "hidden": lambda without: [(k, v) for k, v in params(current) if k not in without],
        "chips": chips(current), "date_errors": date_errors, "unfiltered_url": unfiltered_url(current, results)})


def unfiltered_url(state: dict, results) -> str:
    """The same search without its filters: the facets and dates chosen, and those typed in the query."""
    return page_url({**state, **{f.name: [] for f in FACETS}, **dict.fromkeys(DATE_PARAMS, "")},
                    q=results.query_without_filters)


@router.api_route("/accessibilite", methods=["GET", "HEAD"], response_class=HTMLResponse)
def accessibility_page(request: Request):
    return templates.TemplateResponse(request, "accessibilite.html", {})


@router.api_route("/passage/{passage_id:path}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def passage_page(request: Request, passage_id: str, state: SearchState = Depends(search_state), page: int = 1,
                 index: Index = Depends(index_of)):
    """A passage with the words of the search it was found by marked, a link back to that search (its
    filters and page), what to cite it by and its RIS record."""
    view = index.passage(passage_id, query=state.q)
    current = state.as_dict()
    searched = bool(params(current))
    return templates.TemplateResponse(request, "passage.html", {
        "view": view, "passage_url": lambda pid: passage_url(pid, current, page), "http_url": http_url(view.document.url),
        "document_url": document_url, "safe": Markup, "searched": searched,
        "back": page_url(current, page=page) if searched else "/", "citation": citation(view.passage, date.today()),
        "ris": to_ris(view.passage), "ris_url": "/api/passage.ris?" + urlencode({"id": view.passage.id})})


@router.api_route("/document/{doc_id:path}/original", methods=["GET", "HEAD"])
def original_file(doc_id: str, index: Index = Depends(index_of)):
    """The indexed file itself, to read in the browser; a web page's address. Only documents in the
    index; what an original holds never runs in docsante's origin (a sandbox for HTML, SVG, XML)."""
    original = index.original(doc_id)
    if isinstance(original, str):
        return RedirectResponse(original, status_code=307)
    if isinstance(original, Path):
        media_type = mimetypes.guess_type(original.name)[0] or "application/octet-stream"
        return FileResponse(original, media_type=media_type, headers=_sandboxed(media_type),
                            content_disposition_type="inline", filename=original.name)
    media_type = original.headers.get("content-type", "").split(";")[0].strip().lower() or \
        mimetypes.guess_type("x" + original.suffix)[0] or "application/octet-stream"
    return Response(original.body, media_type=media_type, headers=_sandboxed(media_type))  # a web page's archived copy


def _sandboxed(media_type: str) -> dict:
    return {"Content-Security-Policy": ORIGINAL_SANDBOX} if media_type not in READ_AS_IS else {}


@router.api_route("/document/{doc_id:path}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, index: Index = Depends(index_of)):
    view = index.document(doc_id)
    return templates.TemplateResponse(request, "document.html", {
        "view": view, "passage_url": passage_url, "http_url": http_url(view.document.url),
        "original_url": document_url(view.document.doc_id) + "/original",
        "facet_labels": {f.name: f.one.capitalize() for f in FACETS},
        "anchors": {p.id: f"p{p.position}" for p in view.passages}})
